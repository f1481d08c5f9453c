"""An OpenAPI 3.1 document generated from the canned queries' headers."""

from __future__ import annotations

from typing import Iterable

from ..catalogue import CannedQuery

SCHEMAS = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}
RESULTS = {
    "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
}
ERROR = {"description": "bad parameter", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _operation(query: CannedQuery) -> dict:
    params = []
    for p in query.params:
        schema = dict(SCHEMAS[p.type])
        if p.name in query.defaults:
            schema["default"] = query.defaults[p.name]
        description = f"{p.kind[2].capitalize()}: its IRI or short key." if p.kind else f"A {p.type} value."
        params.append({"name": p.name, "in": "query", "required": False if p.name in query.defaults else p.required,
                       "description": description, "schema": schema})
    if query.pagination:
        params.append({"name": "page", "in": "query", "required": False, "description": f"Page number ({query.pagination} rows a page).",
                       "schema": {"type": "integer", "minimum": 1, "default": 1}})
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary,
        "description": query.description,
        "tags": query.tags or ["queries"],
        "parameters": params,
        "responses": {"200": {"description": "the answer, as SPARQL results", "content": RESULTS},
                      "400": ERROR, "503": {"description": "the query ran too long and was stopped"}},
    }


def document(queries: Iterable[CannedQuery], server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "cspkg canned queries", "version": "1.0.0",
                 "description": "Questions about Community Safety Partnership plans, answered from the knowledge graph."},
        "servers": [{"url": server}],
        "paths": {f"/queries/{q.name}": {"get": _operation(q)} for q in queries},
        "components": {"schemas": {
            "SparqlResults": {"type": "object", "required": ["head", "results"],
                              "properties": {"head": {"type": "object"}, "results": {"type": "object"}}},
            "Error": {"type": "object", "required": ["ok", "status", "error"],
                      "properties": {"ok": {"type": "boolean"}, "status": {"type": "integer"}, "error": {"type": "string"}}},
        }},
    }
