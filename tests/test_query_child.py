"""The query process's answers: the row cap holds at its edge in every format, whether or not the
answer is short enough to pass on without being read; the bound on a JSON answer's rows, read from
its bytes, is never below its rows, whatever its text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings, strategies as st

from cspkg.answers.messages import Request
from cspkg.answers.runner_child import ROW_BYTES, execute, json_rows_at_most
from cspkg.answers.results import RESULT_FORMATS
from cspkg.store.embedded import EmbeddedStore

CAP = 1000


def rows_query(n: int) -> str:
    """n rows that bind nothing: the shortest rows a format can hold, the worst case for a bound on bytes."""
    return "SELECT ?x WHERE { VALUES ?x { " + "UNDEF " * n + "} }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return EmbeddedStore(ox.Store(), tmp_path_factory.mktemp("empty"))


@pytest.mark.parametrize("fmt", sorted(ROW_BYTES))
@pytest.mark.parametrize("n", [CAP - 20, CAP - 1, CAP, CAP + 1, 3 * CAP])  # CAP - 20: JSON just under the bound
def test_the_row_cap_holds_at_its_edge(store, fmt, n):
    answer = execute(store, Request(rows_query(n), fmt, max_rows=CAP))
    rows = list(ox.parse_query_results(answer.body, format=RESULT_FORMATS[fmt]))
    assert len(rows) == min(n, CAP)
    assert answer.truncated is (n > CAP)
    assert answer.rows in (None, len(rows))  # None only when the answer was passed on uncounted


@pytest.mark.parametrize("fmt", sorted(ROW_BYTES))
def test_a_short_answer_is_passed_on_as_the_engine_wrote_it(store, fmt):
    text = rows_query(3)
    answer = execute(store, Request(text, fmt, max_rows=CAP))
    assert answer.body == store.query(text).serialize(format=RESULT_FORMATS[fmt]) and answer.rows is None


@pytest.mark.parametrize("n", [CAP, CAP + 1])
def test_a_graph_answer_is_cut_at_the_cap(store, n):
    text = "CONSTRUCT { ?x <urn:p> 1 } WHERE { VALUES ?x { " + " ".join(f"<urn:x{i}>" for i in range(n)) + " } }"
    answer = execute(store, Request(text, "ntriples", max_rows=CAP))
    assert len(list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))) == answer.rows == CAP
    assert answer.truncated is (n > CAP)


TRICKY = ["", "a,b", 'q"q', "two\nlines", "cr\rx", "crlf\r\nx", "\r\n\r\n", " lead", "tab\tx", "x"]


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(text)) for i, text in enumerate(TRICKY))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("urn:p"), ox.Literal("by a blank node", language="en")))
    return EmbeddedStore(store, tmp_path_factory.mktemp("tricky"))


@pytest.mark.parametrize("query", [
    "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o",  # one column, with an empty value
    "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o",
    "SELECT ?s ?o ?none WHERE { ?s ?p ?o } ORDER BY ?o",  # a column never bound
    "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF } }",
    "SELECT * WHERE { } ",  # no columns, one row
])
@pytest.mark.parametrize("cap", [3, 100])
def test_csv_answers_are_the_csv_writer_s_whether_passed_on_or_cut(tricky, query, cap):
    """CSV passed on as Oxigraph wrote it, or read back and cut at the cap: the same bytes as the
    CSV writer of the results module gives for the same rows."""
    from cspkg.answers.results import serialize_solutions

    result = tricky.query(query)
    names = [v.value for v in result.variables]
    rows = list(result)
    answer = execute(tricky, Request(query, "csv", max_rows=cap))
    assert answer.body == serialize_solutions(names, rows[:cap], "csv")
    assert answer.truncated is (len(rows) > cap)
    assert answer.rows in (None, min(len(rows), cap))


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    """Terms of every kind, and text that looks like the formats' own row syntax."""
    store = ox.Store()
    objects = [ox.Literal(t) for t in TRICKY] + [
        ox.Literal("<result><binding name='x'>", language="en"), ox.Literal('a},{"x": 1}'), ox.Literal("ünïcödé ✓"),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("\u0001 control"), ox.NamedNode("urn:o"), ox.BlankNode("b2")]
    store.extend(ox.Quad(ox.NamedNode(f"urn:s{i:02}"), ox.NamedNode("urn:p"), o) for i, o in enumerate(objects))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("urn:p"), ox.Literal("by a blank node")))
    return EmbeddedStore(store, tmp_path_factory.mktemp("varied"))


@pytest.mark.parametrize("fmt", sorted(ROW_BYTES))
@pytest.mark.parametrize("cap", [1, 7])
def test_an_answer_over_the_cap_holds_its_first_rows_unchanged(varied, fmt, cap):
    """Cut from the engine's own bytes: the rows kept are the answer's first, term for term."""
    query = "SELECT ?s ?o ?none WHERE { ?s ?p ?o } ORDER BY ?s"
    whole = list(ox.parse_query_results(varied.query(query).serialize(format=RESULT_FORMATS[fmt]), format=RESULT_FORMATS[fmt]))
    answer = execute(varied, Request(query, fmt, max_rows=cap))
    kept = ox.parse_query_results(answer.body, format=RESULT_FORMATS[fmt])
    assert [v.value for v in kept.variables] == ["s", "o", "none"]
    assert [[row[n] for n in ("s", "o", "none")] for row in kept] == [[row[n] for n in ("s", "o", "none")] for row in whole[:cap]]
    assert answer.truncated and answer.rows == cap


# Literals that look like the JSON writer's own row syntax, and any text at all.
TEXTS = st.one_of(st.sampled_from(["[{", ",{", "},{", "[{}]", '{"x":{"type":"uri"}}', " , { ", "{", ""]),
                  st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
TERMS = st.one_of(st.none(), st.builds(ox.Literal, TEXTS), st.builds(lambda t: ox.Literal(t, language="en"), TEXTS),
                  st.just(ox.NamedNode("urn:x")), st.just(ox.BlankNode("b")))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(TERMS, TERMS, TERMS), max_size=30))
def test_a_json_answer_has_no_more_rows_than_its_bound(rows):
    """Any rows (unbound values, empty rows, literals holding brackets, braces and commas): the bound
    from the bytes is at least the rows the answer holds, so an answer passed on unread is within the cap."""
    store = ox.Store()
    for i, row in enumerate(rows):
        for name, term in zip("abc", row):
            if term is not None:
                store.add(ox.Quad(ox.NamedNode(f"urn:row{i:03}"), ox.NamedNode(f"urn:{name}"), term))
    text = ("SELECT ?a ?b ?c WHERE { VALUES ?row { " + " ".join(f"<urn:row{i:03}>" for i in range(len(rows))) + " }"
            " OPTIONAL { ?row <urn:a> ?a } OPTIONAL { ?row <urn:b> ?b } OPTIONAL { ?row <urn:c> ?c } }")
    body = store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
    held = len(list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)))
    assert json_rows_at_most(body) >= held
    for cap in {max(held - 1, 0), held}:
        answer = execute(EmbeddedStore(store, None), Request(text, "json", max_rows=cap))
        assert len(list(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON))) == min(held, cap)
        assert answer.truncated is (held > cap)
