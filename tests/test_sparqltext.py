"""The SPARQL tokenizer (sparqllex) and what sparqltext decides from its tokens: the W3C syntax test
suites, the ways an attacker hid SERVICE from the old regex scan, linear time, and /sparql's 400s.

The engine never runs a query our tokens say uses SERVICE, nor an update that could LOAD from
anywhere but a closed loopback port."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from hypothesis import given, settings, strategies as st

from cspkg.answers import sparqltext
from cspkg.answers.sparqllex import IRI, MAX_DEPTH, PUNCT, SparqlTextError, tokenize
from cspkg.store.builder import StoreBuilder
from server import serving

SUITE = Path(__file__).parent / "fixtures" / "w3c-sparql-syntax"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
CLOSED_PORT_BASE = "http://127.0.0.1:9/"  # relative LOAD IRIs resolve here: loopback, nothing listens

# The spec's longest-token rule makes `<?a&&?b>` an IRI, so this query is invalid; a parser that reads
# '<' as an operator after an operand in an expression (Oxigraph, and this tokenizer) accepts it.
OPERATOR_NOT_IRI = {"syntax-sparql3/syn-bad-26"}


def suite() -> list[tuple[str, str, Path]]:
    """(test id, test type, query file) for every test in the vendored manifests."""
    tests = []
    for manifest in sorted(SUITE.glob("*/manifest.ttl")):
        store = ox.Store()
        store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.resolve().as_uri())
        rows = store.query(f"""PREFIX mf: <{MF}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            SELECT ?test ?type ?action WHERE {{ ?m mf:entries/rdf:rest*/rdf:first ?test .
                                                ?test rdf:type ?type ; mf:action ?action }}""")
        for row in rows:
            name = f"{manifest.parent.name}/{row['test'].value.rsplit('#', 1)[-1]}"
            tests.append((name, row["type"].value.rsplit("#", 1)[-1], Path(row["action"].value.removeprefix("file://"))))
    return sorted(tests)


TESTS = suite()


def engine(text: str, update: bool):
    """What Oxigraph makes of the text on an empty in-memory store: 'syntax' for a syntax error, the
    result's kind, or 'parsed' when it parsed but could not run (an unknown function, a missing graph)."""
    try:
        if update:
            ox.Store().update(text, base_iri=CLOSED_PORT_BASE)
            return "parsed"
        result = ox.Store().query(text, base_iri=CLOSED_PORT_BASE)
    except SyntaxError:
        return "syntax"
    except (OSError, RuntimeError, ValueError):
        return "parsed"
    return {ox.QuerySolutions: "SELECT", ox.QueryBoolean: "ASK", ox.QueryTriples: "GRAPH"}[type(result)]


def safe_to_run(reading) -> bool:
    """No SERVICE, and LOAD only of relative IRIs (which resolve to the closed loopback port)."""
    if reading.service:
        return False
    return "LOAD" not in reading.keywords or not any(t.kind == IRI and ":" in t.value for t in reading.tokens.tokens)


def verdict(name: str, kind: str, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    update = "Update" in kind
    try:
        reading = sparqltext.read(text)
    except SparqlTextError as err:
        assert kind.startswith("Negative"), f"{name}: a valid test is refused: {err}"
        return "refused by the tokenizer"
    ran = engine(text, update) if safe_to_run(reading) else None
    if kind.startswith("Negative"):
        if name in OPERATOR_NOT_IRI:
            assert ran == "SELECT" and any(t.kind == PUNCT and t.value == "<" for t in reading.tokens.tokens)
            return "read as the engine reads it (operator, not IRI)"
        assert ran == "syntax", f"{name}: an invalid test passes both the tokenizer and the engine ({ran})"
        return "refused by the engine"
    if update:
        assert reading.update and reading.form is None, f"{name}: an update read as a {reading.form} query"
        assert ran in (None, "parsed"), f"{name}: the engine refuses a valid update"
        return "update"
    assert not reading.update and reading.form in sparqltext.FORMS, f"{name}: form {reading.form}"
    if name.startswith("syntax-fed/"):
        assert reading.service and ran is None
        return "SERVICE (not run)"
    assert not reading.service and ran is not None
    assert ran != "syntax", f"{name}: the engine refuses a valid query"
    if ran != "parsed":  # the form the engine answered with is ours
        assert ran == reading.form or (ran == "GRAPH" and reading.form in ("CONSTRUCT", "DESCRIBE")), (name, ran, reading.form)
    return f"{reading.form} query"


@pytest.mark.parametrize("name,kind,path", TESTS, ids=[t[0] for t in TESTS])
def test_w3c_syntax_suite(name, kind, path):
    verdict(name, kind, path)


def test_w3c_suite_counts():
    counts: dict[str, int] = {}
    for name, kind, path in TESTS:
        key = f"{'positive' if kind.startswith('Positive') else 'negative'} {'update' if 'Update' in kind else 'query'}"
        counts[key] = counts.get(key, 0) + 1
        outcome = verdict(name, kind, path)
        counts[outcome] = counts.get(outcome, 0) + 1
    print("\nW3C SPARQL syntax tests:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    assert len(TESTS) == 351 and counts["positive query"] == 215 and counts["negative query"] == 81
    assert counts["positive update"] == 42 and counts["negative update"] == 13 and counts["SERVICE (not run)"] == 3


# -- What the old regex scan missed --------------------------------------------------------------

SERVICE = "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }"
BYPASSES = {
    "comment ended by CRLF": f"SELECT * WHERE {{ ?s ?p ?o # note\r\n{SERVICE} }}",
    "PN_LOCAL escape \\#": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ex:a\\#b ?p ?o . {SERVICE} }}",
    "PN_LOCAL escape \\'": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ex:a\\' ?p ?o . {SERVICE} ex:b\\' ?p ?o }}",
    "escaped keyword letters": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "escaped keyword, long form": "SELECT * WHERE { \\U00000073ervice <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "mixed case": f"select * where {{ {SERVICE.replace('SERVICE', 'sErViCe')} }}",
    "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {SERVICE} }} }} }}",
    "nested OPTIONAL and UNION": f"SELECT * WHERE {{ OPTIONAL {{ {{ ?s ?p ?o }} UNION {{ {SERVICE} }} }} }}",
    "FILTER EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {SERVICE} }} }}",
    "FILTER NOT EXISTS in a subquery": f"ASK {{ {{ SELECT * {{ ?s ?p ?o FILTER(NOT EXISTS {{ {SERVICE} }}) }} }} }}",
    "'<' as operator then '#'": "SELECT * WHERE { VALUES ?a {1} FILTER(?a<?b)SERVICE?x#>\n{ ?s ?p ?o } }",
    "'<' after EXISTS": "SELECT * WHERE { FILTER(EXISTS{?s ?p ?o}<?b)SERVICE?x#>\n{ ?s ?p ?o } }",
    "SERVICE SILENT with a variable": "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?u) SERVICE SILENT ?u { ?s ?p ?o } }",
    "no spaces": "SELECT*{SERVICE<http://127.0.0.1:9/>{?s?p?o}}",
    "string with escaped quotes before": f"SELECT * WHERE {{ ?s ?p \"a\\\"b\" . ?s ?p 'c\\'d' . {SERVICE} }}",
    "long strings with quotes inside": f"SELECT * WHERE {{ ?s ?p '''a''b'c''' . ?s ?p \"\"\"x\"\"y\"\"\" . {SERVICE} }}",
}


@pytest.mark.parametrize("query", BYPASSES.values(), ids=BYPASSES.keys())
def test_service_is_found(query):
    assert sparqltext.read(query).service


# Text that SPARQL processors read differently is refused, whichever way the engine would read it.
AMBIGUOUS = {
    "lone CR ends a comment only for the spec": f"SELECT * WHERE {{ ?s ?p ?o # note\r{SERVICE} }}",
    "lone CR then a long string": f"SELECT * WHERE {{ #\r\"\"\"\n{SERVICE}\n#\"\"\" }}",
    "escaped quote decoded before parsing": f"SELECT * WHERE {{ ?s ?p '\\u0027' . {SERVICE} # ''' }}",
    "escaped newline in a comment": f"SELECT * WHERE {{ ?s ?p ?o # \\u000A{SERVICE} }}",
    # '"' is not among the characters a prefixed name may escape: the text is not SPARQL at all
    "PN_LOCAL escape \\\"": f'PREFIX ex: <http://e/> SELECT * WHERE {{ ex:a\\" ?p ?o . {SERVICE} ex:b\\" ?p ?o }}',
}


@pytest.mark.parametrize("query", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_ambiguous_text_is_refused(query):
    with pytest.raises(SparqlTextError, match=r"^SPARQL syntax error at line \d+, column \d+: "):
        sparqltext.read(query)


def variants():
    """Bounded: every mix of what comes before, how SERVICE is spelled and where it is nested."""
    before = ["", "# c\n", "# c\r\n", "#\n#\n", "?s ?p 'q#' .", '?s ?p "#\\"" .', "?s ?p '''\n#\n''' .",
              "ex:a\\#b ?p ?o .", "ex:a\\'b ?p ?o .", "ex:a\\(b\\)\\;c ?p ?o .", "ex:a%23b ?p <http://e/#x> .",
              "FILTER(?a<?b)", "FILTER(?a <= ?b && ?b>?c)"]
    spellings = ["SERVICE", "service", "Service", "\\u0053ERVICE", "SERVIC\\u0045", "\\U00000053ervice"]
    nests = ["{}", "{{ {} }}", "OPTIONAL {{ {} }}", "{{ ?s ?p ?o }} UNION {{ {} }}", "FILTER EXISTS {{ {} }}",
             "FILTER(NOT EXISTS {{ {} }})", "{{ SELECT * WHERE {{ {} }} }}", "MINUS {{ {} }}", "GRAPH ?g {{ {} }}",
             "BIND(1 AS ?x) OPTIONAL {{ OPTIONAL {{ {} }} }}"]
    for pre, spell, nest in itertools.product(before, spellings, nests):
        inner = f"{pre}\n{spell} <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }}"
        yield pre, spell, f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ {nest.format(inner)} }}"


def test_generated_variants_are_all_found():
    count = checked = 0
    for pre, spell, query in variants():
        assert sparqltext.read(query).service, query
        count += 1
        if "\\u" not in spell and "\\U" not in spell:
            # The same text with GRAPH for SERVICE parses in the engine: each variant is a query it
            # would run, so SERVICE there would be executed.
            harmless = query.replace(spell, "GRAPH")
            assert not sparqltext.read(harmless).service and engine(harmless, False) != "syntax", harmless
            checked += 1
    assert count == 13 * 6 * 10 and checked == 13 * 3 * 10


def test_keywords_only_as_keywords():
    text = ('PREFIX insert: <http://e/> PREFIX service: <http://e/s#> SELECT ?SERVICE WHERE { insert:x service: ?SERVICE . '
            '?s <http://e/SERVICE> "SERVICE INSERT DROP" # SERVICE LOAD\n FILTER(?SERVICE != "LOAD") }')
    reading = sparqltext.read(text)
    assert not reading.service and not reading.update and reading.form == "SELECT" and not reading.dataset
    assert sparqltext.read("SELECT * FROM NAMED <http://e/g> { ?s ?p ?o }").dataset
    assert sparqltext.read("INSERT DATA { <http://e/a> <http://e/b> 1 }").update


def test_errors_say_what_and_where():
    cases = {
        "SELECT * WHERE {\n  ?s ?p ?o .\n  ?s ?p \"open }": "line 3, column 9: unterminated string",
        "ASK { ?s ?p '''open }": "line 1, column 13: unterminated string: no closing '''",
        "ASK { ?s ?p 'a\\qb' }": "line 1, column 15: invalid escape '\\\\q'",
        "ASK { ?s ?p ?o ) }": "line 1, column 16: ')' does not close the '{' at line 1, column 5",
        "ASK { ?s ?p ?o ": "line 1, column 5: this '{' is never closed",
        "ASK { ?s ?p ?o } \\": "line 1, column 18: a backslash is allowed only",
        "ASK { ?s ?p ?o }\u00a0": "line 1, column 17: no SPARQL token starts with '\\xa0'",
        "ASK {\r\n ?s ?p \\uD800 }": "line 2, column 8: \\uD800 is not a character",
    }
    for text, message in cases.items():
        with pytest.raises(SparqlTextError) as err:
            tokenize(text)
        assert message in str(err.value) and str(err.value).startswith("SPARQL syntax error at "), (text, str(err.value))


def test_nesting_is_capped():
    ok = "SELECT * WHERE " + "{ " * MAX_DEPTH + "?s ?p ?o " + "} " * MAX_DEPTH
    assert sparqltext.read(ok).depth == MAX_DEPTH
    with pytest.raises(SparqlTextError, match=f"nested more than {MAX_DEPTH} deep"):
        sparqltext.read("SELECT * WHERE " + "{ " * 5000 + "} " * 5000)


def test_with_values_on_tokens():
    bound = {"o": '"two"'}
    assert sparqltext.with_values('SELECT ?s WHERE { ?s <http://e/p> "{ ?o" } # { ?o', bound) == (
        'SELECT ?s WHERE { VALUES (?o) { ("two") } ?s <http://e/p> "{ ?o" } # { ?o')
    assert sparqltext.with_values("CONSTRUCT { ?s <c> ?o } WHERE { ?s <p> ?o }", bound).count("VALUES") == 1
    nested = sparqltext.with_values("SELECT * { { SELECT (COUNT(*) AS ?n) WHERE { ?s <p> ?o } } { SELECT * { ?s <\\u0070> ?o } } }", bound)
    # the block goes in the top WHERE and in the subquery that projects ?o (by *), not the one projecting ?n
    assert nested == ("SELECT * { VALUES (?o) { (\"two\") } { SELECT (COUNT(*) AS ?n) WHERE { ?s <p> ?o } } "
                      "{ SELECT * { VALUES (?o) { (\"two\") } ?s <\\u0070> ?o } } }")
    with pytest.raises(ValueError, match="no WHERE clause"):
        sparqltext.with_values("DESCRIBE <http://e/a>", bound)


# -- Time ------------------------------------------------------------------------------------------

CHUNK = ('  ?s ex:p\\#q "a \\"string\\" here"@en ; <http://example.org/x?y=1#z> ?o . # a comment\r\n'
         "  FILTER(?o < 3.5e2 && ?x >= -12 || REGEX(STR(?s), '''long\nstring''', \"i\")) OPTIONAL { ?s a ex:T }\n")


def sized(size: int) -> str:
    return "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n" + CHUNK * (size // len(CHUNK)) + "}"


def cpu(text: str) -> float:
    best = float("inf")
    for _ in range(5):  # the best of five: the machine is shared
        start = time.process_time()
        tokenize(text)
        best = min(best, time.process_time() - start)
    return best


def test_time_is_linear():
    small, large = cpu(sized(64 * 1024)), cpu(sized(1024 * 1024))
    print(f"\ntokenize: 64 KB {small * 1000:.1f} ms, 1 MB {large * 1000:.1f} ms, ratio {large / small:.1f} (16 is linear)")
    # 16 is linear and 256 quadratic: 4 times linear leaves room for a shared machine and still catches the quadratic
    assert large < 1.5 and large / small < 64


ADVERSARIAL = {
    "many unclosed quotes": '"\n' * 300_000,
    "quotes and backslashes (2 s at 32 KB for the old regex scan)": "ASK { " + '"\\' * 500_000 + " }",
    "a run of <": "ASK { FILTER(" + "<" * 1_000_000 + ") }",
    "a run of \\": "\\" * 1_000_000,
    "a 1 MB comment": "#" + "x" * 1_000_000 + "\nASK {}",
    "5000 deep": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "unclosed IRIs": "ASK { " + "<a" * 300_000 + " }",
    "an unclosed long string of quotes": "ASK { ?s ?p '''" + "''a" * 300_000 + " }",
    "a long number": "ASK { ?s ?p " + "1" * 1_000_000 + " }",
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_shapes_are_fast(text):
    start = time.process_time()
    try:
        tokenize(text)
    except SparqlTextError as err:
        assert str(err).startswith("SPARQL syntax error at line ")
    assert time.process_time() - start < 3


# -- /sparql -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    root = tmp_path_factory.mktemp("sparqltext-store")
    builder = StoreBuilder(root)
    builder.store.load([ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))], "http://e/g")
    builder.commit()
    with serving(root, workers=1) as base:
        yield base + "/sparql"


def post(endpoint, query):
    return requests.post(endpoint, data=query.encode("utf-8"), timeout=30,
                         headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})


def test_endpoint_refuses_every_bypass(endpoint):
    for name, query in {**BYPASSES, **AMBIGUOUS}.items():
        r = post(endpoint, query)
        assert r.status_code == 400, (name, r.status_code, r.text[:200])
        assert "SERVICE is not allowed" in r.text or "SPARQL syntax error at line" in r.text, (name, r.text[:200])


def test_endpoint_gives_tokenizer_errors_as_400(endpoint):
    for name, text in {"unterminated": "SELECT * WHERE {\n ?s ?p 'x }", "deep": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
                       "run of <": "ASK { FILTER(" + "<" * 200_000 + ") }", "comment": "#" + "x" * 900_000 + "\rASK {}",
                       "run of \\": "ASK {" + "\\" * 900_000 + "}", "unclosed quotes": "ASK { " + "'" * 900_000 + " }"}.items():
        start = time.monotonic()
        r = post(endpoint, text)
        # the tokenizer's error, or (for tokens in an order no grammar rule takes) the engine's
        assert r.status_code == 400 and "SPARQL syntax error" in r.text, (name, r.status_code, r.text[:200])
        assert time.monotonic() - start < 10, name
    r = post(endpoint, "SELECT * WHERE {\n ?s ?p 'x }")
    assert "line 2, column 8: unterminated string" in r.text


def test_endpoint_still_answers(endpoint):
    r = post(endpoint, "PREFIX ex: <http://e/> SELECT ?o WHERE { ?s ex:p ?o FILTER(?o<\"y\") } # SERVICE in a comment")
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["o"]["value"] == "x"
    r = post(endpoint, "SELECT ?o FROM <http://e/none> WHERE { ?s ?p ?o }")  # its own dataset: the union is not used
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []


def test_substitute_writes_the_term_where_the_variable_stands_and_nowhere_else():
    text = ('SELECT ?x WHERE { ?_p_iri ?q "?_p_iri" . <urn:?_p_iri> ?r ?_p_iris . # ?_p_iri\n'
            '  { SELECT ?y WHERE { ?y ?z ?_p_iri } } BIND($_p_iri AS ?w) }')
    out = sparqltext.substitute(text, {"_p_iri": "<urn:v>"})
    assert out == ('SELECT ?x WHERE { <urn:v> ?q "?_p_iri" . <urn:?_p_iri> ?r ?_p_iris . # ?_p_iri\n'
                   '  { SELECT ?y WHERE { ?y ?z <urn:v> } } BIND($_p_iri AS ?w) }')
    assert sparqltext.substitute(text, {}) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
       st.sampled_from([None, "en", "cy"]))
def test_a_bound_literal_is_written_as_sparql_reads_it(value, language):
    """A parameter's value goes into the query text with SPARQL's own escapes: the endpoint's
    reader accepts it (no \\u escape of a control character) and the store reads back the same term."""
    from cspkg.answers.sparqltext import read, term_text

    term = ox.Literal(value, language=language) if language else ox.Literal(value)
    text = f"SELECT ?x WHERE {{ BIND({term_text(term)} AS ?x) }}"
    read(text)  # raises on what the endpoint refuses
    assert next(iter(ox.Store().query(text)))["x"] == term
