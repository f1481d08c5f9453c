"""The query process's answers: the row cap holds at its edge in every format, whether or not the
answer is short enough to pass on without being read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from cspkg.answers.messages import Request
from cspkg.answers.runner_child import ROW_BYTES, execute
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
