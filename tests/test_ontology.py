"""The ontology: parses, documents every term of ours, and stays OWL 2 RL-friendly."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from cspkg.namespaces import CSP
from cspkg.pipeline.validation import to_rdflib
from cspkg.sources import DEFAULT_DATA, ONTOLOGY_DIR, discover, parse

OWL_TERMS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.TransitiveProperty}


def ontology() -> Graph:
    """Every ontology file (cspkg.ttl, and rollups.ttl for the roll-ups' own terms), as the build loads them."""
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path)
    return g


def merged() -> Graph:
    """The ontology, the reference data, every plan and its editorial graph, in one graph."""
    triples = set()
    for source in discover(DEFAULT_DATA):
        triples.update(parse(source))
    return to_rdflib(triples)


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


# --- OWL 2 DL typing: every term the axioms and the data use is declared, and never as two kinds ----

PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# RDF, RDFS and OWL's own vocabulary (rdfs:label, owl:versionInfo ...) needs no declaration; nor does
# RDF reification (rdf:subject, rdf:predicate, rdf:object on editorial assertions), to which OWL 2 DL
# gives no meaning, so a DL reasoner does not use it.
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def kinds(g: Graph) -> dict[URIRef, set[URIRef]]:
    out: dict[URIRef, set[URIRef]] = {}
    for kind in PROPERTY_KINDS:
        for p in g.subjects(RDF.type, kind):
            out.setdefault(p, set()).add(kind)
    return out


def test_every_property_is_declared_as_exactly_one_kind():
    declared = kinds(ontology())
    used = {p for p in merged().predicates() if not str(p).startswith(BUILT_IN)}
    undeclared = sorted(str(p) for p in used if p not in declared)
    assert not undeclared, undeclared
    twice = sorted(str(p) for p, k in declared.items() if len(k) > 1)
    assert not twice, twice


def test_object_properties_hold_things_and_datatype_properties_hold_literals():
    declared, g = kinds(ontology()), merged()
    wrong = sorted({(str(p), str(o)) for s, p, o in g
                    if (OWL.ObjectProperty in declared.get(p, ()) and isinstance(o, Literal))
                    or (OWL.DatatypeProperty in declared.get(p, ()) and not isinstance(o, Literal))})
    assert not wrong, wrong[:10]


def test_a_sub_property_is_of_the_kind_of_its_super_property():
    """OWL 2 DL: an annotation property's sub-properties (csp:verificationNote under
    skos:editorialNote) are annotation properties, and so on for the other two kinds."""
    g = ontology()
    declared = kinds(g)
    mixed = sorted((str(p), str(q)) for p, q in g.subject_objects(RDFS.subPropertyOf) if declared.get(p) != declared.get(q))
    assert not mixed, mixed


def test_inverses_chains_and_transitivity_are_on_object_properties():
    g = ontology()
    declared = kinds(g)
    props = set(g.subjects(RDF.type, OWL.TransitiveProperty))
    for p, q in g.subject_objects(OWL.inverseOf):
        props |= {p, q}
    for p, chain in g.subject_objects(OWL.propertyChainAxiom):
        props |= {p, *g.items(chain)}
    assert sorted(str(p) for p in props if declared.get(p) != {OWL.ObjectProperty}) == []


def test_every_class_is_declared():
    onto, g = ontology(), merged()
    datatypes = set(onto.subjects(RDF.type, RDFS.Datatype))
    used = set(g.objects(None, RDF.type)) | set(onto.objects(None, RDFS.subClassOf)) | set(onto.subjects(RDFS.subClassOf, None))
    used |= set(onto.objects(None, RDFS.domain))
    used |= {c for p, c in onto.subject_objects(RDFS.range) if (p, RDF.type, OWL.ObjectProperty) in onto}
    undeclared = sorted(str(c) for c in used
                        if isinstance(c, URIRef) and not str(c).startswith(BUILT_IN) and c not in datatypes
                        and (c, RDF.type, OWL.Class) not in onto)
    assert not undeclared, undeclared


def test_axioms_we_add_to_other_vocabularies_say_so():
    """rdfs:isDefinedBy csp: is for our own terms; an axiom of ours about another vocabulary's term is
    an owl:Axiom annotated dct:source csp:, and the axiom itself is stated."""
    g = ontology()
    claimed = sorted(str(s) for s in g.subjects(RDFS.isDefinedBy, CSP) if not str(s).startswith(str(CSP)))
    assert not claimed, claimed
    axioms = list(g.subjects(RDF.type, OWL.Axiom))
    assert axioms
    for a in axioms:
        stated = (g.value(a, OWL.annotatedSource), g.value(a, OWL.annotatedProperty), g.value(a, OWL.annotatedTarget))
        assert stated in g, stated
        assert not str(stated[0]).startswith(str(CSP)), stated
        assert (a, DCTERMS.source, URIRef(str(CSP))) in g and g.value(a, SKOS.scopeNote) is not None, stated
