"""The legal reference data keeps its own rules: every provision a duty rests on says when it was in
force and how that was checked, no duty rests on an amending Act, every duty says where it applies,
limbs sit inside the duty they split, and the kinds of body named are defined."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from cspkg.namespaces import CSP
from cspkg.sources import DEFAULT_DATA, ONTOLOGY_DIR

ELI = Namespace("http://data.europa.eu/eli/ontology#")
REFERENCE = DEFAULT_DATA / "reference"


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for name in ("duties", "legislation", "jurisdictions"):
        g.parse(REFERENCE / f"{name}.ttl")
    g.parse(ONTOLOGY_DIR / "cspkg.ttl")
    return g


def duties(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, CSP.LegalDuty))


def cited_provisions(g: Graph) -> set[URIRef]:
    return {p for d in duties(g) for prop in (CSP.imposedBy, CSP.cooperationImposedBy) for p in g.objects(d, prop)}


def parts_of(g: Graph, provision: URIRef) -> set[URIRef]:
    """The provision and everything it is part of, following the direct links in the register."""
    seen, todo = set(), [provision]
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(g.objects(p, ELI.is_part_of))
    return seen


def test_every_cited_provision_says_how_it_was_checked(graph):
    statuses = set(graph.subjects(SKOS.inScheme, CSP.CheckStatusScheme))
    assert len(statuses) == 3
    for provision in cited_provisions(graph):
        assert graph.value(provision, CSP.checkStatus) in statuses, provision
        assert graph.value(provision, CSP.verificationNote) is not None, provision


def test_a_provision_without_a_date_is_not_marked_checked(graph):
    """"Checked on legislation.gov.uk" means a commencement was seen; with no date, nothing was."""
    undated = [p for p in cited_provisions(graph) if graph.value(p, CSP.inForceFrom) is None]
    for provision in undated:
        assert graph.value(provision, CSP.checkStatus) != CSP.checkedOnLegislation, provision


def test_in_force_dates_are_dates_and_in_order(graph):
    for provision, start in graph.subject_objects(CSP.inForceFrom):
        assert isinstance(start.toPython(), date), provision
        end = graph.value(provision, CSP.inForceUntil)
        assert end is None or end.toPython() >= start.toPython(), provision


def test_every_commencing_instrument_is_described(graph):
    for provision, source in graph.subject_objects(CSP.inForceSource):
        assert graph.value(source, RDFS.label) is not None, (provision, source)
        assert str(source).startswith("http://www.legislation.gov.uk/id/"), source


def test_no_duty_is_imposed_by_an_amending_provision(graph):
    amending = set(graph.subjects(ELI.amends, None))
    for duty in duties(graph):
        for prop in (CSP.imposedBy, CSP.cooperationImposedBy):
            assert not set(graph.objects(duty, prop)) & amending, duty


def test_amendments_are_recorded_both_ways(graph):
    for amending, amended in graph.subject_objects(ELI.amended_by):
        assert (amended, ELI.amends, amending) in graph, (amending, amended)


def test_every_duty_says_where_it_applies(graph):
    jurisdictions = set(graph.subjects(RDF.type, CSP.Jurisdiction))
    assert jurisdictions and all((j, SKOS.inScheme, None) in graph for j in jurisdictions)
    for duty in duties(graph):
        places = set(graph.objects(duty, CSP.appliesIn))
        assert places and places <= jurisdictions, duty


def test_a_limb_sits_inside_its_duty_and_came_no_earlier(graph):
    limbs = list(graph.subject_objects(CSP.limbOf))
    assert limbs
    for limb, umbrella in limbs:
        assert umbrella in duties(graph), limb
        wider = set(graph.objects(umbrella, CSP.imposedBy))
        for provision in graph.objects(limb, CSP.imposedBy):
            # the limb's provision is part of one the wider duty rests on
            assert parts_of(graph, provision) & wider, (limb, provision)
            started = graph.value(provision, CSP.inForceFrom)
            for p in wider:
                # the wider duty rests only on what was in force before any of its limbs
                since = graph.value(p, CSP.inForceFrom)
                assert since is None or started is None or since.toPython() <= started.toPython(), (umbrella, p)


def test_holders_and_cooperating_bodies_are_defined_classes_and_distinct(graph):
    for duty in duties(graph):
        held = set(graph.objects(duty, CSP.heldBy))
        cooperating = set(graph.objects(duty, CSP.cooperationBy))
        for kind in held | cooperating:
            assert (kind, RDF.type, OWL.Class) in graph, (duty, kind)
        assert not held & cooperating, duty
        # a co-operation duty says which provision imposes it
        assert not cooperating or graph.value(duty, CSP.cooperationImposedBy) is not None, duty
