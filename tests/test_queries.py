"""The canned-query catalogue: every query has a golden answer, a complete header, and a README row."""

from __future__ import annotations

import dataclasses
import re

import pyoxigraph as ox
import pytest

from cspkg.answers import sparqltext
from cspkg.answers import choices
from cspkg.answers.catalogue import ID, QUERIES_DIR, bind, catalogue, prepared
from cspkg.errors import BadInput
from cspkg.answers.results import render
from cspkg.sources import REPO

GOLDEN = REPO / "tests" / "golden"
README = QUERIES_DIR / "README.md"
QUERIES = catalogue()


@pytest.fixture(params=["embedded", "remote"])
def store(request):
    """Every test here runs on the embedded store and on a real Oxigraph server, for the same answers."""
    return request.getfixturevalue("store" if request.param == "embedded" else "remote_store")


def ask(store):
    """What `bind` uses to check that an IRI names a thing of the expected class."""
    return lambda sparql, terms: bool(store.query(sparql, substitutions={ox.Variable(k): v for k, v in terms.items()}))


def run(store, query, values=None, fmt="csv") -> str:
    """The query's result as rendered: what `cspkg query NAME --format csv` prints, less the newline
    `print` adds (the W3C CSV already ends each row with CRLF)."""
    return render(store.query(prepared(query, bind(query, values or {}, ask(store)))), fmt)


def test_every_query_has_a_golden_file_and_every_golden_file_a_query():
    goldens = {p.stem for p in GOLDEN.glob("*.csv")}
    assert set(QUERIES) == goldens


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_matches_its_golden_file(store, name):
    expected = (GOLDEN / f"{name}.csv").read_bytes().decode("utf-8")
    assert run(store, QUERIES[name]) == expected


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_is_complete(name):
    query = QUERIES[name]
    for key in ("summary", "description", "tags"):
        assert query.meta.get(key), f"{name}: header has no {key}"
    assert "\n" not in query.summary.strip(), f"{name}: summary must be one line"
    assert isinstance(query.meta["tags"], list)
    for param in query.params:
        if param.required:
            assert param.name in query.defaults, f"{name}: required parameter '{param.name}' has no default"
    for listed in query.enumerate:
        assert listed in {p.name for p in query.params}, f"{name}: enumerates unknown parameter '{listed}'"
    for param in query.params:
        default = next((d[param.name] for d in query.meta.get("defaults") or [] if param.name in d), None)
        if param.kind and default is not None:  # grlc writes a default as it is: a short key would be a relative IRI
            assert str(default).startswith(ID + param.kind[0]), f"{name}: default of '{param.name}' is not a full IRI"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_enumerated_choices_are_the_ones_cspkg_offers(store, name):
    """grlc offers what the header lists; cspkg every IRI of the parameter's kind in the data: the same."""
    query = QUERIES[name]
    assert query.enumerate == choices.lists(query, store), (
        f"{name}: the enumerate lists differ from the data; run `python -m cspkg.answers.choices` after a build")


def test_a_theme_is_chosen_from_the_themes_alone(store):
    """The theme scheme's concepts are typed csp:Theme, so a question asking for a theme offers the
    34 themes, not every SKOS concept in the graph (statuses, areas, plans' priorities), and refuses
    a concept that is not a theme."""
    query = QUERIES["theme-across-partnerships"]
    offered = choices.lists(query, store)["theme"]
    assert len(offered) == 34 and all(iri.startswith(ID + "theme/") for iri in offered)
    scheme = {r["t"].value for r in store.query(
        "SELECT ?t WHERE { ?t <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/cspkg/id/theme/scheme> }")}
    assert set(offered) == scheme

    def ask(sparql, substitutions):
        return store.query(sparql, substitutions={ox.Variable(k): v for k, v in substitutions.items()})

    assert bind(query, {"theme": "knife-crime"}, ask)  # a short key, as before
    with pytest.raises(BadInput, match="is not a theme in the data"):
        bind(query, {"theme": ID + "county/essex"}, ask)


SAMPLES = {"iri": ox.NamedNode("https://example.org/x"), "string": ox.Literal('a "quoted" word'),
           "integer": ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_parameters_stand_where_a_term_can_and_results_are_ordered(name):
    """A parameter's value is written where its variable stands (by cspkg, and by grlc): the query
    must still be SPARQL then, so a parameter variable is never projected, grouped on bare, or bound
    to; and the outer query has an ORDER BY."""
    query = QUERIES[name]
    bound = {p.var: SAMPLES.get(p.type, SAMPLES["string"]) for p in query.params}
    text = prepared(query, bound)
    assert not {p.var for p in query.params} & set(sparqltext.variables(text, sigil="?")), name
    ox.Store().query(text)  # parses (and runs on nothing), or raises SyntaxError naming the place
    tokens = sparqltext.read(query.text).tokens.tokens
    words = [t.value for t in tokens if t.depth == 0 and t.kind in ("WORD", "PUNCT")]  # the outer query's words
    assert any(words[i:i + 2] == ["ORDER", "BY"] for i in range(len(words))), f"{name}: no outer ORDER BY"


def readme_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    text = README.read_text(encoding="utf-8")
    catalogue_section = text.split("\n## Catalogue\n", 1)[1]
    for line in catalogue_section.splitlines():
        match = re.fullmatch(r"\| `([^`]+)` \| (.+?) \| (.+?) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_readme_table_lists_the_catalogue():
    expected = {
        name: (q.summary, ", ".join(p.name + ("" if p.required else " (optional)") for p in q.params) or "none")
        for name, q in QUERIES.items()
    }
    assert readme_rows() == expected


def test_missing_required_parameter_is_refused(store):
    query = QUERIES["actions-for-duty"]
    without_defaults = dataclasses.replace(query, meta={k: v for k, v in query.meta.items() if k != "defaults"})
    with pytest.raises(BadInput, match="'duty'"):
        bind(without_defaults, {}, ask(store))


def test_malformed_value_is_refused(store):
    with pytest.raises(BadInput, match="'duty'"):
        bind(QUERIES["actions-for-duty"], {"duty": "not a duty!"}, ask(store))


def test_iri_of_the_wrong_class_is_refused(store):
    with pytest.raises(BadInput, match="'duty'.*not a legal duty"):
        bind(QUERIES["actions-for-duty"], {"duty": "https://w3id.org/cspkg/id/plan/thurrock-2023-24"}, ask(store))


def test_unknown_parameter_is_refused(store):
    with pytest.raises(BadInput, match="'colour'"):
        bind(QUERIES["plan-summary"], {"colour": "red"}, ask(store))


@pytest.mark.parametrize("name,param,key", [
    ("actions-for-duty", "duty", "prevent-duty"),
    ("trace-action", "action", "castle-point-rochford-2017-18/r03"),
    ("plan-summary", "plan", "tendring-2021-22"),
])
def test_short_key_and_full_iri_give_the_same_answer(store, name, param, key):
    kind = {"duty": "duty/", "action": "action/", "plan": "plan/"}[param]
    short = run(store, QUERIES[name], {param: key})
    full = run(store, QUERIES[name], {param: "https://w3id.org/cspkg/id/" + kind + key})
    assert short == full
    assert len(short.splitlines()) > 1


def test_optional_plan_filters_funding(store):
    """Tendring's OPFCC 2021/22 stream adds up to the seven amounts printed in its plan."""
    everything = run(store, QUERIES["funding-by-source"])
    tendring = run(store, QUERIES["funding-by-source"], {"plan": "tendring-2021-22"})
    braintree = run(store, QUERIES["funding-by-source"], {"plan": "braintree-2022-23"})
    opfcc = [l for l in tendring.splitlines() if "funding-stream/opfcc-2021-22" in l]
    assert len(opfcc) == 1 and ",7,7,29026,yes," in opfcc[0]
    assert "thurrock" not in tendring and "thurrock" in everything
    assert [l for l in braintree.splitlines() if l] == [braintree.splitlines()[0]]  # Braintree states no funding


def test_plan_score_one_plan_or_every_plan(store):
    """plan-score without a plan scores every plan; given one, that plan's row alone, the same numbers.
    Thurrock: every action has a lead and funding stated, 9 an outcome, 5 timing, 2 all four."""
    import csv
    import io

    every = list(csv.DictReader(io.StringIO(run(store, QUERIES["plan-score"]))))
    one = list(csv.DictReader(io.StringIO(run(store, QUERIES["plan-score"], {"plan": "thurrock-2023-24"}))))
    assert len(every) == 5 and len(one) == 1 and one[0] in every
    assert [one[0][k] for k in ("actions", "withLead", "withOutcome", "withTiming", "withFunding", "withAll")] == \
        ["74", "74", "9", "5", "74", "2"]


def test_funding_kind_in_words(store):
    """plan-actions gives each action's funding kind in words; Tendring's Crucial Crew (r02) has "Approx £3,500"."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run(store, QUERIES["plan-actions"], {"plan": "tendring-2021-22"}))))
    assert {r["fundingKind"] for r in rows} == {"amount stated", "source named, no amount", "in kind", "none required", "not stated"}
    crew = next(r for r in rows if r["action"].endswith("/r02"))
    assert (crew["fundingKind"], crew["amount"], crew["fundingAsStated"]) == ("amount stated", "3500", "Approx £3,500 OPFCC Funding 2021 / 2022")
    assert all((r["fundingKind"] == "amount stated") == bool(r["amount"]) for r in rows)


def test_trace_reaches_the_act(store):
    out = run(store, QUERIES["trace-action"])
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32," in out
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32/section/8," in out


def test_search_ignores_case(store):
    upper = [l for l in run(store, QUERIES["search-actions"], {"text": "KNIFE"}).splitlines()[1:] if l]
    lower = [l for l in run(store, QUERIES["search-actions"]).splitlines()[1:] if l]
    assert upper and [l.split(",", 1)[1] for l in upper] == [l.split(",", 1)[1] for l in lower]
