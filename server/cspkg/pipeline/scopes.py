"""Many scopes reasoned and validated at once in one in-memory Oxigraph store.

The background (the reference data and its inferences, closed under the rules) is the default
graph; each scope (a plan: its plan and editorial graphs) is a named graph of its own. The rules
(rules.scoped_rules) and the shapes (shapes_sparql) are written so that each scope sees only the
background and itself: a scope's inferences and findings are exactly those of reasoning and
validating it alone (tests/test_validation.py and tests/test_update.py compare them), but one
query serves every scope in the store instead of one per plan.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from .rules import fixpoint, scoped_rules
from .shapes_sparql import FOCUS_GRAPH, FOCUS_OF, Check
from ..store.interface import LABELS
from .validation import Finding, order

SCOPE = "urn:cspkg:scope:"
CSP = str(ns.CSP)
LABEL_PROPS = tuple(p.value for p in LABELS)  # skos:prefLabel, rdfs:label, dct:title, in that order


def _graph(name: str) -> ox.NamedNode:
    return ox.NamedNode(SCOPE + name)


class ScopeStore:
    def __init__(self, background: Iterable[ox.Triple]):
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in background)
        self.background = {q.triple for q in self.store}  # as stored: Oxigraph keeps literals canonical
        self.rules = scoped_rules(self.store)
        self.names: list[str] = []
        self.focused: list[str] = []  # the scopes being validated (set_focus)

    def add(self, name: str, triples: Iterable[ox.Triple]) -> None:
        g = _graph(name)
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
        self.names.append(name)

    def own(self, name: str) -> set[ox.Triple]:
        return {q.triple for q in self.store.quads_for_pattern(None, None, None, _graph(name))}

    def reason(self) -> dict[str, set[ox.Triple]]:
        """Each scope's inferences: what the rules add to it that neither it nor the background holds."""
        before = {name: self.own(name) for name in self.names}
        fixpoint(self.store, self.rules)
        return {name: self.own(name) - before[name] - self.background for name in self.names}

    def set_focus(self, focus: dict[str, Iterable]) -> None:
        """Each scope's focus nodes: the subjects of its asserted triples."""
        g, of = ox.NamedNode(FOCUS_GRAPH), ox.NamedNode(FOCUS_OF)
        self.focused += [name for name in focus if name not in self.focused]
        self.store.bulk_extend(ox.Quad(node, of, _graph(name), g) for name, nodes in focus.items() for node in nodes)

    def validate(self, checks: list[Check]) -> list[Finding]:
        """Every check over every scope; findings carry the focus node's label, kind and source line."""
        results = []
        for check in checks:
            if check.per_scope:  # a SPARQL-based constraint: its data graph is the scope and the background
                for name in self.focused:
                    g = _graph(name)
                    for row in self.store.query(check.query_for(g.value), default_graph=[ox.DefaultGraph(), g]):
                        results.append((name, row["this"], check, check.result(row)))
                continue
            for row in self.store.query(check.query):
                results.append((row["g"].value[len(SCOPE):], row["f"], check, check.result(row)))
        about = self.describe({(name, focus) for name, focus, _, _ in results})
        findings = []
        for name, focus, check, (message, path) in results:
            label, kind, source = about.get((name, focus), (focus.value, "Item", None))
            findings.append(Finding(scope=name, severity=check.severity, focus=focus.value, label=label, kind=kind,
                                    message=message, path=path, source=source, shape=check.shape))
        return order(findings)

    def describe(self, nodes: set) -> dict:
        """Label, most specific csp: class and source line of each (scope, node), as the reports name them."""
        if not nodes:
            return {}
        values = " ".join(f"({_graph(name)} {node})" for name, node in nodes if not isinstance(node, ox.BlankNode))
        data = defaultdict(lambda: {"labels": defaultdict(list), "types": set(), "line": None, "seed": None})

        def rows(pattern: str):
            text = f"SELECT * WHERE {{ VALUES (?g ?f) {{ {values} }} {{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }} }}"
            return self.store.query(text)

        for prop in LABEL_PROPS:
            for row in rows(f"?f <{prop}> ?l"):
                data[(row["g"], row["f"])]["labels"][prop].append(row["l"].value)
        for row in rows("?f a ?t"):
            if row["t"].value.startswith(CSP):
                data[(row["g"], row["f"])]["types"].add(row["t"].value)
        for row in rows("?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?d . ?d <https://w3id.org/cspkg/def/seedFile> ?s "
                        "OPTIONAL { ?f <https://w3id.org/cspkg/def/sourceLine> ?n }"):
            entry = data[(row["g"], row["f"])]
            entry["seed"] = min(filter(None, [entry["seed"], row["s"].value]))
            if row["n"] is not None:
                entry["line"] = row["n"].value
        class_labels = self.class_labels({t for entry in data.values() for t in entry["types"]})
        out = {}
        for (g, f), entry in data.items():
            label = next((min(entry["labels"][p]) for p in LABEL_PROPS if entry["labels"][p]), f.value)
            out[(g.value[len(SCOPE):], f)] = (label, self.kind(entry["types"], class_labels),
                                               None if entry["seed"] is None else
                                               f"line {entry['line']} of {entry['seed']}" if entry["line"] else entry["seed"])
        return out

    def class_labels(self, classes: set[str]) -> dict[str, tuple[str, set[str]]]:
        """Each class's label and its superclasses, from the background."""
        out = {}
        for cls in classes:
            node = ox.NamedNode(cls)
            labels = next((ls for p in LABEL_PROPS if (ls := [q.object.value for q in self.store.quads_for_pattern(
                node, ox.NamedNode(p), None, ox.DefaultGraph())])), [])
            supers = {q.object.value for q in self.store.quads_for_pattern(
                node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), None, ox.DefaultGraph())}
            out[cls] = (min(labels) if labels else cls, supers)
        return out

    @staticmethod
    def kind(types: set[str], class_labels: dict) -> str:
        specific = [t for t in types if not any(t in class_labels[o][1] for o in types if o != t)]
        return class_labels[sorted(specific or types)[0]][0] if types else "Item"


def subjects_of(triples: Iterable[ox.Triple]) -> set:
    return {t.subject for t in triples}


def validate_scopes(store: ScopeStore, background: set[ox.Triple], wanted: list[tuple[str, set[ox.Triple], set]],
                    shapes) -> list[Finding]:
    """Validate scopes already in the store: (name, its data, its focus nodes). If the shapes use
    SHACL the compiler does not know, pyshacl validates them instead, one at a time."""
    from .shapes_sparql import Unsupported, compile_shapes
    from .validation import PlanChecker, as_rdflib_nodes

    try:
        checks = compile_shapes(shapes, store.store)
    except Unsupported:
        checker = PlanChecker(background, shapes)
        return order([f for name, data, focus in wanted for f in checker.check(name, data, as_rdflib_nodes(focus))])
    store.set_focus({name: focus for name, _, focus in wanted})
    return store.validate(checks)


def validate_alone(name: str, data: set[ox.Triple], focus: set, shapes) -> list[Finding]:
    """Validate one scope that holds all its data (the reference data, closed under the rules)."""
    store = ScopeStore(set())
    store.add(name, data)
    return validate_scopes(store, set(), [(name, data, focus)], shapes)


def reason_and_validate(background: set[ox.Triple], scopes: list[tuple[str, set[ox.Triple], bool]],
                        shapes) -> tuple[dict[str, set[ox.Triple]], list[Finding], float, float]:
    """Reason every scope against the background, and validate those marked wanted, in one store.

    Returns each scope's inferences, the findings, and the seconds spent reasoning and validating.
    A scope that states schema of its own is reasoned alone with the generic rules.
    """
    from .reasoning import infer
    from .rules import states_schema

    start = time.perf_counter()
    store = ScopeStore(background)
    alone = {name: infer(background, own) for name, own, _ in scopes if states_schema(own)}
    for name, own, _ in scopes:
        store.add(name, own | alone.get(name, set()))
    inferred = store.reason()
    inferred.update(alone)
    middle = time.perf_counter()
    wanted = [(name, own | inferred[name], subjects_of(own)) for name, own, want in scopes if want]
    findings = validate_scopes(store, background, wanted, shapes)
    return inferred, findings, middle - start, time.perf_counter() - middle
