"""The per-plan roll-ups answer every national question they serve exactly as the plans do.

Each question served from the roll-ups (queries/<name>.rq) is asked beside its companion, the same
question asked of the plans themselves (queries/from-plans/<name>.rq), over the same built store:
on the seed data, on a synthetic corpus built by worker processes (chunks of plans rolled up
together), and after replacing one plan, which must roll up that plan and no other. Answers are
compared row by row, RDF term by RDF term, in order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cspkg import namespaces as ns
from cspkg.answers import catalogue
from cspkg.pipeline import build, rollups
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import replace_plan
from cspkg.sources import DEFAULT_DATA, REPO, Source, parse
from cspkg.store.embedded import EmbeddedStore
from cspkg.synth.generate import synthesise

from conftest import PLANS

SERVED = catalogue.catalogue()
QUESTIONS = sorted(rollups.companions())
RUP = rollups.ROLLUP


def companion(name: str) -> catalogue.CannedQuery:
    return catalogue.load(rollups.FROM_PLANS / f"{name}.rq")


def rows(store: EmbeddedStore, query: catalogue.CannedQuery, plan: str | None) -> list[tuple]:
    bound = {}
    for param in query.params:
        if param.name == "plan" and plan is not None:
            bound[param.var] = ox.NamedNode(ns.plan_iri(plan))
    solutions = store.query(catalogue.prepared(query, bound))
    names = [v.value for v in solutions.variables]
    return [tuple((n, str(s[n]) if s[n] is not None else None) for n in names) for s in solutions]


def asked(name: str, plans: list[str]) -> list[str | None]:
    """The plans to ask a question about: each in turn if it needs one, else all at once (and, for an
    optional plan, each in turn too)."""
    params = {p.name: p.required for p in SERVED[name].params}
    if "plan" not in params:
        return [None]
    return plans if params["plan"] else [None, *plans]


def assert_same(store: EmbeddedStore, plans: list[str]) -> int:
    compared = 0
    for name in QUESTIONS:
        for plan in asked(name, plans):
            want = rows(store, companion(name), plan)
            got = rows(store, SERVED[name], plan)
            assert got == want, f"{name} (plan {plan}): the roll-ups answer {len(got)} rows, the plans {len(want)}"
            compared += len(want)
    return compared


def plan_keys(store: EmbeddedStore) -> list[str]:
    prefix = ns.plan_graph("")
    return sorted(g[len(prefix):] for g in store.graph_names(lambda g: g.startswith(prefix)))


def test_every_served_question_has_its_companion_and_says_so():
    assert QUESTIONS, "no question is served from the roll-ups"
    for name in QUESTIONS:
        assert name in SERVED, f"queries/from-plans/{name}.rq has no canned question queries/{name}.rq"
        assert f"queries/from-plans/{name}.rq" in SERVED[name].text, f"queries/{name}.rq does not name its companion"
        assert "rup:question" in SERVED[name].text
        head = companion(name)
        assert head.summary == SERVED[name].summary, f"{name}: the companion asks a different question"
        assert "plan" in [v.lstrip("?") for v in head.text.split() if v.startswith("?")], f"{name}: rows must name their plan"


def test_seed_roll_ups_answer_as_the_plans(store):
    assert assert_same(store, PLANS) > 100


def test_roll_ups_are_their_own_graphs_in_their_own_vocabulary(store):
    graphs = store.graph_names(lambda g: g.startswith(ns.rollup_graph("")))
    assert sorted(graphs) == sorted(ns.rollup_graph(k) for k in PLANS)
    for graph in graphs:
        for t in store.triples(graph):
            assert t.predicate.value.startswith(RUP) or t.predicate.value.endswith("#type"), t
            assert t.predicate.value.startswith(RUP) or t.object.value == RUP + "Row", t
    # so a count over the plans in the union default graph is the same with or without them
    vocabulary = f"STRSTARTS(STR(?p), 'https://w3id.org/cspkg/def/') && !STRSTARTS(STR(?p), '{RUP}')"
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(" + vocabulary + ") }"
    apart = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(" + vocabulary
             + f" && !STRSTARTS(STR(?g), '{ns.rollup_graph('')}')) }} }}")
    count = [int(next(iter(store.query(q, union=u)))["n"].value) for q, u in ((union, True), (apart, False))]
    assert count[0] == count[1] > 1000


def test_the_ontology_describes_every_roll_up_property(store):
    declared = {t.subject.value for t in parse(Source(REPO / "ontology" / "rollups.ttl", "ontology"))}
    used = {t.predicate.value for g in store.graph_names(lambda g: g.startswith(ns.rollup_graph(""))) for t in store.triples(g)}
    used = {p for p in used if p.startswith(RUP)} | {RUP + "Row"}
    assert used <= declared, f"not in ontology/rollups.ttl: {sorted(used - declared)}"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic corpus big enough for the build's worker processes (PARALLEL_FROM plans or more)."""
    data = tmp_path_factory.mktemp("synthetic-data")
    count = synthesise(data, build.PARALLEL_FROM + 5, 1, seed=7, force=True)
    assert count >= build.PARALLEL_FROM
    root = tmp_path_factory.mktemp("synthetic-store")
    result = run(data, root)
    assert not result.violations
    return data, root


def test_synthetic_roll_ups_answer_as_the_plans(synthetic):
    _, root = synthetic
    store = EmbeddedStore.open(root)
    keys = plan_keys(store)
    assert len(keys) >= build.PARALLEL_FROM
    assert assert_same(store, keys[:3] + keys[-3:]) > 100
    # every question's national answer was compared above; every plan has its roll-up graph
    assert len(store.graph_names(lambda g: g.startswith(ns.rollup_graph("")))) == len(keys)


def test_a_replace_rolls_up_its_plan_and_no_other(built, tmp_path, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(built[1].path.parent, root, symlinks=True)
    before = EmbeddedStore.open(root)
    others = {k: before.triples(ns.rollup_graph(k)) for k in PLANS if k != "tendring-2021-22"}
    del before
    # Tendring without the lead of its first actions, and with a priority no action addresses
    plan = set(parse(Source(DEFAULT_DATA / "plans" / "tendring-2021-22.ttl", "plan")))
    lead = ox.NamedNode(str(ns.CSP["leadAgency"]))
    dropped = {t for t in plan if t.predicate == lead and t.subject.value.endswith(("/r01", "/r02"))}
    assert dropped
    priority = ox.NamedNode(ns.ID + "priority/tendring-2021-22/added")
    added = {ox.Triple(priority, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(str(ns.CSP["LocalPriority"]))),
             ox.Triple(priority, ox.NamedNode(str(ns.CSP["priorityOf"])), ox.NamedNode(ns.plan_iri("tendring-2021-22"))),
             ox.Triple(priority, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("A priority no action addresses", language="en"))}
    computed, compute = [], rollups.compute  # how many plans each roll-up computation covers
    monkeypatch.setattr(rollups, "compute", lambda store, keys: (computed.append(len(keys)), compute(store, keys))[1])
    done = replace_plan(root, "tendring-2021-22", (plan - dropped) | added)
    assert not done.violations, [f.message for f in done.violations]
    assert computed == [1], "a replace rolls up its one plan"
    after = EmbeddedStore.open(root)
    for key, triples in others.items():  # the other plans' roll-ups are untouched
        assert set(after.triples(ns.rollup_graph(key))) == set(triples), key
    assert assert_same(after, PLANS) > 100
    actions = {dict(row)["action"] for row in rows(after, SERVED["actions-without-lead"], None)}
    assert {f"<{ns.ID}action/tendring-2021-22/r01>", f"<{ns.ID}action/tendring-2021-22/r02>"} <= actions
    labels = {dict(row)["priorityLabel"] for row in rows(after, SERVED["priorities-without-actions"], None)}
    assert '"A priority no action addresses"@en' in labels


SHORT = ("partnership", "partnershipLabel", "plan", "title", "period", "startDate")


def test_partnership_plans_lists_the_plans_as_plans_does(store, synthetic):
    """The pages page through partnership-plans and read each page's counts from plans: the two list the
    same plans in the same order, with the same names and dates, on the seed data and a synthetic corpus."""
    for where in (store, EmbeddedStore.open(synthetic[1])):
        short = rows(where, SERVED["partnership-plans"], None)
        full = [tuple(cell for cell in row if cell[0] in SHORT) for row in rows(where, SERVED["plans"], None)]
        assert short == full and len(short) >= 5


def test_a_row_holding_a_blank_node_holds_the_plan_s_own(monkeypatch, tmp_path):
    """A row whose value is a blank node of the plan holds the plan's own term, so in the built
    store (one load of the worker's N-Quads) the row names the plan's node."""
    from cspkg.pipeline.reasoning import infer

    sources = build.discover(DEFAULT_DATA)
    reference, plans = build.group(sources, parse_plans=False)
    plan = next(p for p in plans if p.name == "tendring-2021-22")
    note = ox.BlankNode()
    extra = [ox.Triple(ox.NamedNode(ns.plan_iri(plan.name)), ox.NamedNode("urn:test:note"), note),
             ox.Triple(note, ox.NamedNode("urn:test:says"), ox.Literal("a note"))]
    graph = ns.plan_graph(plan.name)
    copy = tmp_path / plan.files[graph].path.name
    copy.write_text(plan.files[graph].path.read_text(encoding="utf-8") + "\n"
                    + ox.serialize(extra, format=ox.RdfFormat.N_TRIPLES).decode(), encoding="utf-8")
    files = {**plan.files, graph: Source(copy, "plan")}
    monkeypatch.setattr(rollups, "sources", lambda: {"test-note": "SELECT ?plan ?node WHERE { ?plan <urn:test:note> ?node }"})
    monkeypatch.setattr(rollups, "stored_columns", lambda name: None)
    build._init_worker(reference.asserted | infer(set(), reference.asserted))
    done = build._do_chunk([(plan.name, True, files)])
    assert not [f for f in done.findings if f.severity == "violation"]
    built = ox.Store()
    built.bulk_load(done.asserted + done.rollups, format=ox.RdfFormat.N_QUADS)  # as the build's store loads them
    says = ox.NamedNode("urn:test:says")
    values = [q.object for q in built.quads_for_pattern(None, ox.NamedNode(RUP + "node"), None, None)]
    assert len(values) == 1 and isinstance(values[0], ox.BlankNode)
    assert [q.object.value for q in built.quads_for_pattern(values[0], says, None, None)] == ["a note"]
