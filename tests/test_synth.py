"""The synthetic corpus has what the real data now has: partnerships across the police areas of
England and Wales (a Welsh plan cites no duty of England only), strategies without actions and
strategies cited, plan-level allocations, parseable timings and progress returns that the build
loads as their own graphs; and it builds with no violation. Small corpora: the tests are fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from cspkg import namespaces as ns
from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA, Source, discover, parse
from cspkg.store.embedded import EmbeddedStore
from cspkg.synth.generate import synthesise

PARTNERSHIPS, YEARS = 14, 2
PREFIX = ("PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> ")
WALES = ns.ID + "jurisdiction/wales"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("synth") / "data"
    assert synthesise(data, partnerships=PARTNERSHIPS, years=YEARS, seed=3) == PARTNERSHIPS * YEARS
    return data


@pytest.fixture(scope="module")
def store(corpus, tmp_path_factory) -> EmbeddedStore:
    root = tmp_path_factory.mktemp("store")
    result = run(corpus, root)
    assert not result.violations, [f.message for f in result.violations]  # the built corpus validates
    assert not result.left_out
    return EmbeddedStore.open(root)


def values(store: EmbeddedStore, query: str) -> list[str]:
    return [row[0].value for row in store.query(PREFIX + query)]


def one(store: EmbeddedStore, query: str) -> int:
    (n,) = values(store, query)
    return int(n)


def test_same_seed_same_bytes_returns_included(corpus, tmp_path):
    again = tmp_path / "again"
    synthesise(again, partnerships=PARTNERSHIPS, years=YEARS, seed=3)
    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*.ttl"))
    assert any(f.parts[0] == "returns" for f in files)
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.ttl"))
    assert all((corpus / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_partnerships_spread_over_police_areas_with_their_bodies(store):
    areas = values(store, "SELECT DISTINCT ?a WHERE { ?p a csp:PartnershipPlan ; csp:partnership ?pt . ?pt csp:policeArea ?a }")
    registered = set(values(store, "SELECT ?l WHERE { ?a a csp:PoliceArea ; skos:prefLabel ?l }"))
    assert len(areas) == PARTNERSHIPS and set(areas) <= registered  # one area each, every one a real police area
    assert len(set(areas) - {"Essex"}) >= PARTNERSHIPS - 1
    # every partnership and every body it names says its police area and jurisdiction
    assert not values(store, """SELECT ?x WHERE { ?pt a csp:CommunitySafetyPartnership .
        { BIND(?pt AS ?x) } UNION { ?pt csp:policeForce|csp:fireService|csp:policingBody|csp:countyCouncil|csp:localCouncil ?x }
        FILTER NOT EXISTS { ?x csp:policeArea ?a ; csp:inJurisdiction ?j } }""")
    # a plan outside Essex names its own area's bodies, and has regard to its own area's Police and Crime Plan
    assert one(store, """SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?act csp:leadAgency|csp:supportingAgency ?b .
        ?b csp:policeArea ?a FILTER(?a != "Essex") }""") >= 5
    assert not values(store, """SELECT ?p WHERE { ?p csp:partnership ?pt ; csp:hasRegardTo ?pcp . ?pcp a csp:PoliceAndCrimePlan .
        ?pt csp:policeArea ?a . ?pcp csp:policeArea ?b FILTER(?a != ?b) }""")
    # the bodies hold the duties of their kind where they are (the holder rule reads their jurisdiction)
    assert one(store, """SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b csp:holdsDuty ?d ; csp:policeArea ?a FILTER(?a != "Essex") }""") >= 5


def test_welsh_plans_cite_no_duty_of_england_only(store):
    welsh = values(store, f"SELECT ?p WHERE {{ ?p a csp:PartnershipPlan ; csp:partnership ?pt . ?pt csp:inJurisdiction <{WALES}> }}")
    assert welsh
    assert one(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?p a csp:PartnershipPlan ; csp:partnership ?pt .
        ?pt csp:inJurisdiction <{WALES}> . ?x csp:actionOf|csp:priorityOf ?p .
        ?x csp:relatesToDuty|csp:contributesToDuty ?d }}""") + one(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?p a csp:PartnershipPlan ; csp:partnership ?pt ; csp:fulfilsDuty ?d . ?pt csp:inJurisdiction <{WALES}> }}""") > 0
    assert not values(store, f"""SELECT ?d WHERE {{ ?p a csp:PartnershipPlan ; csp:partnership ?pt . ?pt csp:inJurisdiction <{WALES}> .
        {{ ?p csp:fulfilsDuty ?d }} UNION {{ ?x csp:actionOf|csp:priorityOf ?p ; csp:relatesToDuty|csp:contributesToDuty ?d }}
        ?d csp:appliesIn ?j FILTER NOT EXISTS {{ ?d csp:appliesIn <{WALES}> }} }}""")
    assert not values(store, "SELECT ?x WHERE { ?x csp:dutyOutsideJurisdiction ?d }")


def test_strategies_without_actions_and_strategies_cited(store):
    strategies = values(store, "SELECT ?p WHERE { ?p csp:planKind csp:partnershipStrategy }")
    assert strategies
    assert not values(store, "SELECT ?p WHERE { ?p csp:planKind csp:partnershipStrategy ; csp:hasAction ?a }")
    assert not values(store, "SELECT ?p WHERE { ?p csp:planKind csp:partnershipStrategy FILTER NOT EXISTS { ?p csp:hasPriority ?x } }")
    # a delivery plan's priority with no action, as in the real plans
    assert values(store, """SELECT ?pr WHERE { ?pr csp:priorityOf ?p FILTER NOT EXISTS { ?p csp:planKind csp:partnershipStrategy }
        FILTER NOT EXISTS { ?a csp:addressesPriority ?pr } }""")
    cited = values(store, "SELECT DISTINCT ?s WHERE { ?x csp:citesStrategy ?s }")
    assert cited and set(cited) <= set(values(store, "SELECT ?s WHERE { ?s a csp:Strategy }"))


def test_plan_level_allocations(store):
    rows = list(store.query(PREFIX + """SELECT ?p ?amount ?to WHERE { ?p a csp:PartnershipPlan ; csp:hasFunding ?f .
        ?f a csp:Allocation ; csp:amount ?amount ; csp:allocatedTo ?to ; csp:fundingPeriodAsStated ?period . ?to skos:prefLabel ?l }"""))
    assert rows and all(float(r[1].value) > 0 for r in rows)


def test_returns_are_files_of_their_own_graphs_with_a_spread_of_statuses(corpus, store):
    files = sorted((corpus / "returns").glob("*/*.ttl"))
    assert files
    graphs = set(store.graphs())
    for path in files:
        plan, period = path.parent.name, path.stem
        assert (corpus / "plans" / f"{plan}.ttl").exists()
        assert ns.return_graph(plan, period) in graphs
        mine = {t.subject.value for t in parse(Source(path, "return"))}
        assert ns.return_iri(plan, period) in mine
    assert {s.kind for s in discover(corpus) if s.path in files} == {"return"}
    statuses = values(store, "SELECT DISTINCT ?s WHERE { ?u a csp:ReturnUpdate ; csp:status ?s }")
    assert len(statuses) >= 4
    assert one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?u a csp:ReturnUpdate ; csp:percentComplete ?x }") > 0
    assert one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?u a csp:ReturnUpdate ; <http://purl.org/dc/terms/description> ?x }") > 0


def test_timings_give_parsed_due_dates(store):
    due = one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a csp:timingAsStated ?t ; csp:dueDate ?d }")
    timed = one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a csp:timingAsStated ?t }")
    assert 0 < due < timed  # most are read, "Ongoing" is not
    quarters = values(store, 'SELECT ?t WHERE { ?a csp:timingAsStated ?t ; csp:dueDate ?d FILTER(STRSTARTS(?t, "Q")) }')
    assert quarters


def test_synthetic_names_are_not_the_real_partnerships(corpus):
    real = (DEFAULT_DATA / "reference" / "partnerships.ttl").read_text(encoding="utf-8")
    for path in (corpus / "plans").glob("*.ttl"):
        assert path.stem.rsplit("-", 2)[0] + "-csp" not in real
