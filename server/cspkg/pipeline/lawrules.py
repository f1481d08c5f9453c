"""Rules beside OWL: when a candidate link to the law is a trace, who holds a duty, and where a duty applies.

OWL 2 RL compares no dates, so the ontology's property chains give a time-free link,
csp:candidateProvision (an action to the provision behind a duty it serves, or to legislation its
priority cites). The rules here turn it into the traces the pages and queries read, and add what a
body's class and jurisdiction say it holds:

- in-force: an item of a plan traces to a provision (csp:tracesToProvision) only if the provision
  was in force at some point in the plan's period (csp:inForceFrom <= the plan's end, and
  csp:inForceUntil, if any, >= its start). A provision with no in-force date is taken as in force
  from the day it was made (eli:date_document) where that is known, else as in force. The OWL chain
  then walks up from the provision to its Part, Chapter and Act (csp:tracesToLegislation).
- holds / cooperates: a body of a class a duty is csp:heldBy (or csp:cooperationBy) holds the duty
  (csp:holdsDuty) or must co-operate in it (csp:mustCooperateOn), if the duty applies in a
  jurisdiction the body is in (csp:appliesIn, csp:inJurisdiction), or applies everywhere it says nothing.
- outside jurisdiction: an action (or a plan) linked to a duty that applies only in jurisdictions
  its partnership is not in gets csp:dutyOutsideJurisdiction, which a shape reports as a warning.

Each rule is a Horn rule with a filter, so it runs in the same fixpoint as the OWL 2 RL rules and
the result is their least common fixpoint (ontology/README.md, "The time rule", has worked
examples). A rule is written once, as its parts, and rendered for one graph (`plain`) or for many
scopes at once (`scoped`: the anchor must be the scope's own, the rest may be in the background).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREFIXES = ("PREFIX csp: <https://w3id.org/cspkg/def/>\nPREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")
OF_PLAN = "(csp:actionOf|csp:objectiveOf|csp:priorityOf)?"  # an item of a plan, or the plan itself (zero steps)


@dataclass(frozen=True)
class Rule:
    anchor: str  # a pattern the scope must hold (a scope's new entailment uses at least one of its triples)
    head: str
    context: tuple[str, ...] = ()  # patterns matched in the scope or the background
    optional: tuple[tuple[str, ...], ...] = ()  # OPTIONAL blocks, each a group of patterns
    condition: str = "true"  # the FILTER
    unless: tuple[str, ...] = field(default=())  # FILTER NOT EXISTS patterns, on the background only
    # (variable, pattern): the anchor's variable limited first to the values the pattern gives in
    # any graph. It changes no answer (the context must match anyway) but the cost: "?body a ?class"
    # matches every typed thing of every scope, and Oxigraph joins in the order written, so without
    # it each thing is looked up in the context (about 75 ms a round for 20 plans), with it only
    # the things of the few classes that hold a duty (about 3 ms).
    narrow: tuple[str, str] | None = None


RULES = {
    "in-force": Rule(
        anchor="?a csp:candidateProvision ?p",
        head="?a csp:tracesToProvision ?p",
        optional=((f"?a {OF_PLAN} ?plan", "?plan csp:startDate ?start"),
                  (f"?a {OF_PLAN} ?plan2", "?plan2 csp:endDate ?end"),
                  ("?p csp:inForceFrom ?from",), ("?p csp:inForceUntil ?until",), ("?p eli:date_document ?made",)),
        condition="(!BOUND(?end) || COALESCE(xsd:date(?from), xsd:date(?made), ?end) <= ?end) && "
                  "(!BOUND(?start) || !BOUND(?until) || ?until >= ?start)"),
    "holds": Rule(
        anchor="?body a ?class", head="?body csp:holdsDuty ?duty",
        context=("?duty csp:heldBy ?class",), narrow=("?class", "?held csp:heldBy ?class"),
        optional=(("?duty csp:appliesIn ?where", "?body csp:inJurisdiction ?where"), ("?duty csp:appliesIn ?somewhere",)),
        condition="!BOUND(?somewhere) || BOUND(?where)"),
    "cooperates": Rule(
        anchor="?body a ?class", head="?body csp:mustCooperateOn ?duty",
        context=("?duty csp:cooperationBy ?class",), narrow=("?class", "?held csp:cooperationBy ?class"),
        optional=(("?duty csp:appliesIn ?where", "?body csp:inJurisdiction ?where"), ("?duty csp:appliesIn ?somewhere",)),
        condition="!BOUND(?somewhere) || BOUND(?where)"),
    "outside-jurisdiction (action)": Rule(
        anchor="?a csp:contributesToDuty ?duty", head="?a csp:dutyOutsideJurisdiction ?duty",
        context=("?a csp:actionOf ?plan", "?plan csp:partnership ?partnership", "?partnership csp:inJurisdiction ?in",
                 "?duty csp:appliesIn ?elsewhere"),
        unless=("?duty csp:appliesIn ?in",)),
    "outside-jurisdiction (plan)": Rule(
        anchor="?plan csp:fulfilsDuty ?duty", head="?plan csp:dutyOutsideJurisdiction ?duty",
        context=("?plan csp:partnership ?partnership", "?partnership csp:inJurisdiction ?in", "?duty csp:appliesIn ?elsewhere"),
        unless=("?duty csp:appliesIn ?in",)),
}


def plain(rule: Rule) -> str:
    """The rule as one SPARQL Update over a single graph (the store's default graph)."""
    body = [f"{{ SELECT DISTINCT {rule.narrow[0]} WHERE {{ {rule.narrow[1]} }} }}"] if rule.narrow else []
    body += [rule.anchor, *rule.context]
    body += [f"OPTIONAL {{ {' . '.join(block)} }}" for block in rule.optional]
    body += [f"FILTER NOT EXISTS {{ {p} }}" for p in rule.unless]
    return PREFIXES + f"INSERT {{ {rule.head} }} WHERE {{ {' . '.join(body)} FILTER({rule.condition}) }}"


def _either(pattern: str) -> str:
    return f"{{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }}"


def scoped(rule: Rule) -> str:
    """The rule over many scopes: each scope a named graph ?g, the background the default graph.
    The anchor is the scope's own; context and optional patterns are in the scope or the
    background; the exceptions (FILTER NOT EXISTS) read reference data, which is in the background."""
    body = [f"{{ SELECT DISTINCT {rule.narrow[0]} WHERE {{ {{ {rule.narrow[1]} }} UNION {{ GRAPH ?any {{ {rule.narrow[1]} }} }} }} }}"] \
        if rule.narrow else []
    body += [f"GRAPH ?g {{ {rule.anchor} }}", *(_either(p) for p in rule.context)]
    body += [f"OPTIONAL {{ {' '.join(_either(p) for p in block)} }}" for block in rule.optional]
    body += [f"FILTER NOT EXISTS {{ {p} }}" for p in rule.unless]
    return PREFIXES + f"INSERT {{ GRAPH ?g {{ {rule.head} }} }} WHERE {{ {' '.join(body)} FILTER({rule.condition}) }}"


def plain_rules() -> dict[str, str]:
    return {f"law {name}": plain(rule) for name, rule in RULES.items()}


def scoped_rules() -> dict[str, str]:
    return {f"law {name}": scoped(rule) for name, rule in RULES.items()}
