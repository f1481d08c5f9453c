"""The ontology: parses, documents every term of ours, and stays OWL 2 RL-friendly."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from cspkg.namespaces import CSP
from cspkg.sources import ONTOLOGY_DIR

OWL_TERMS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.TransitiveProperty}


def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "cspkg.ttl")


def our_terms(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CSP)) and s != URIRef(str(CSP))}


def test_every_term_has_label_definition_and_is_defined_by():
    g = ontology()
    missing = [
        (str(t), p.n3(g.namespace_manager))
        for t in our_terms(g)
        for p in (RDFS.label, SKOS.definition, RDFS.isDefinedBy)
        if (t, p, None) not in g
    ]
    assert not missing


def test_no_owl_imports_and_no_blank_node_properties():
    g = ontology()
    assert (None, OWL.imports, None) not in g
    # a property chain stated on a blank node would make the reasoner mint blank-node predicates
    assert all(isinstance(s, URIRef) for s in g.subjects(OWL.propertyChainAxiom, None))


def test_the_axioms_the_reasoner_needs_are_there():
    g = ontology()
    assert (CSP.hasAction, OWL.inverseOf, CSP.actionOf) in g
    assert (CSP.DistrictCouncil, RDFS.subClassOf, CSP.ResponsibleAuthority) in g
    eli = Namespace("http://data.europa.eu/eli/ontology#")
    assert (eli.is_part_of, RDF.type, OWL.TransitiveProperty) in g
    chain = g.value(CSP.contributesToDuty, OWL.propertyChainAxiom)
    assert [CSP.addressesPriority, CSP.relatesToDuty] == list(g.items(chain))
