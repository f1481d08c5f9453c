"""The ontology and the shapes as readable pages: every term with its label and definition."""

from __future__ import annotations

import json

from ..namespaces import SHAPES_GRAPH, sparql_prefixes
from ..answers.messages import Request
from . import context

ONTOLOGY_TERMS = """
SELECT ?term ?kind ?label ?definition WHERE { GRAPH <%s> {
  ?term a ?type . FILTER(STRSTARTS(STR(?term), "https://w3id.org/cspkg/def/") && ?term != csp:)
  VALUES (?type ?kind) { (owl:Class "Classes") (owl:ObjectProperty "Relationships") (owl:DatatypeProperty "Attributes")
                         (owl:AnnotationProperty "Notes") (csp:LegalStatus "Legal statuses") (skos:ConceptScheme "Schemes") }
  OPTIONAL { ?term rdfs:label ?label } OPTIONAL { ?term skos:definition ?definition }
} } ORDER BY ?kind LCASE(STR(?label)) ?term
"""
SHAPE_TERMS = """
SELECT ?term ?kind ?label ?definition WHERE { GRAPH <%s> {
  ?term a ?type . VALUES (?type ?kind) { (sh:NodeShape "Node shapes") (sh:PropertyShape "Property shapes") }
  OPTIONAL { ?term rdfs:label ?label } OPTIONAL { ?term sh:message ?definition }
  OPTIONAL { ?term sh:severity ?severity }
} } ORDER BY ?kind ?term
"""


def terms(graph: str) -> dict[str, list[dict]]:
    query = (SHAPE_TERMS if graph == SHAPES_GRAPH else ONTOLOGY_TERMS) % graph
    answer = context.runner().run(Request(sparql_prefixes() + query, "json"))
    groups: dict[str, list[dict]] = {}
    seen = set()
    for row in json.loads(answer.body)["results"]["bindings"]:
        iri = row["term"]["value"]
        if iri in seen:
            continue
        seen.add(iri)
        groups.setdefault(row["kind"]["value"], []).append({
            "iri": iri, "path": "/" + iri.split("https://w3id.org/cspkg/", 1)[1], "name": iri.rsplit("/", 1)[1],
            "label": row.get("label", {}).get("value", ""), "definition": row.get("definition", {}).get("value", ""),
        })
    return groups
