"""OWL 2 RL entailment as SPARQL Update rules, run to a fixpoint in pyoxigraph.

owlrl is the reference reasoner (tests/test_reasoning.py proves these rules give the same
entailments over the seed data); these rules are the fast path the build uses. The generic
rules read the schema triples from the data itself, so any ontology works; property chains
(rule prp-spo2) are compiled from the ontology's owl:propertyChainAxiom lists. The rules beside
OWL (lawrules.py: the time rule and the holder rules) run in the same fixpoint.
"""

from __future__ import annotations

import pyoxigraph as ox

from . import lawrules

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

PREFIX = f"PREFIX owl: <{OWL}>\nPREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\n"

# The OWL 2 RL rules (names from the OWL 2 Profiles recommendation, table 4-9) that the
# ontology's axioms need: schema closure, class and property hierarchy, inverses, symmetry,
# transitivity, domains, ranges and equivalences.
#
# One entailment is left unstated: `?x a owl:Thing`. scm-cls makes every class a subclass of
# owl:Thing, so cax-sco would type every typed individual owl:Thing: at 2,000 plans 612,000 triples,
# 15% of the store, saying only that each thing is a thing, and slowing every stage that reads or
# writes them (the build 8 s of 125). No rule reads owl:Thing (the ontology and reference data give
# it no domain, range or subclass), so nothing else is lost; tests/test_reasoning.py checks that the
# rules give owlrl's closure less exactly those triples. A query wanting every individual asks for
# `?x a ?class`.
GENERIC_RULES = {
    "scm-cls": "INSERT { ?c rdfs:subClassOf ?c , owl:Thing } WHERE { ?c a owl:Class }",
    "scm-sco": "INSERT { ?c rdfs:subClassOf ?e } WHERE { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?e }",
    "scm-spo": "INSERT { ?p rdfs:subPropertyOf ?r } WHERE { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r }",
    "scm-eqc": "INSERT { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c } WHERE { ?c owl:equivalentClass ?d }",
    "scm-eqp": "INSERT { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p } WHERE { ?p owl:equivalentProperty ?q }",
    "cax-sco": "INSERT { ?x a ?d } WHERE { ?c rdfs:subClassOf ?d . ?x a ?c FILTER(?d != owl:Thing) }",
    "prp-spo1": "INSERT { ?x ?q ?y } WHERE { ?p rdfs:subPropertyOf ?q . ?x ?p ?y }",
    "prp-inv1": "INSERT { ?y ?q ?x } WHERE { ?p owl:inverseOf ?q . ?x ?p ?y . FILTER(!isLiteral(?y)) }",
    "prp-inv2": "INSERT { ?y ?p ?x } WHERE { ?p owl:inverseOf ?q . ?x ?q ?y . FILTER(!isLiteral(?y)) }",
    "prp-symp": "INSERT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y . FILTER(!isLiteral(?y)) }",
    "prp-trp": "INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    "prp-dom": "INSERT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y }",
    "prp-rng": "INSERT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y . FILTER(!isLiteral(?y)) }",
}

CHAINS_QUERY = PREFIX + """
SELECT ?p ?list WHERE { ?p owl:propertyChainAxiom ?list }
"""


def _list_items(store: ox.Store, head: ox.NamedNode | ox.BlankNode) -> list[ox.NamedNode]:
    items, node = [], head
    first, rest, nil = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
    while node != nil:
        items += [q.object for q in store.quads_for_pattern(node, first, None)]
        nxt = [q.object for q in store.quads_for_pattern(node, rest, None)]
        if len(nxt) != 1:
            break
        node = nxt[0]
    return items


def chain_rules(store: ox.Store) -> dict[str, str]:
    """Rule prp-spo2, compiled once per owl:propertyChainAxiom in the schema."""
    rules = {}
    for row in store.query(CHAINS_QUERY):
        props = _list_items(store, row["list"])
        if not props or not isinstance(row["p"], ox.NamedNode):
            continue
        path = " . ".join(f"?u{i} {p} ?u{i + 1}" for i, p in enumerate(props))
        rules[f"prp-spo2 {row['p'].value} {' '.join(p.value for p in props)}"] = f"INSERT {{ ?u0 {row['p']} ?u{len(props)} }} WHERE {{ {path} }}"
    return rules


def materialise(store: ox.Store, max_rounds: int = 50) -> int:
    """Apply every rule to the store's default graph until nothing new is added.

    Returns the number of rounds. The store is changed in place: inferred triples are
    added beside the asserted ones, and the caller separates them.
    """
    rules = {name: PREFIX + text for name, text in GENERIC_RULES.items()}
    rules.update(chain_rules(store))
    rules.update(lawrules.plain_rules())
    return fixpoint(store, rules, max_rounds)


# The same rules for many scopes at once, compiled against a background that is already closed
# under them (the reference data and its inferences). Each scope is a named graph; the background
# is the default graph. A new entailment of a scope must use at least one of the scope's triples
# (the background is closed), and a scope that states no schema of its own (rules.states_schema is false)
# takes its schema from the background, so each rule becomes: for the background's schema rows
# (read from the default graph), match the scope's triples. Rules whose body has several instance patterns
# match each in the scope or the background; a match wholly in the background leaves ?g unbound,
# and SPARQL Update skips a template with an unbound variable.
SCOPED_RULES = {
    # name: (schema rows, scope pattern(s), head)
    "cax-sco": ("?c rdfs:subClassOf ?d FILTER(?c != ?d && ?d != owl:Thing)", ["?x a ?c"], "?x a ?d"),  # no owl:Thing (above)
    "prp-spo1": ("?p rdfs:subPropertyOf ?q FILTER(?p != ?q)", ["?x ?p ?y"], "?x ?q ?y"),
    "prp-inv1": ("?p owl:inverseOf ?q", ["?x ?p ?y FILTER(!isLiteral(?y))"], "?y ?q ?x"),
    "prp-inv2": ("?p owl:inverseOf ?q", ["?x ?q ?y FILTER(!isLiteral(?y))"], "?y ?p ?x"),
    "prp-symp": ("?p a owl:SymmetricProperty", ["?x ?p ?y FILTER(!isLiteral(?y))"], "?y ?p ?x"),
    "prp-trp": ("?p a owl:TransitiveProperty", ["?x ?p ?y", "?y ?p ?z"], "?x ?p ?z"),
    "prp-dom": ("?p rdfs:domain ?c", ["?x ?p ?y"], "?x a ?c"),
    "prp-rng": ("?p rdfs:range ?c", ["?x ?p ?y FILTER(!isLiteral(?y))"], "?y a ?c"),
}

# Predicates and classes that make a triple schema: a scope stating any is reasoned on its own.
SCHEMA_PREDICATES = {RDFS + p for p in ("subClassOf", "subPropertyOf", "domain", "range")} | {
    OWL + p for p in ("inverseOf", "equivalentClass", "equivalentProperty", "propertyChainAxiom")}
SCHEMA_CLASSES = {OWL + c for c in ("Class", "SymmetricProperty", "TransitiveProperty")}


def states_schema(triples) -> bool:
    rdf_type = RDF + "type"
    return any(t.predicate.value in SCHEMA_PREDICATES or (t.predicate.value == rdf_type and t.object.value in SCHEMA_CLASSES)
               for t in triples)


def _either(pattern: str) -> str:
    return f"{{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }}"


# The order the scoped rules run in within a round. Any order reaches the same fixpoint, but each
# round reads every scope again, so an order in which a rule follows those that feed it needs fewer
# rounds: links and their inverses and super-properties first, then the property chains (each after
# the chains whose property it walks), then the rules on the law (which read the chains' links), and
# last the types (domains, ranges, then superclasses), which only the rule on holders reads. At 100
# synthetic plans a chunk, 6 rounds become 3 and reasoning takes about half as long.
LINKS_FIRST = ("prp-inv1", "prp-inv2", "prp-spo1", "prp-symp", "prp-trp")
TYPES_LAST = ("prp-dom", "prp-rng", "cax-sco")


def _chains_in_order(chains: dict[str, tuple[str, list[str], str]]) -> list[str]:
    """The chain rules' names, each after the chains whose property its own chain walks (by name
    where neither feeds the other, or in a cycle)."""
    left, order = dict(sorted(chains.items())), []
    while left:
        heads = {head for head, _, _ in left.values()}
        ready = [name for name, (head, body, _) in left.items() if not (set(body) - {head}) & heads] or [next(iter(left))]
        order.append(ready[0])
        del left[ready[0]]
    return order


def scoped_rules(background: ox.Store) -> dict[str, str]:
    """The rules as SPARQL Updates over scope graphs, with the background's schema written in, in
    the order they run in a round (LINKS_FIRST, chains, the law, TYPES_LAST)."""
    generic = {}
    for name, (schema, patterns, head) in SCOPED_RULES.items():
        if not bool(background.query(PREFIX + f"ASK {{ {schema} }}")):
            continue
        body = f"GRAPH ?g {{ {patterns[0]} }}" if len(patterns) == 1 else " . ".join(_either(p) for p in patterns)
        generic[name] = PREFIX + f"INSERT {{ GRAPH ?g {{ {head} }} }} WHERE {{ {schema} . {body} }}"
    chains = {}
    for row in background.query(CHAINS_QUERY):
        props = _list_items(background, row["list"])
        if not props or not isinstance(row["p"], ox.NamedNode):
            continue
        body = " . ".join(_either(f"?u{i} {p} ?u{i + 1}") for i, p in enumerate(props))
        chains[f"prp-spo2 {row['p'].value} {' '.join(p.value for p in props)}"] = (
            row["p"].value, [p.value for p in props], f"INSERT {{ GRAPH ?g {{ ?u0 {row['p']} ?u{len(props)} }} }} WHERE {{ {body} }}")
    rules = {name: generic.pop(name) for name in LINKS_FIRST if name in generic}
    rules.update((name, chains[name][2]) for name in _chains_in_order(chains))
    rules.update(lawrules.scoped_rules())
    last = {name: generic.pop(name) for name in TYPES_LAST if name in generic}
    rules.update(generic)  # a rule of SCOPED_RULES named in neither list
    rules.update(last)
    return rules


def fixpoint(store: ox.Store, rules: dict[str, str], max_rounds: int = 50) -> int:
    """Apply the rules (SPARQL Updates) until the store stops growing; returns the number of rounds."""
    size = len(store)
    for rounds in range(1, max_rounds + 1):
        for text in rules.values():
            store.update(text)
        if len(store) == size:
            return rounds
        size = len(store)
    raise RuntimeError(f"reasoning did not reach a fixpoint in {max_rounds} rounds")
