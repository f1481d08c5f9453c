"""The SHACL shapes compiled to SPARQL SELECTs, so many scopes are validated at once inside Oxigraph.

pyshacl is the reference (tests/test_validation.py proves these queries report what pyshacl
reports); this is the fast path the build takes. The compiler reads the shapes graph, so the
shapes stay the one statement of what a complete plan is; it knows the SHACL Core components the
shapes use and refuses any other (Unsupported), in which case the caller validates with pyshacl.

The dataset the queries run on (see scopes.py): the background (reference data and its
inferences) in the default graph, each scope's triples (asserted and inferred) in a named graph,
and its focus nodes (subjects of its asserted triples) in FOCUS_GRAPH as `?f FOCUS_OF ?g`.
A scope's data graph is its named graph together with the default graph, so every triple
pattern is matched in both (`_either`). Each query returns one row per validation result:
?g ?f (and ?v, the value node, for components that report one).

SPARQL-based constraints (sh:sparql on a targeted node shape) are the shape author's own query, so
they are not rewritten pattern by pattern: each runs once per scope with that scope's graph and
the background as its default graph (Check.per_scope), which is the data graph pyshacl sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

SH = Namespace("http://www.w3.org/ns/shacl#")
FOCUS_GRAPH = "urn:cspkg:focus"
FOCUS_OF = "urn:cspkg:focusOf"
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
# Datatypes SPARQL can cast to: a literal of one of them is well-formed if the cast succeeds.
CASTABLE = {XSD.date, XSD.dateTime, XSD.decimal, XSD.integer, XSD.boolean, XSD.double, XSD.float}
# The components this compiler knows; anything else on a shape is refused.
KNOWN = {SH.path, SH.property, SH.message, SH.severity, SH.targetClass, SH.minCount, SH.maxCount, SH["class"],
         SH.datatype, SH["in"], SH.pattern, SH.flags, SH.nodeKind, SH.minInclusive, SH.maxInclusive, SH.node, SH["or"],
         SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.name, SH.description, SH.order,
         SH.sparql, RDF.type, RDFS.label, RDFS.comment}
# What a sh:SPARQLConstraint may carry: its message is the shape's (pyshacl would report both).
KNOWN_SPARQL = {SH.select, SH.prefixes, RDF.type, RDFS.label, RDFS.comment}
# The scope a per-scope query is run for (Check.query_for puts the scope's graph in its place).
THIS_SCOPE = "urn:cspkg:this-scope"
# A constraint's query as the compiler takes it: SELECT [DISTINCT] variables WHERE { ... }, nothing after.
SELECT = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+)?((?:[?$]\w+\s+)*[?$]\w+)\s+WHERE\s*\{(.*)\}\s*$", re.S | re.I)


class Unsupported(Exception):
    """A shape uses SHACL this compiler does not know."""


@dataclass(frozen=True)
class Check:
    shape: str  # the shape a result names as sh:sourceShape
    severity: str  # violation | warning | info
    message: str
    path: str | None  # the result path, when it is one predicate
    query: str  # SELECT ?g ?f ... : one row per result
    per_scope: bool = False  # a SPARQL-based constraint: SELECT ?this ..., run once per scope (query_for)
    variables: tuple[str, ...] = ()  # what a per-scope query selects

    def query_for(self, scope_graph: str) -> str:
        return self.query.replace(THIS_SCOPE, scope_graph)

    def result(self, row) -> tuple[str, str | None]:
        """The message and result path of one row. A SPARQL-based constraint's message names the row's
        values ({?value}, {$this} ...), substituted as pyshacl does, so both report the same words."""
        if not self.per_scope:
            return self.message, self.path
        message = self.message
        for name in self.variables:
            if row[name] is not None:
                message = re.sub("{{[?$]{}}}".format(name), row[name].value, message)
        path = row["path"] if "path" in self.variables else None
        return message, path.value if isinstance(path, ox.NamedNode) else self.path


VARIABLES = re.compile(r"[?$](\w+)")


def term(node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise Unsupported(f"a blank node {node} where a value was expected")


def _either(pattern: str) -> str:
    """A triple pattern matched in the scope's graph or the background."""
    return f"{{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }}"


class Compiler:
    def __init__(self, shapes: Graph, background: ox.Store):
        self.shapes, self.background = shapes, background
        self._fresh = count()

    def var(self, stem: str) -> str:
        return f"?{stem}{next(self._fresh)}"

    def subclasses(self, cls) -> list[str]:
        """The class and its subclasses in the background (rdf:type/rdfs:subClassOf* C)."""
        rows = self.background.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
        found = {row["c"].value for row in rows if isinstance(row["c"], ox.NamedNode)} | {str(cls)}
        return sorted(found)

    def values(self, path, subject: str, value: str) -> str:
        """The pattern binding `value` to each value node of `path` from `subject`."""
        if isinstance(path, URIRef):
            return _either(f"{subject} <{path}> {value}")
        inverse = self.shapes.value(path, SH.inversePath)
        if inverse is not None:
            return self.values_inverse(inverse, subject, value)
        alternatives = self.shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return " UNION ".join(f"{{ {self.values(p, subject, value)} }}" for p in Collection(self.shapes, alternatives))
        if (path, RDF.first, None) in self.shapes:
            steps, here = list(Collection(self.shapes, path)), subject
            parts = []
            for i, step in enumerate(steps):
                there = value if i == len(steps) - 1 else self.var("m")
                parts.append(f"{{ {self.values(step, here, there)} }}")
                here = there
            return " . ".join(parts)
        raise Unsupported(f"path {path}")

    def values_inverse(self, path, subject: str, value: str) -> str:
        if not isinstance(path, URIRef):
            raise Unsupported(f"inverse of a complex path {path}")
        return _either(f"{value} <{path}> {subject}")

    def of_type(self, node: str, classes: list[str]) -> str:
        t = self.var("t")
        return f"{_either(f'{node} a {t}')} VALUES {t} {{ {' '.join(f'<{c}>' for c in classes)} }}"

    def check_unknown(self, shape) -> None:
        unknown = {p for p in self.shapes.predicates(shape, None)} - KNOWN
        if unknown:
            raise Unsupported(f"shape {shape} uses {sorted(unknown)}")

    # -- a value node's conformance, as a SPARQL boolean expression ------------------------------
    def value_test(self, shape, x: str) -> str:
        """True when x passes shape's value components (class, datatype, in, ...; not counts)."""
        tests = self.component_tests(shape, x)
        return " && ".join(tests) if tests else "true"

    def component_tests(self, shape, x: str) -> list[str]:
        """One test per value component of the shape: each is its own constraint, with its own results."""
        tests = []
        for cls in self.shapes.objects(shape, SH["class"]):
            tests.append(f"EXISTS {{ {self.of_type(x, self.subclasses(cls))} }}")
        for dt in self.shapes.objects(shape, SH.datatype):
            test = f"isLiteral({x}) && datatype({x}) = <{dt}>"
            if dt in CASTABLE:
                test += f" && COALESCE(isLiteral(<{dt}>(STR({x}))), false)"
            tests.append(f"({test})")
        for members in self.shapes.objects(shape, SH["in"]):
            tests.append("(" + " || ".join(f"sameTerm({x}, {term(m)})" for m in Collection(self.shapes, members)) + ")"
                         if len(list(Collection(self.shapes, members))) else "false")
        for pattern in self.shapes.objects(shape, SH.pattern):
            flags = self.shapes.value(shape, SH.flags)
            regex = f"REGEX(STR({x}), {Literal(str(pattern)).n3()}" + (f", {Literal(str(flags)).n3()})" if flags else ")")
            tests.append(f"(!isBlank({x}) && {regex})")
        for kind in self.shapes.objects(shape, SH.nodeKind):
            tests.append({SH.IRI: f"isIRI({x})", SH.BlankNode: f"isBlank({x})", SH.Literal: f"isLiteral({x})",
                          SH.BlankNodeOrIRI: f"!isLiteral({x})", SH.BlankNodeOrLiteral: f"!isIRI({x})",
                          SH.IRIOrLiteral: f"!isBlank({x})"}[kind])
        for low in self.shapes.objects(shape, SH.minInclusive):
            tests.append(f"COALESCE({x} >= {term(low)}, false)")
        for high in self.shapes.objects(shape, SH.maxInclusive):
            tests.append(f"COALESCE({x} <= {term(high)}, false)")
        for other in self.shapes.objects(shape, SH.node):
            tests.append(self.conforms(other, x))
        for alternatives in self.shapes.objects(shape, SH["or"]):
            tests.append("(" + " || ".join(self.conforms(s, x) for s in Collection(self.shapes, alternatives)) + ")")
        return tests

    def conforms(self, shape, x: str) -> str:
        """True when x conforms to the (nested) shape: its own value tests and its property shapes."""
        self.check_unknown(shape)
        if (shape, SH.qualifiedValueShape, None) in self.shapes:
            raise Unsupported(f"qualified value shape inside {shape}")
        tests = [self.value_test(shape, x)]
        path = self.shapes.value(shape, SH.path)
        if path is not None:
            return self.property_conforms(shape, path, x)
        for prop in self.shapes.objects(shape, SH.property):
            self.check_unknown(prop)
            tests.append(self.property_conforms(prop, self.shapes.value(prop, SH.path), x))
        return "(" + " && ".join(tests) + ")"

    def property_conforms(self, prop, path, x: str) -> str:
        if (prop, SH.qualifiedValueShape, None) in self.shapes:
            raise Unsupported(f"qualified value shape inside {prop}")
        w, w2 = self.var("w"), self.var("w")
        tests = [f"NOT EXISTS {{ {self.values(path, x, w)} FILTER(!COALESCE({self.value_test(prop, w)}, false)) }}"]
        low, high = self.shapes.value(prop, SH.minCount), self.shapes.value(prop, SH.maxCount)
        if low is not None and int(low) > 1 or high is not None and int(high) > 1:
            raise Unsupported(f"counts other than 0 and 1 inside {prop}")
        if low is not None and int(low) == 1:
            tests.append(f"EXISTS {{ {self.values(path, x, w)} }}")
        if high is not None:
            nothing = f"NOT EXISTS {{ {self.values(path, x, w)} }}" if int(high) == 0 else \
                f"NOT EXISTS {{ {self.values(path, x, w)} . {self.values(path, x, w2)} FILTER(!sameTerm({w}, {w2})) }}"
            tests.append(nothing)
        return "(" + " && ".join(tests) + ")"

    # -- the top-level checks ---------------------------------------------------------------------
    def checks(self) -> list[Check]:
        out = []
        for shape in sorted(set(self.shapes.subjects(SH.targetClass, None))):
            self.check_unknown(shape)
            classes = sorted({c for cls in self.shapes.objects(shape, SH.targetClass) for c in self.subclasses(cls)})
            focus = f"GRAPH <{FOCUS_GRAPH}> {{ ?f <{FOCUS_OF}> ?g }} {self.of_type('?f', classes)}"
            for test in self.component_tests(shape, "?f"):  # the node shape's own components
                out.append(self.check(shape, None, f"SELECT DISTINCT ?g ?f WHERE {{ {focus} FILTER(!COALESCE({test}, false)) }}"))
            for prop in sorted(self.shapes.objects(shape, SH.property)):
                out += self.property_checks(prop, focus)
            for constraint in sorted(self.shapes.objects(shape, SH.sparql)):
                out.append(self.sparql_check(shape, constraint, classes))
        return out

    def sparql_check(self, shape, constraint, classes: list[str]) -> Check:
        """A SPARQL-based constraint as a per-scope query: the scope's focus nodes of the targeted
        classes are joined before the author's patterns, where pyshacl pre-binds $this. The class
        test is a FILTER EXISTS on each focus node: as a join, Oxigraph read every instance of the
        classes in the background first (thousands of organisations), for each scope."""
        unknown = set(self.shapes.predicates(constraint, None)) - KNOWN_SPARQL
        if unknown:
            raise Unsupported(f"SPARQL constraint {constraint} uses {sorted(unknown)}")
        selects = list(self.shapes.objects(constraint, SH.select))
        found = SELECT.match(str(selects[0])) if len(selects) == 1 else None
        if found is None:
            raise Unsupported(f"SPARQL constraint {constraint}: not a plain SELECT ... WHERE {{ ... }}")
        names = list(dict.fromkeys(VARIABLES.findall(found.group(1))))
        if "this" not in names:
            names.insert(0, "this")
        prologue = "".join(f"PREFIX {self.shapes.value(d, SH.prefix)}: <{self.shapes.value(d, SH.namespace)}>\n"
                           for owner in self.shapes.objects(constraint, SH.prefixes)
                           for d in sorted(self.shapes.objects(owner, SH.declare)))
        t = self.var("t")
        query = (f"{prologue}SELECT DISTINCT {' '.join('?' + n for n in names)} WHERE {{ "
                 f"GRAPH <{FOCUS_GRAPH}> {{ ?this <{FOCUS_OF}> <{THIS_SCOPE}> }} FILTER EXISTS {{ ?this a {t} "
                 f"VALUES {t} {{ {' '.join(f'<{c}>' for c in classes)} }} }} {found.group(2)} }}")
        check = self.check(shape, None, query)
        return Check(check.shape, check.severity, check.message, None, query, per_scope=True, variables=tuple(names))

    def check(self, shape, path, query: str) -> Check:
        message = self.shapes.value(shape, SH.message)
        if message is None:
            raise Unsupported(f"shape {shape} has no sh:message")
        severity = SEVERITIES[self.shapes.value(shape, SH.severity) or SH.Violation]
        return Check(str(shape), severity, str(message), str(path) if isinstance(path, URIRef) else None, query)

    def property_checks(self, prop, focus: str) -> list[Check]:
        self.check_unknown(prop)
        path, out = self.shapes.value(prop, SH.path), []
        low, high = self.shapes.value(prop, SH.minCount), self.shapes.value(prop, SH.maxCount)
        if low is not None or high is not None:
            condition = " || ".join(([f"?n < {int(low)}"] if low is not None else []) + ([f"?n > {int(high)}"] if high is not None else []))
            out.append(self.check(prop, path, f"SELECT ?g ?f WHERE {{ {{ SELECT ?g ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} "
                                              f"OPTIONAL {{ {self.values(path, '?f', '?v')} }} }} GROUP BY ?g ?f }} FILTER({condition}) }}"))
        for test in self.component_tests(prop, "?v"):
            out.append(self.check(prop, path, f"SELECT DISTINCT ?g ?f ?v WHERE {{ {focus} {self.values(path, '?f', '?v')} "
                                              f"FILTER(!COALESCE({test}, false)) }}"))
        qualified = self.shapes.value(prop, SH.qualifiedValueShape)
        if qualified is not None:
            q_low, q_high = self.shapes.value(prop, SH.qualifiedMinCount), self.shapes.value(prop, SH.qualifiedMaxCount)
            for bound, op in ((q_low, "<"), (q_high, ">")):
                if bound is None:
                    continue
                out.append(self.check(prop, path, f"SELECT ?g ?f WHERE {{ {{ SELECT ?g ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} "
                                                  f"OPTIONAL {{ {self.values(path, '?f', '?v')} FILTER(COALESCE({self.conforms(qualified, '?v')}, false)) }} }} "
                                                  f"GROUP BY ?g ?f }} FILTER(?n {op} {int(bound)}) }}"))
        return out


def compile_shapes(shapes: Graph, background: ox.Store) -> list[Check]:
    """The checks for every targeted shape; Unsupported if a shape uses SHACL this does not know."""
    if any(isinstance(s, BNode) for s in shapes.subjects(SH.targetClass, None)):
        raise Unsupported("a targeted shape without an IRI")
    return Compiler(shapes, background).checks()
