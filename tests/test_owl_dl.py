"""An OWL 2 DL reasoner, HermiT as owlready2 ships it, over the ontology, the reference data and
every plan with its editorial graph, all merged into one graph: consistent, no unsatisfiable class.

The build reasons with OWL 2 RL rules, which never report a contradiction; this is the check that
the axioms and the data, read with full OWL 2 DL semantics, contradict nothing.

Dates are handed over openly changed. xsd:date, xsd:gYearMonth and xsd:gYear are not in the OWL 2
datatype map and HermiT refuses them. The data keeps them (SPARQL compares them, SHACL checks them);
here, and only here, each such literal is given to HermiT as an xsd:string with the same lexical
form, and a range of one of them (csp:startDate rdfs:range xsd:date) becomes a datatype defined as
the strings of that shape. So HermiT still checks that every value of a date property is written as
a date; like the OWL 2 RL rules, it does no date arithmetic.
"""

from __future__ import annotations

import shutil

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cspkg.namespaces import CSP

from test_ontology import merged, ontology

DL = Namespace("urn:x-cspkg-dl-check:")  # the stand-in datatypes: only in the graph handed to HermiT
ZONE = "(Z|[+-][0-9]{2}:[0-9]{2})?"
NOT_IN_DATATYPE_MAP = {  # datatype -> the lexical forms it allows, as an xsd:pattern
    XSD.date: "-?[0-9]{4,}-[0-9]{2}-[0-9]{2}" + ZONE,
    XSD.gYearMonth: "-?[0-9]{4,}-[0-9]{2}" + ZONE,
    XSD.gYear: "-?[0-9]{4,}" + ZONE,
}


@pytest.fixture(scope="module", autouse=True)
def java():
    if shutil.which(owlready2.JAVA_EXE) is None:
        pytest.fail("HermiT needs Java: install default-jre-headless (scripts/install-test-deps does)")


def dl_ready(graph: Graph) -> Graph:
    """The graph with the datatypes HermiT does not know written as described at the top."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NOT_IN_DATATYPE_MAP:
            o = Literal(str(o), datatype=XSD.string)
        elif p == RDFS.range and o in NOT_IN_DATATYPE_MAP:
            o = DL[str(o).rsplit("#", 1)[1]]
        out.add((s, p, o))
    for datatype, pattern in NOT_IN_DATATYPE_MAP.items():
        stand_in, restriction, facet, facets = DL[str(datatype).rsplit("#", 1)[1]], BNode(), BNode(), BNode()
        out.add((stand_in, RDF.type, RDFS.Datatype))
        out.add((stand_in, OWL.equivalentClass, restriction))
        out.add((restriction, RDF.type, RDFS.Datatype))
        out.add((restriction, OWL.onDatatype, XSD.string))
        out.add((restriction, OWL.withRestrictions, facets))
        Collection(out, facets, [facet])
        out.add((facet, XSD.pattern, Literal(pattern)))
    return out


def reason(graph: Graph, tmp_path) -> tuple[bool, list[str]]:
    """(consistent, the unsatisfiable classes) as HermiT finds them; owlready2 reads N-Triples."""
    path = tmp_path / "merged.nt"
    dl_ready(graph).serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    try:
        owlready2.sync_reasoner_hermit(world, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


@pytest.mark.slow
def test_ontology_and_all_data_are_consistent_with_no_unsatisfiable_class(tmp_path):
    graph = merged()
    assert (URIRef(str(CSP)), RDF.type, OWL.Ontology) in graph and len(graph) > 5000
    consistent, unsatisfiable = reason(graph, tmp_path)
    assert consistent, "HermiT finds the ontology with the reference data and the plans inconsistent"
    assert unsatisfiable == []


# --- the check can fail: a contradiction in the data, and an unsatisfiable class, are found -------

def test_a_start_date_not_written_as_a_date_is_found_inconsistent(tmp_path):
    graph = ontology()
    plan = URIRef("https://w3id.org/cspkg/id/plan/example-2025-26")
    graph.add((plan, RDF.type, CSP.PartnershipPlan))
    graph.add((plan, CSP.startDate, Literal("2025-04-01", datatype=XSD.date)))
    assert reason(graph, tmp_path) == (True, [])
    graph.add((plan, CSP.startDate, Literal("Q1 2025/26", datatype=XSD.date)))  # ill-typed, as a bad import would write it
    assert reason(graph, tmp_path)[0] is False


def test_a_class_under_two_disjoint_classes_is_reported_unsatisfiable(tmp_path):
    graph = ontology()
    ex = Namespace("https://example.org/")
    graph.add((CSP.Action, OWL.disjointWith, CSP.Plan))
    graph.add((ex.PlanStep, RDF.type, OWL.Class))
    graph.add((ex.PlanStep, RDFS.subClassOf, CSP.Action))
    graph.add((ex.PlanStep, RDFS.subClassOf, CSP.Plan))
    assert reason(graph, tmp_path) == (True, [str(ex.PlanStep)])
