"""The distributions the synthetic corpus draws from, read from the real plans with SPARQL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import sparql_prefixes


@dataclass
class Stats:
    priorities_per_plan: Counter
    actions_per_priority: Counter
    supporters_per_action: Counter
    outcomes_per_action: Counter
    updates_per_action: Counter
    funding_kinds: Counter
    leads: Counter
    supporters: Counter
    funders: Counter
    streams: Counter
    priority_duties: Counter
    plan_duties: Counter
    p_lead: float
    p_funding: float
    p_timing: float
    p_action_pcp: float
    p_priority_duty: float
    amounts: list[float]
    priority_labels: list[str]
    action_labels: list[str]
    outcome_labels: list[str]
    update_texts: list[str]
    themes: list[str]
    pcps: dict[int, str]  # first year covered -> Police and Crime Plan IRI
    pcp_priorities: dict[str, list[str]]
    agency_labels: dict[str, str]
    stream_labels: dict[str, str]
    duty_labels: dict[str, str]
    # areas and jurisdictions: where synthetic partnerships are, and where each duty applies
    police_areas: list[tuple[str, str, str]]  # (IRI, name, jurisdiction IRI), in the register's order
    duty_applies: dict[str, set[str]]  # duty IRI -> jurisdictions it applies in (empty: says nothing)
    agency_root: dict[str, str]  # agency, unit or post -> the organisation it belongs to (itself if none)
    agency_class: dict[str, str]  # organisation -> its class's local name (PoliceForce, DistrictCouncil, ...)
    local_agencies: set[str]  # organisations that say their police area (the others are national)
    area_bodies: dict[str, dict[str, str]]  # police area name -> role (policeForce, ...) -> the body the real partnerships name
    seed_places: list[str]  # the areas the real partnerships cover and their police area ("Tendring", "Essex")
    # strategies cited by plans and actions, plan kinds and plan-level money
    strategies: Counter
    strategy_labels: dict[str, str]
    strategy_partners: dict[str, str]  # strategy -> the body it belongs to (csp:partnership), where stated
    strategies_per_plan: Counter
    p_action_strategy: float
    p_plan_kind: float
    p_plan_funding: float
    pcp_info: dict[str, tuple[str, str, str, str]]  # PCP -> (title, period as stated, start, end)
    pcp_priority_info: dict[str, tuple[str, str, list[str]]]  # PCP priority -> (label, notation, themes)

    def pcp_for_year(self, year: int) -> str | None:
        starts = [y for y in sorted(self.pcps) if y <= year]
        return self.pcps[starts[-1]] if starts else None


def _rows(store: ox.Store, query: str) -> list[tuple]:
    return [tuple(None if t is None else t.value for t in row) for row in store.query(sparql_prefixes() + query, use_default_graph_as_union=True)]


def _counter(store: ox.Store, query: str) -> Counter:
    """A histogram of the single integer column a query returns per item."""
    return Counter(int(r[0]) for r in _rows(store, query))


def _share(store: ox.Store, cls: str, having: str) -> float:
    """The share of the things of class `cls` that match `having` (a pattern about ?s)."""
    (yes, total), = _rows(store, f"SELECT (COUNT(DISTINCT ?h) AS ?y) (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} . "
                                 f"OPTIONAL {{ {having} BIND(?s AS ?h) }} }}")
    return int(yes) / max(int(total), 1)


def read_stats(data_dir: Path) -> Stats:
    store = ox.Store()
    for folder in ("plans", "reference", "editorial"):
        for path in sorted((data_dir / folder).glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:{folder}:{path.stem}"))
    # Registered things only: a synthetic plan may point only at what the reference data name.
    agency_labels = dict(_rows(store, "SELECT ?a (SAMPLE(?l) AS ?n) WHERE { GRAPH <urn:reference:agencies> { ?a skos:prefLabel ?l } } GROUP BY ?a"))
    stream_labels = dict(_rows(store, "SELECT ?s (SAMPLE(?l) AS ?n) WHERE { GRAPH <urn:reference:funding-streams> { ?s a csp:FundingStream ; skos:prefLabel ?l } } GROUP BY ?s"))
    duty_labels = dict(_rows(store, "SELECT ?d (SAMPLE(?l) AS ?n) WHERE { ?d a csp:LegalDuty ; skos:prefLabel ?l } GROUP BY ?d"))

    def registered(query: str, names: dict) -> Counter:
        return Counter({k: v for k, v in Counter(r[0] for r in _rows(store, query)).items() if k in names})

    pcps = {}
    for iri, start in _rows(store, "SELECT ?p ?start WHERE { ?plan csp:hasRegardTo ?p . ?p a csp:PoliceAndCrimePlan . "
                                   "OPTIONAL { ?p csp:startDate ?start } } GROUP BY ?p ?start"):
        pcps[int(start[:4]) if start else int(iri.rsplit("-", 2)[-2])] = iri
    pcp_priorities = {p: sorted(r[0] for r in _rows(store, f"SELECT ?pr WHERE {{ <{p}> csp:priorityScheme ?s . ?pr a csp:PCPPriority ; skos:inScheme ?s }}"))
                      for p in pcps.values()}
    strategy_labels = dict(_rows(store, "SELECT ?s (SAMPLE(?l) AS ?n) WHERE { ?s a csp:Strategy ; skos:prefLabel ?l } GROUP BY ?s"))
    roots = {}
    for a, up in _rows(store, "SELECT ?a ?up WHERE { GRAPH <urn:reference:agencies> { ?a skos:prefLabel ?l "
                              "OPTIONAL { ?a org:unitOf|org:postIn ?up } } }"):
        roots.setdefault(a, up)

    def root(a: str) -> str:
        seen = set()
        while roots.get(a) and a not in seen:
            seen.add(a)
            a = roots[a]
        return a

    applies: dict[str, set[str]] = {d: set() for d in duty_labels}
    for d, j in _rows(store, "SELECT ?d ?j WHERE { ?d a csp:LegalDuty ; csp:appliesIn ?j }"):
        applies.setdefault(d, set()).add(j)
    pcp_info = {p: (t, per, st, en) for p, t, per, st, en in _rows(store, "SELECT ?p (SAMPLE(?t) AS ?title) (SAMPLE(?a) AS ?per) "
                "(SAMPLE(?s) AS ?st) (SAMPLE(?e) AS ?en) WHERE { ?p a csp:PoliceAndCrimePlan ; dct:title ?t ; csp:periodAsStated ?a ; "
                "csp:startDate ?s ; csp:endDate ?e } GROUP BY ?p")}
    pcp_priority_info = {}
    for pr, label, notation, themes in _rows(store, "SELECT ?pr (SAMPLE(?l) AS ?label) (SAMPLE(?n) AS ?no) "
                                         "(GROUP_CONCAT(DISTINCT STR(?t); separator=' ') AS ?th) WHERE { ?pr a csp:PCPPriority ; "
                                         "skos:prefLabel ?l . OPTIONAL { ?pr skos:notation ?n } OPTIONAL { ?pr csp:hasTheme ?t } } GROUP BY ?pr"):
        pcp_priority_info[pr] = (label, notation or "", sorted(themes.split()) if themes else [])
    area_bodies: dict[str, dict[str, str]] = {}
    for area, role, body in _rows(store, "SELECT ?a ?r ?b WHERE { GRAPH <urn:reference:partnerships> { ?p csp:policeArea ?a ; ?r ?b . "
                                         "VALUES ?r { csp:policeForce csp:fireService csp:policingBody csp:countyCouncil } } }"):
        area_bodies.setdefault(area, {})[role.rsplit("/", 1)[1]] = body
    return Stats(
        priorities_per_plan=_counter(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?plan csp:hasPriority ?p } GROUP BY ?plan"),
        actions_per_priority=_counter(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p a csp:LocalPriority . "
                                             "OPTIONAL { ?a csp:addressesPriority ?p } } GROUP BY ?p"),
        supporters_per_action=_counter(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?a a csp:Action . OPTIONAL { ?a csp:supportingAgency ?s } } GROUP BY ?a"),
        outcomes_per_action=_counter(store, "SELECT (COUNT(?o) AS ?n) WHERE { ?a a csp:Action . OPTIONAL { ?a csp:hasOutcome ?o } } GROUP BY ?a"),
        updates_per_action=_counter(store, "SELECT (COUNT(?u) AS ?n) WHERE { ?a a csp:Action . OPTIONAL { ?a csp:hasUpdate ?u } } GROUP BY ?a"),
        funding_kinds=Counter(r[0].rsplit("/", 1)[1] for r in _rows(store, "SELECT ?k WHERE { ?f a ?k . VALUES ?k "
                              "{ csp:MonetaryFunding csp:InKindFunding csp:NoFundingRequired } }")),
        leads=registered("SELECT ?l WHERE { ?a csp:leadAgency ?l }", agency_labels),
        supporters=registered("SELECT ?s WHERE { ?a csp:supportingAgency ?s }", agency_labels),
        funders=registered("SELECT ?f WHERE { ?x csp:funder ?f }", agency_labels),
        streams=registered("SELECT ?s WHERE { ?x csp:fundingStream ?s }", stream_labels) or Counter(stream_labels),
        priority_duties=registered("SELECT ?d WHERE { ?p csp:relatesToDuty|csp:contributesToDuty ?d }", duty_labels),
        plan_duties=registered("SELECT ?d WHERE { ?p csp:fulfilsDuty ?d }", duty_labels),
        p_lead=_share(store, "csp:Action", "?s csp:leadAgency ?x"),
        p_funding=_share(store, "csp:Action", "?s csp:hasFunding ?x"),
        p_timing=_share(store, "csp:Action", "?s csp:timingAsStated ?x"),
        p_action_pcp=_share(store, "csp:Action", "?s csp:addressesPriority ?x . ?x a csp:PCPPriority"),
        p_priority_duty=_share(store, "csp:LocalPriority", "?s csp:relatesToDuty ?x"),
        amounts=sorted(float(Decimal(r[0])) for r in _rows(store, "SELECT ?m WHERE { ?f csp:amount ?m }")),
        priority_labels=sorted({r[0] for r in _rows(store, "SELECT ?l WHERE { ?p a csp:LocalPriority ; skos:prefLabel ?l }")}),
        action_labels=sorted({r[0] for r in _rows(store, "SELECT ?l WHERE { ?a a csp:Action ; rdfs:label ?l }")}),
        outcome_labels=sorted({r[0] for r in _rows(store, "SELECT ?l WHERE { ?o a csp:Outcome ; rdfs:label ?l }")}),
        update_texts=sorted({r[0] for r in _rows(store, "SELECT ?l WHERE { ?u a csp:ProgressUpdate ; dct:description ?l }")}),
        themes=sorted({r[0] for r in _rows(store, "SELECT ?t WHERE { ?x csp:hasTheme ?t }")}),
        pcps=pcps,
        pcp_priorities=pcp_priorities,
        agency_labels=agency_labels,
        stream_labels=stream_labels,
        duty_labels=duty_labels,
        police_areas=[(a, n, j) for a, n, j in _rows(store, "SELECT ?a (SAMPLE(?l) AS ?n) (SAMPLE(?j) AS ?jur) WHERE { GRAPH "
                      "<urn:reference:police-areas> { ?a a csp:PoliceArea ; skos:prefLabel ?l ; csp:inJurisdiction ?j } } GROUP BY ?a ORDER BY ?a")],
        duty_applies=applies,
        agency_root={a: root(a) for a in agency_labels},
        agency_class={a: c.rsplit("/", 1)[1] for a, c in _rows(store, "SELECT ?a (SAMPLE(?c) AS ?k) WHERE { GRAPH <urn:reference:agencies> "
                      "{ ?a a ?c } } GROUP BY ?a")},
        local_agencies={r[0] for r in _rows(store, "SELECT DISTINCT ?a WHERE { GRAPH <urn:reference:agencies> { ?a csp:policeArea ?p } }")},
        area_bodies=area_bodies,
        seed_places=sorted({r[0] for r in _rows(store, "SELECT ?n WHERE { GRAPH <urn:reference:partnerships> "
                                                       "{ ?p csp:coversArea|csp:policeArea ?n } }")}),
        strategies=registered("SELECT ?s WHERE { ?x csp:citesStrategy ?s }", strategy_labels),
        strategy_labels=strategy_labels,
        strategy_partners=dict(_rows(store, "SELECT ?s (SAMPLE(?b) AS ?by) WHERE { ?s a csp:Strategy ; csp:partnership ?b } GROUP BY ?s")),
        strategies_per_plan=_counter(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?p a csp:PartnershipPlan . "
                                            "OPTIONAL { ?p csp:citesStrategy ?s } } GROUP BY ?p"),
        p_action_strategy=_share(store, "csp:Action", "?s csp:citesStrategy ?x"),
        p_plan_kind=_share(store, "csp:PartnershipPlan", "?s csp:planKind ?x"),
        p_plan_funding=_share(store, "csp:PartnershipPlan", "?s csp:hasFunding ?x"),
        pcp_info=pcp_info,
        pcp_priority_info=pcp_priority_info,
    )
