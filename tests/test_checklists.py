"""Guard against a shallow encoding: every item of each plan's checklist, made from the source
text, is in the graph with every column it fills."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from cspkg import namespaces as ns
from conftest import PLANS

CSP = Namespace(ns.CSP)
CHECKLISTS = Path(__file__).parent / "checklists"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

STATED = {  # checklist column -> property holding the words as printed
    "lead": CSP.leadAsStated, "partners": CSP.partnersAsStated, "timing": CSP.timingAsStated,
    "local_priorities": CSP.localPrioritiesAsStated, "pcp_priorities": CSP.pcpPrioritiesAsStated,
    "legal_duty": CSP.legalDutyAsStated, "strategy": CSP.strategyLinkAsStated,
}
LINKED = {  # checklist column -> (link from the action, text properties of the linked node)
    "funding": (CSP.hasFunding, [CSP.fundingAsStated]),
    "outcome": (CSP.hasOutcome, [RDFS.label, DCTERMS.description]),
    "measure": (CSP.hasMeasure, [RDFS.label, DCTERMS.description]),
    "target": (CSP.hasTarget, [RDFS.label, DCTERMS.description]),
    "update": (CSP.hasUpdate, [DCTERMS.description, RDFS.label]),
}


def norm(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", str(text)))
    return " ".join(text.split()).casefold()


def load(name: str) -> dict:
    return yaml.safe_load((CHECKLISTS / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graphs(store):
    """Each plan's asserted and inferred triples, as rdflib graphs."""
    out = {}
    for key in PLANS:
        g = Graph()
        for graph in (ns.plan_graph(key), ns.inferred_graph(key)):
            g.parse(data=store.dump(ox.RdfFormat.N_TRIPLES, graph), format="nt")
        out[key] = g
    return out


def nodes(g: Graph, action: URIRef) -> list[URIRef]:
    """The action and its parts: a row's columns may be filled per activity."""
    return [action, *g.objects(action, CSP.hasPart)]


def texts(g: Graph, action: URIRef, column: str) -> list[str]:
    if column in STATED:
        return [norm(v) for n in nodes(g, action) for v in g.objects(n, STATED[column])]
    link, props = LINKED[column]
    linked = {o for n in nodes(g, action) for o in g.objects(n, link)}
    return [norm(v) for o in linked for p in props for v in g.objects(o, p)]


def column_ok(g: Graph, action: URIRef, column: str, expected) -> bool:
    if column == "amount":
        funding = {o for n in nodes(g, action) for o in g.objects(n, CSP.hasFunding)}
        return Decimal(str(expected)) in {Decimal(str(v)) for f in funding for v in g.objects(f, CSP.amount)}
    if column == "pcp":
        cited = {str(p).rsplit("/", 1)[1] for p in g.objects(action, CSP.addressesPriority) if "/essex-pcp-" in str(p)}
        return set(expected) <= cited
    return any(norm(expected) in t for t in texts(g, action, column))


def test_every_plan_has_a_checklist():
    assert sorted(p.stem for p in CHECKLISTS.glob("*.yaml")) == sorted(PLANS)


@pytest.mark.parametrize("key", PLANS)
def test_checklist_is_made_from_the_source(key):
    """Each quote is the plan's own words: it appears in the source text."""
    checklist = load(key)
    seed = SEEDS / checklist["seed"]
    if not seed.exists():
        pytest.skip(f"{seed} not available")
    source = norm(seed.read_text(encoding="utf-8"))
    for item in checklist["priorities"] + checklist["actions"]:
        assert norm(item["quote"]) in source, item


@pytest.mark.parametrize("key", PLANS)
def test_priorities_and_action_counts(key, graphs):
    checklist, g = load(key), graphs[key]
    plan = URIRef(ns.plan_iri(key))
    assert len(set(g.objects(plan, CSP.hasAction))) == len(checklist["actions"])
    local = {p for p in g.objects(plan, CSP.hasPriority)}
    assert len(local) == len(checklist["priorities"])
    labels = [norm(l) for p in local for l in g.objects(p, SKOS.prefLabel)]
    for item in checklist["priorities"]:
        assert any(norm(item["quote"]) in l or l in norm(item["quote"]) for l in labels), item


@pytest.mark.parametrize("key", PLANS)
def test_every_checklist_item_is_in_the_graph_with_its_columns(key, graphs):
    checklist, g = load(key), graphs[key]
    plan = URIRef(ns.plan_iri(key))
    actions = set(g.objects(plan, CSP.hasAction))
    problems = []
    for item in checklist["actions"]:
        quote = norm(item["quote"])
        candidates = [a for a in actions if any(quote in norm(v) for p in (RDFS.label, DCTERMS.description) for v in g.objects(a, p))]
        if not candidates:
            problems.append(f"{item['key']} (line {item.get('line')}): no action contains {item['quote']!r}")
            continue
        columns = item.get("columns") or {}
        if not any(all(column_ok(g, a, c, v) for c, v in columns.items()) for a in candidates):
            best = candidates[0]
            missing = [c for c, v in columns.items() if not column_ok(g, best, c, v)]
            problems.append(f"{item['key']} (line {item.get('line')}): columns not in the graph: {missing}")
    assert not problems, "\n".join(problems)
