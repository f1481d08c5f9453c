"""Every shape has a valid case (the complete fixture) and an invalid case that fails on that shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from cspkg.pipeline.reasoning import infer
from cspkg.sources import ONTOLOGY_DIR, Source, parse, shape_files
from cspkg.pipeline.validation import load_shapes, to_rdflib

SH = Namespace("http://www.w3.org/ns/shacl#")
CSPSH = "https://w3id.org/cspkg/def/shapes/"
FIXTURE = Path(__file__).parent / "fixtures" / "complete-plan.ttl"
PREFIXES = """
PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX ex: <https://w3id.org/cspkg/id/test/>
PREFIX dct: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
S8 = "<http://www.legislation.gov.uk/id/ukpga/2022/32/section/8>"

# One way to break the fixture per shape: a SPARQL Update on the asserted fixture.
BREAKS = {
    "PlanTitle": "DELETE WHERE { ex:plan dct:title ?t }",
    "PlanPartnership": "DELETE WHERE { ex:plan csp:partnership ?p }",
    "PlanPeriod": "DELETE WHERE { ex:plan csp:periodAsStated ?p }",
    "PlanDates": "INSERT DATA { ex:plan csp:startDate '2024-05-01'^^xsd:date }",
    "PlanEndDate": "DELETE WHERE { ex:plan csp:endDate ?d } ; INSERT DATA { ex:plan csp:endDate 'March 2025' }",
    "PlanPriorities": "DELETE WHERE { ex:plan csp:hasPriority ?p } ; DELETE WHERE { ?p csp:priorityOf ex:plan }",
    "DeliveryPlanActionsShape": "DELETE WHERE { ex:plan csp:hasAction ?a } ; DELETE WHERE { ?a csp:actionOf ex:plan }",
    # what the jurisdiction rule (pipeline/lawrules.py) infers for a duty of England only in a Welsh plan
    "DutyInJurisdiction": "INSERT DATA { ex:a1 csp:dutyOutsideJurisdiction <https://w3id.org/cspkg/id/duty/safe-accommodation-duty> }",
    "PlanKind": "INSERT DATA { ex:plan csp:planKind csp:approach }",
    "PlanRegardToPCP": "DELETE WHERE { ex:plan csp:hasRegardTo ?p }",
    "PlanSource": "DELETE WHERE { ex:plan prov:wasDerivedFrom ?d }",
    "SourceDocumentTitle": "DELETE WHERE { ex:doc dct:title ?t }",
    "SourceDocumentSeedFile": "DELETE WHERE { ex:doc csp:seedFile ?f }",
    "PriorityLabel": "DELETE WHERE { ex:p1 skos:prefLabel ?l }",
    "PriorityPlan": "DELETE WHERE { ex:plan csp:hasPriority ?p } ; DELETE WHERE { ?p csp:priorityOf ex:plan }",
    "PriorityActions": "DELETE DATA { ex:a1 csp:addressesPriority ex:p1 }",
    "PrioritySource": "DELETE WHERE { ex:p1 prov:wasDerivedFrom ?d }",
    "PCPPriorityPrefLabel": "DELETE WHERE { ex:pcp1 skos:prefLabel ?l }",
    "PCPPriorityInScheme": "DELETE WHERE { ex:pcp1 skos:inScheme ?s }",
    "ObjectiveLabel": "DELETE WHERE { ex:o1 rdfs:label ?l }",
    "NumberingSequenceIndicator": "DELETE WHERE { ex:num1 csp:sequenceIndicator ?n }",
    "NumberingNumberedPriority": "DELETE WHERE { ex:num1 csp:numberedPriority ?p }",
    "ActionLabel": "DELETE WHERE { ex:a1 rdfs:label ?l }",
    "ActionText": "DELETE WHERE { ex:a1 dct:description ?d }",
    "ActionPlan": "DELETE WHERE { ex:plan csp:hasAction ?a } ; DELETE WHERE { ?a csp:actionOf ex:plan }",
    "ActionLead": "DELETE WHERE { ex:a1 csp:leadAgency ?l }",
    "ActionPriority": "DELETE WHERE { ex:a1 csp:addressesPriority ?p }",
    "ActionSource": "DELETE WHERE { ex:a1 prov:wasDerivedFrom ?d }",
    "ActionLine": "DELETE WHERE { ex:a1 csp:sourceLine ?l } ; INSERT DATA { ex:a1 csp:sourceLine 'twelve' }",
    "ActionDue": "DELETE WHERE { ex:a1 csp:due ?d } ; INSERT DATA { ex:a1 csp:due 'June 24' }",
    "ActionTiming": "DELETE WHERE { ex:a1 csp:timingAsStated ?t }",
    "ActionFunding": "DELETE WHERE { ex:a1 csp:hasFunding ?f } ; DELETE WHERE { ?f csp:funds ex:a1 }",
    "ActionResults": "DELETE WHERE { ex:a1 csp:hasOutcome ?o }",
    "ActionApproach": "INSERT DATA { ex:a1 csp:followsApproach ex:some-approach }",
    "ApproachLabel": "DELETE WHERE { ex:approach1 skos:prefLabel ?l }",
    "ApproachScheme": "DELETE WHERE { ex:approach1 skos:inScheme ?s }",
    "ActionPartLabel": "DELETE WHERE { ex:a1-1 rdfs:label ?l }",
    "ActionPartPartOf": "DELETE WHERE { ex:a1-1 csp:partOf ?a } ; DELETE WHERE { ?a csp:hasPart ex:a1-1 }",
    "ResultLabel": "DELETE WHERE { ex:out1 rdfs:label ?l }",
    "ResultOwner": "DELETE WHERE { ex:p1 csp:hasMeasure ?m }",
    "ResultTargetValue": "DELETE WHERE { ex:t1 csp:targetValue ?v } ; INSERT DATA { ex:t1 csp:targetValue 'a thousand' }",
    "ProgressUpdateDescription": "DELETE WHERE { ex:u1 dct:description ?d }",
    "ReturnPlan": "DELETE WHERE { ex:return1 csp:returnOf ?p }",
    "ReturnPeriod": "INSERT DATA { ex:return1 csp:reportingPeriod 'Q2 2024/25' }",
    "ReturnPeriodEnd": "DELETE WHERE { ex:return1 csp:endDate ?d } ; INSERT DATA { ex:return1 csp:endDate 'end of June' }",
    "ReturnAsOf": "DELETE WHERE { ex:return1 csp:asAt ?d }",
    "ReturnReporter": "DELETE WHERE { ex:return1 prov:wasAttributedTo ?a } ; INSERT DATA { ex:return1 prov:wasAttributedTo ex:jane-smith }",
    "ReturnReceived": "DELETE WHERE { ex:return1 prov:generatedAtTime ?t } ; INSERT DATA { ex:return1 prov:generatedAtTime 'July' }",
    "ReturnUpdates": "DELETE WHERE { ex:return1 csp:includesUpdate ?u } ; DELETE WHERE { ?u csp:partOfReturn ex:return1 }",
    "ReturnUpdateStatus": "DELETE WHERE { ex:ru1 csp:status ?s } ; INSERT DATA { ex:ru1 csp:status csp:statutoryDuty }",
    "ReturnUpdatePercent": "DELETE WHERE { ex:ru1 csp:percentComplete ?p } ; INSERT DATA { ex:ru1 csp:percentComplete 140.0 }",
    "ReturnUpdateSpent": "DELETE WHERE { ex:ru1 csp:spentToDate ?s } ; INSERT DATA { ex:ru1 csp:spentToDate '-250.0'^^xsd:decimal }",
    "ReturnUpdateReturn": "DELETE WHERE { ex:return1 csp:includesUpdate ?u } ; DELETE WHERE { ?u csp:partOfReturn ex:return1 }",
    "ReturnUpdateShape": "DELETE WHERE { ex:ru1 csp:updateOf ?a } ; INSERT DATA { ex:ru1 csp:updateOf ex:a-of-another-plan }",
    "DerivedReturnSource": "DELETE WHERE { ex:return0 prov:wasDerivedFrom ?p } ; INSERT DATA { ex:return0 prov:wasDerivedFrom ex:u1 }",
    "DerivedReturnCreator": "DELETE WHERE { ex:return0 dct:creator ?c } ; INSERT DATA { ex:return0 dct:creator 'the editors' }",
    "DerivedReturnCreated": "DELETE WHERE { ex:return0 dct:created ?d } ; INSERT DATA { ex:return0 dct:created 'December' }",
    "DerivedReturnNote": "DELETE WHERE { ex:return0 skos:editorialNote ?n }",
    "DerivedReturnUpdateSource": "DELETE WHERE { ex:ru0 prov:wasDerivedFrom ?u }",
    "ObservationValue": "DELETE WHERE { ex:obs1 csp:actualValue ?v } ; INSERT DATA { ex:obs1 csp:actualValue 'about 400' }",
    "ObservationUnit": "DELETE WHERE { ex:obs1 csp:unit ?u }",
    "ObservationMeasure": "DELETE WHERE { ex:obs1 csp:againstTarget ?t }",
    "ProgressUpdateUpdateOf": "DELETE WHERE { ex:a1 csp:hasUpdate ?u }",
    "ProgressUpdateReportingPeriod": "DELETE WHERE { ex:u1 csp:reportingPeriod ?p }",
    "FundingAsStated": "DELETE WHERE { ex:f1 csp:fundingAsStated ?s }",
    "FundingAmount": "DELETE WHERE { ex:f1 csp:amount ?a } ; INSERT DATA { ex:f1 csp:amount '£3,500' }",
    "FundingCost": "INSERT DATA { ex:f1 csp:totalCost 4100.00 }",
    "FundingFor": "DELETE WHERE { ex:a1 csp:hasFunding ex:f1 }",
    "FundingApprox": "DELETE WHERE { ex:f1 csp:isApproximate ?a } ; INSERT DATA { ex:f1 csp:isApproximate 'approx' }",
    "FundingStreamKind": "DELETE WHERE { ex:f1 csp:fundingStream ?s } ; INSERT DATA { ex:f1 csp:fundingStream ex:unknown-grant }",
    "FundingKind": "INSERT DATA { ex:f1 a csp:InKindFunding }",
    "MonetaryFundingShape": "DELETE WHERE { ex:f1 csp:amount ?a } ; DELETE WHERE { ex:f1 csp:fundingStream ?s }",
    "AllocationAmount": "DELETE WHERE { ex:alloc1 csp:amount ?a }",
    "AllocationRecipient": "DELETE WHERE { ex:alloc1 csp:allocatedTo ?r }",
    "AllocationPeriod": "DELETE WHERE { ex:alloc1 csp:fundingPeriodAsStated ?p }",
    "GrantProject": "DELETE WHERE { ex:grant1 csp:projectAsStated ?p }",
    "GrantMatchFunding": "DELETE WHERE { ex:grant1 csp:matchFunding ?m } ; INSERT DATA { ex:grant1 csp:matchFunding 'half' }",
    "GrantMatchFunder": "INSERT DATA { ex:grant1 csp:matchFunder ex:unregistered-trust }",
    "NoFundingRequiredAmount": "INSERT DATA { ex:f2 csp:amount 10.00 }",
    "FundingStreamPrefLabel": "DELETE WHERE { ex:grant skos:prefLabel ?l }",
    "DutyLabel": "DELETE WHERE { ex:duty skos:prefLabel ?l }",
    "DutyRequires": "DELETE WHERE { ex:duty csp:requires ?r }",
    "DutyStatus": "DELETE WHERE { ex:duty csp:legalStatus ?s }",
    "DutyHolder": "DELETE WHERE { ex:duty csp:heldBy ?h }",
    "DutyHolderText": "DELETE WHERE { ex:duty csp:holderDescription ?h }",
    "DutyProvisionIRI": "INSERT DATA { ex:duty csp:imposedBy <https://example.org/some-act> . <https://example.org/some-act> a eli:LegalResource }",
    "StatutoryDutyShape": "DELETE WHERE { ex:duty csp:imposedBy ?p }",
    "GuidanceShape": "DELETE WHERE { ex:guidance csp:guidanceDocument ?d }",
    "LegalProvisionPartOf": f"DELETE WHERE {{ {S8} eli:is_part_of ?a }}",
    "LegalProvisionLabel": f"DELETE WHERE {{ {S8} rdfs:label ?l }}",
    "OrganisationPrefLabel": "DELETE WHERE { ex:council skos:prefLabel ?l }",
    "UnitUnitOf": "DELETE WHERE { ex:team org:unitOf ?o }",
    "PostPrefLabel": "DELETE WHERE { ex:manager skos:prefLabel ?l }",
    "PostPostIn": "DELETE WHERE { ex:manager org:postIn ?o }",
    "DutyLinkShape": "INSERT DATA { ex:a1 csp:contributesToDuty <https://w3id.org/cspkg/id/duty/serious-violence-dutyy> }",
    "LegislationLinkShape": "INSERT DATA { ex:duty csp:imposedBy <http://www.legislation.gov.uk/id/ukpga/2099/1/section/1> }",
    "AgencyLinkShape": "INSERT DATA { ex:a1 csp:leadAgency ex:unregistered-team }",
    "StrategyLinkShape": "INSERT DATA { ex:p1 csp:citesStrategy ex:unknown-strategy }",
    "FundingSourceShape": "DELETE WHERE { ex:f1 csp:fundingStream ?s }",
    "FulfilsQuoteShape": "DELETE WHERE { ex:fulfils ?p ?o }",
    # a made-up date, after the fixture plan's period (2024/25): the provision was not yet in force
    "InForceShape": f"INSERT DATA {{ {S8} csp:inForceFrom '2025-06-01'^^xsd:date }}",
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(shape_files())


@pytest.fixture(scope="module")
def ontology() -> set:
    return {t for p in sorted(ONTOLOGY_DIR.glob("*.ttl")) for t in parse(Source(p, "ontology"))}


def report(fixture: Graph, ontology: set, shapes: Graph) -> Graph:
    """Reason over the fixture as the build does, then validate it."""
    import pyoxigraph as ox

    own = set(ox.parse(fixture.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES))
    data = to_rdflib(ontology | own | infer(ontology, own))
    return validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)[1]


def failing_shapes(results: Graph) -> set[str]:
    return {str(results.value(r, SH.sourceShape)).removeprefix(CSPSH) for r in results.subjects(RDF.type, SH.ValidationResult)}


def checked_shapes(shapes: Graph) -> set[str]:
    """The shapes that carry a constraint an officer would see: property shapes of targeted node
    shapes, and targeted node shapes with a constraint of their own (sh:or, sh:sparql)."""
    targeted = {s for s in shapes.subjects(SH.targetClass, None)}
    names = {str(p) for s in targeted for p in shapes.objects(s, SH.property)}
    names |= {str(s) for s in targeted if (s, SH["or"], None) in shapes or (s, SH.sparql, None) in shapes}
    return {n.removeprefix(CSPSH) for n in names}


def test_shapes_conform_to_shacl_shacl(shapes):
    conforms, _, text = validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_shapes_have_iris_and_messages(shapes):
    from rdflib import BNode

    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    shape_nodes |= set(shapes.objects(None, SH.property))
    assert not [s for s in shape_nodes if isinstance(s, BNode)], "every shape must have an IRI"
    constraints = set(shapes.objects(None, SH.property)) | {s for s in shape_nodes if (s, SH["or"], None) in shapes}
    assert not [s for s in constraints if (s, SH.message, None) not in shapes], "every constraint needs sh:message"


def test_every_shape_has_a_breaking_case(shapes):
    assert checked_shapes(shapes) - set(BREAKS) == set(), "shapes without an invalid case in BREAKS"
    assert set(BREAKS) - checked_shapes(shapes) == set(), "BREAKS names shapes that do not exist"


def test_complete_fixture_passes_every_shape(shapes, ontology):
    results = report(Graph().parse(FIXTURE), ontology, shapes)
    assert failing_shapes(results) == set()


@pytest.mark.parametrize("shape", sorted(BREAKS))
def test_breaking_fixture_fails_on_that_shape(shape, shapes, ontology):
    fixture = Graph().parse(FIXTURE)
    fixture.update(PREFIXES + BREAKS[shape])
    assert shape in failing_shapes(report(fixture, ontology, shapes))


@pytest.mark.parametrize("shape, update", [
    ("PlanDates", "DELETE WHERE { ex:plan csp:startDate ?d }"),
    ("PlanEndDate", "DELETE WHERE { ex:plan csp:endDate ?d }"),
    ("PlanPeriod", "DELETE WHERE { ex:plan csp:periodAsStated ?p }"),
])
def test_a_plan_without_its_period_is_a_violation(shape, update, shapes, ontology):
    """A plan's period and its dates are required: without them it does not conform."""
    fixture = Graph().parse(FIXTURE)
    fixture.update(PREFIXES + update)
    results = report(fixture, ontology, shapes)
    found = [r for r in results.subjects(RDF.type, SH.ValidationResult)
             if str(results.value(r, SH.sourceShape)) == CSPSH + shape]
    assert found and all(results.value(r, SH.resultSeverity) == SH.Violation for r in found)
    assert "2024/25" in str(results.value(found[0], SH.resultMessage))


def severities(results: Graph, shape: str) -> set[str]:
    return {str(results.value(r, SH.resultSeverity)).removeprefix(str(SH))
            for r in results.subjects(RDF.type, SH.ValidationResult)
            if str(results.value(r, SH.sourceShape)) == CSPSH + shape}


# A plan with no actions: the fixture's actions, their parts and everything hanging off them go.
NO_ACTIONS = """
DELETE { ?x ?p ?o . ?s ?q ?x } WHERE {
  { ?x a csp:Action } UNION { ?x a csp:ActionPart } UNION { ?x a csp:Funding } UNION { ?x a csp:MonetaryFunding }
  UNION { ?x a csp:NoFundingRequired } UNION { ?x a csp:ProgressUpdate } UNION { ?x a csp:ReturnUpdate } UNION { ?x a csp:MeasureObservation }
  { ?x ?p ?o } UNION { ?s ?q ?x } }"""


@pytest.mark.parametrize("kind", ["partnershipStrategy", "dutyStrategy"])
def test_strategy_without_actions_conforms(kind, shapes, ontology):
    """A multi-year strategy or a duty strategy sets priorities and lists no actions: that is complete."""
    fixture = Graph().parse(FIXTURE)
    fixture.update(PREFIXES + NO_ACTIONS + f" ; INSERT DATA {{ ex:plan csp:planKind csp:{kind} }}")
    results = report(fixture, ontology, shapes)
    violations = {results.value(r, SH.resultMessage) for r in results.subjects(SH.resultSeverity, SH.Violation)}
    assert violations == set()
    assert "DeliveryPlanActionsShape" not in failing_shapes(results)


def test_delivery_plan_without_actions_is_a_warning(shapes, ontology):
    fixture = Graph().parse(FIXTURE)
    fixture.update(PREFIXES + NO_ACTIONS + " ; INSERT DATA { ex:plan csp:planKind csp:deliveryPlan }")
    results = report(fixture, ontology, shapes)
    assert severities(results, "DeliveryPlanActionsShape") == {"Warning"}
    assert (None, SH.resultSeverity, SH.Violation) not in results


@pytest.mark.parametrize("due, ok", [('"2026"^^xsd:gYear', True), ('"2026-03"^^xsd:gYearMonth', True),
                                     ('"2026-03-31"^^xsd:date', True), ('"by March"', False)])
def test_an_action_is_due_on_a_date_a_month_or_a_year(due, ok, shapes, ontology):
    """The workbook's Due column reads a bare year as an xsd:gYear; the shape accepts what it reads."""
    fixture = Graph().parse(FIXTURE)
    action = next(fixture.subjects(RDF.type, URIRef("https://w3id.org/cspkg/def/Action")))
    fixture.update(PREFIXES + f"DELETE WHERE {{ <{action}> csp:due ?d }} ; INSERT DATA {{ <{action}> csp:due {due} }}")
    assert ("ActionDue" in failing_shapes(report(fixture, ontology, shapes))) is not ok


def results_of(results: Graph, shape: str) -> list[tuple[str, str, str]]:
    """(severity, focus node, message) of each result of one shape."""
    return sorted((str(results.value(r, SH.resultSeverity)).removeprefix(str(SH)), str(results.value(r, SH.focusNode)),
                   str(results.value(r, SH.resultMessage)))
                  for r in results.subjects(RDF.type, SH.ValidationResult) if str(results.value(r, SH.sourceShape)) == CSPSH + shape)


def broken(update: str, ontology, shapes) -> Graph:
    fixture = Graph().parse(FIXTURE)
    fixture.update(PREFIXES + update)
    return report(fixture, ontology, shapes)


EX = "https://w3id.org/cspkg/id/test/"


@pytest.mark.parametrize("link", ["contributesToDuty", "relatesToDuty", "fulfilsDuty", "supportsDuty", "mentionsDuty"])
def test_a_misspelt_duty_is_a_violation_naming_the_identifier(link, shapes, ontology):
    subject = "ex:plan" if link in ("fulfilsDuty", "supportsDuty", "mentionsDuty") else "ex:p1"
    results = broken(f"INSERT DATA {{ {subject} csp:{link} <https://w3id.org/cspkg/id/duty/serious-violence-dutyy> }}", ontology, shapes)
    found = results_of(results, "DutyLinkShape")
    # reported once, where it is stated: the priority's actions inherit the link but are not listed
    assert [(severity, focus) for severity, focus, _ in found] == [("Violation", EX + subject.removeprefix("ex:"))]
    assert "https://w3id.org/cspkg/id/duty/serious-violence-dutyy" in found[0][2] and "duties.ttl" in found[0][2]


@pytest.mark.parametrize("update, shape", [
    ("INSERT DATA { ex:plan csp:citesLegislation <http://www.legislation.gov.uk/id/ukpga/2022/32/section/99> }", "LegislationLinkShape"),
    ("INSERT DATA { ex:csp csp:memberAgency ex:no-such-council }", "AgencyLinkShape"),
    ("INSERT DATA { ex:a1-1 csp:supportingAgency ex:no-such-charity }", "AgencyLinkShape"),
    ("INSERT DATA { ex:a1 csp:citesStrategy ex:no-such-strategy }", "StrategyLinkShape"),
])
def test_links_to_nothing_in_the_registers_are_violations(update, shape, shapes, ontology):
    found = results_of(broken(update, ontology, shapes), shape)
    assert len(found) == 1 and found[0][0] == "Violation"
    assert update.split()[-2].removeprefix("ex:").strip("<>") in found[0][2]


def test_funding_with_an_amount_and_no_source_is_a_warning(shapes, ontology):
    found = results_of(broken("DELETE WHERE { ex:f1 csp:fundingStream ?s }", ontology, shapes), "FundingSourceShape")
    assert found == [("Warning", EX + "f1", found[0][2])] and "funder" in found[0][2]
    # no amount, no source: nothing to trace, and no warning
    assert results_of(broken("DELETE WHERE { ex:f1 csp:fundingStream ?s } ; DELETE WHERE { ex:f1 csp:amount ?a } ; "
                             "INSERT DATA { ex:f1 csp:funder ex:pcc }", ontology, shapes), "FundingSourceShape") == []


def test_a_duty_the_plan_fulfils_needs_the_plans_words(shapes, ontology):
    found = results_of(broken("DELETE WHERE { ex:fulfils csp:quote ?q ; csp:sourceLine ?n }", ontology, shapes), "FulfilsQuoteShape")
    assert found == [("Warning", EX + "plan", found[0][2])] and '"Serious Violence Duty"' in found[0][2]
    # the source line alone is enough
    assert results_of(broken("DELETE WHERE { ex:fulfils csp:quote ?q }", ontology, shapes), "FulfilsQuoteShape") == []
    # a reading of the editors' (in the editorial graph) carries their rationale instead of the plan's words
    assert results_of(broken("DELETE WHERE { ex:fulfils csp:quote ?q ; csp:sourceLine ?n } ; "
                             "INSERT DATA { ex:fulfils a csp:EditorialAssertion ; csp:rationale 'Line 15 names the s6 remit.' }",
                             ontology, shapes), "FulfilsQuoteShape") == []
    # a statement about another duty does not count for this one
    assert results_of(broken("DELETE WHERE { ex:fulfils rdf:object ?d } ; INSERT DATA { ex:fulfils rdf:object ex:guidance }",
                             ontology, shapes), "FulfilsQuoteShape")


@pytest.mark.parametrize("dates, expected", [
    ("csp:inForceFrom '2025-06-01'^^xsd:date", "came into force on 2025-06-01"),
    ("csp:inForceFrom '2020-01-01'^^xsd:date ; csp:inForceUntil '2024-03-31'^^xsd:date", "ceased to be in force after 2024-03-31"),
    ("csp:inForceFrom '2025-03-31'^^xsd:date", None),  # in force on the plan's last day
    ("csp:inForceFrom '2020-01-01'^^xsd:date ; csp:inForceUntil '2024-04-01'^^xsd:date", None),  # and on its first
])
def test_a_provision_not_in_force_in_the_plans_period_is_a_warning(dates, expected, shapes, ontology):
    """Made-up dates on the fixture's provision (section 8), against the fixture plan's period, 2024-04-01 to 2025-03-31."""
    found = results_of(broken(f"INSERT DATA {{ {S8} {dates} }}", ontology, shapes), "InForceShape")
    if expected is None:
        assert found == []
        return
    # the plan cites the section and fulfils the duty; the priority relates to the duty; the action inherits it (not listed)
    assert sorted((severity, focus) for severity, focus, _ in found) == [("Warning", EX + "p1"), ("Warning", EX + "plan"),
                                                                         ("Warning", EX + "plan")]
    assert all(expected in message and "PCSC Act 2022, section 8" in message and "2024-04-01 to 2025-03-31" in message
               for _, _, message in found)
    assert any("Serious Violence Duty" in message for _, _, message in found)


def test_a_plan_written_in_the_workbook_states_its_duties_itself(shapes, ontology):
    """No line numbers: the plan is its workbook, whose Plan sheet states the link; no quote is asked for."""
    assert results_of(broken("DELETE WHERE { ex:fulfils ?p ?o } ; DELETE WHERE { ex:plan csp:sourceLine ?n }", ontology, shapes),
                      "FulfilsQuoteShape") == []
