"""The build's SPARQL rules give the same entailments as owlrl, the reference OWL 2 RL reasoner,
and the inferences the product relies on are there."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF

from cspkg.pipeline import lawrules
from cspkg.pipeline.build import group
from cspkg.pipeline.reasoning import infer
from cspkg.sources import DEFAULT_DATA, discover
from cspkg.pipeline.validation import to_rdflib
from conftest import select

OURS = ("https://w3id.org/cspkg/id/", "http://www.legislation.gov.uk/id/")


def value(term):
    """Literals compared by value: Oxigraph writes 360.00 as 360."""
    if isinstance(term, Literal):
        return ("literal", term.datatype, term.language, term.value if term.value is not None else str(term))
    return term


def entailments(graph) -> set:
    """Triples about our things and legislation; owl:sameAs reflexivity and owl:Thing typing left
    aside (the rules do not state `?x a owl:Thing`: rules.py)."""
    return {
        (s, p, value(o))
        for s, p, o in graph
        if isinstance(s, URIRef) and str(s).startswith(OURS) and p != OWL.sameAs and not (p == RDF.type and o == OWL.Thing)
    }


@pytest.mark.slow
def test_rules_match_owlrl_on_the_seed_data():
    reference, plans = group(discover(DEFAULT_DATA))
    asserted = reference.asserted.union(*(p.asserted for p in plans))
    ref_inferred = infer(set(), reference.asserted)
    ours = set(asserted) | ref_inferred
    for plan in plans:
        ours |= infer(reference.asserted | ref_inferred, plan.asserted)

    # The reference: owlrl's OWL 2 RL closure, then the rules beside OWL (lawrules.py, as plain SPARQL
    # Update run by rdflib), repeated until neither adds anything: their least common fixpoint.
    expected = to_rdflib(asserted)
    for _ in range(10):
        size = len(expected)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expected)
        for text in lawrules.plain_rules().values():
            expected.update(text)
        if len(expected) == size:
            break
    else:
        raise AssertionError("owlrl and the rules beside OWL did not reach a fixpoint in 10 rounds")
    got = to_rdflib(ours)
    missing, extra = entailments(expected) - entailments(got), entailments(got) - entailments(expected)
    assert not missing, sorted(missing)[:10]
    assert not extra, sorted(extra)[:10]
    # owlrl types every individual owl:Thing; the rules type none (and so lose nothing else, above)
    assert (URIRef(SV_ACTION), RDF.type, OWL.Thing) in expected
    assert not [t for t in got if t[1] == RDF.type and t[2] == OWL.Thing]


SV_ACTION = "https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-3"


def test_thurrock_serious_violence_action_contributes_to_the_duty(store):
    rows = select(store, f"""
        SELECT ?label ?duty WHERE {{
          <{SV_ACTION}> rdfs:label ?label ; csp:contributesToDuty ?duty .
        }}""")
    assert any("Implementation of Serious Violence Duty including Strategy development" in r["label"] for r in rows)
    assert "https://w3id.org/cspkg/id/duty/serious-violence-duty" in {r["duty"] for r in rows}


def test_thurrock_serious_violence_action_traces_to_the_act(store):
    rows = select(store, f"SELECT ?leg WHERE {{ <{SV_ACTION}> csp:tracesToLegislation ?leg }}")
    legislation = {r["leg"] for r in rows}
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32" in legislation
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32/section/8" in legislation


def test_the_trace_is_inferred_not_asserted(store):
    rows = select(store, f"""
        SELECT ?g WHERE {{ GRAPH ?g {{ <{SV_ACTION}> csp:tracesToLegislation <http://www.legislation.gov.uk/id/ukpga/2022/32> }} }}""")
    assert {r["g"] for r in rows} == {"https://w3id.org/cspkg/graph/inferred/thurrock-2023-24"}


def test_section_bullets_inherit_the_duty_through_their_priority(store):
    rows = select(store, """
        SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?a csp:actionOf <https://w3id.org/cspkg/id/plan/thurrock-2023-24> ; csp:presentation "bullet" ;
             csp:contributesToDuty <https://w3id.org/cspkg/id/duty/serious-violence-duty> .
        }""")
    assert int(rows[0]["n"]) >= 10  # the ten bullets of section 3.3


def test_agency_type_hierarchy_places_councils_among_responsible_authorities(store):
    assert bool(store.query("""ASK { <https://w3id.org/cspkg/id/agency/braintree-dc>
        a <https://w3id.org/cspkg/def/ResponsibleAuthority>, <http://www.w3.org/ns/org#Organization> }"""))


def test_parts_lift_their_lead_to_the_action(store):
    rows = select(store, """
        SELECT ?a WHERE { ?a csp:hasPart ?p . ?p csp:leadAgency ?l .
          FILTER NOT EXISTS { ?a csp:leadAgency ?l } }""")
    assert rows == []
