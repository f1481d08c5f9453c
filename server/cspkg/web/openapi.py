"""An OpenAPI 3.1 document generated from the canned queries' headers, saying exactly what the server
accepts: each parameter's values (the keys and IRIs in the data where a parameter names a thing),
the formats, and every status and media type an answer can have."""

from __future__ import annotations

from typing import Iterable

from ..answers.catalogue import CHECKS, MAX_VALUE, SHORT_KEY, CannedQuery, accepts

MAX_PAGE = 100_000
FORMAT_NAMES = ["json", "xml", "csv", "tsv"]
RESULTS = {
    "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}, "text/html": {"schema": {"type": "string"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": ERROR_CONTENT}


COMMON = {
    "304": {"description": "not modified: the If-None-Match ETag still holds (answers change only with a new build)"},
    "400": _error("a parameter is not valid: the message names it and says what it takes"),
    "406": _error("the format asked for (format= or Accept) is not one this answer comes in"),
    "503": _error("the query ran too long and was stopped, or no store is built yet"),
}


def _any_case(words: list[str]) -> str:
    """A pattern matching the words in any letter case (format names are read case-insensitively)."""
    return "^(" + "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w) for w in words) + ")?$"


def _schema(query: CannedQuery, param, keys: dict[str, list[str] | None]) -> dict:
    # An empty value means "not given" (as an empty form field sends it): the default, if any, applies.
    optional = param.name in query.defaults or not param.required
    if param.kind and keys.get(param.kind[0]) is not None:
        return {"type": "string", "enum": ([""] if optional else []) + keys[param.kind[0]]}
    if param.kind:  # too many to list: the form of a short key or an IRI
        key = SHORT_KEY.pattern
        return {"type": "string", "maxLength": MAX_VALUE, "pattern": f"^({'|' if optional else ''}{key}|[hH][tT][tT][pP][sS]?://[^ <>\"{{}}|\\\\^`]+)$"}
    if param.type == "iri":
        return {"type": "string", "maxLength": MAX_VALUE, "pattern": "^(|[hH][tT][tT][pP][sS]?:.*)$" if optional else "^[hH][tT][tT][pP][sS]?:"}
    if param.type == "string":
        return {"type": "string", "maxLength": MAX_VALUE, **({} if optional else {"minLength": 1})}
    return {"type": "string", "pattern": f"^({CHECKS[param.type]}){'?' if optional else ''}$"}


def _operation(query: CannedQuery, keys: dict[str, list[str]]) -> dict:
    params = []
    for p in query.params:
        schema = _schema(query, p, keys)
        if p.name in query.defaults:
            schema["default"] = query.defaults[p.name]
        listed = " A short key or IRI not in the data is a 400." if p.kind else ""
        params.append({"name": p.name, "in": "query", "required": False if p.name in query.defaults else p.required,
                       "description": f"Takes {accepts(p)}.{listed}", "schema": schema})
    rows = f"{query.pagination} rows a page" if query.pagination else "one page: the answer is not paginated"
    params.append({"name": "page", "in": "query", "required": False, "description": f"Page number ({rows}).",
                   "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}})
    params.append({"name": "format", "in": "query", "required": False,
                   "description": "The answer's format (json, xml, csv or tsv, any case); empty or absent: by the Accept header.",
                   "schema": {"type": "string", "pattern": _any_case(FORMAT_NAMES)}})
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary,
        "description": query.description,
        "tags": query.tags or ["queries"],
        "parameters": params,
        "responses": {"200": {"description": "the answer, as SPARQL results (or an HTML page when Accept prefers it)", "content": RESULTS},
                      **COMMON},
    }


def _others(queries: list[CannedQuery], graphs: list[str]) -> dict:
    names = [q.name for q in queries]
    return {
        "/queries": {"get": {"operationId": "list_queries", "summary": "The canned queries", "parameters": [],
                             "responses": {"200": {"description": "the catalogue", "content": {
                                 "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                                 "text/html": {"schema": {"type": "string"}}}},
                                 "406": COMMON["406"]}}},
        "/queries/{name}.rq": {"get": {"operationId": "query_text", "summary": "A canned query's SPARQL text",
                                       "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": names}}],
                                       "responses": {"200": {"description": "the query", "content": {"application/sparql-query": {"schema": {"type": "string"}}}},
                                                     "404": _error("no canned query of that name")}}},
        "/rdf-graph-store": {"get": {
            "operationId": "graph_store", "summary": "A named graph (SPARQL 1.1 Graph Store Protocol, read side)",
            "parameters": [{"name": "graph", "in": "query", "required": True,
                            "description": "The graph's IRI (http:, https: or urn:). An IRI of no graph in the store is a 404.",
                            "schema": {"type": "string", "enum": graphs}}],
            "responses": {"200": {"description": "the graph's triples", "content": {
                "text/turtle": {"schema": {"type": "string"}}, "application/ld+json": {"schema": {"type": "object"}},
                "application/n-triples": {"schema": {"type": "string"}}, "application/rdf+xml": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}}}},
                "304": COMMON["304"], "400": COMMON["400"], "404": _error("no graph of that IRI in the store"),
                "406": COMMON["406"], "503": COMMON["503"]}}},
    }


def document(queries: Iterable[CannedQuery], server: str, keys: dict[str, list[str]] | None = None,
             graphs: list[str] | None = None) -> dict:
    queries = list(queries)
    paths = {f"/queries/{q.name}": {"get": _operation(q, keys or {})} for q in queries}
    return {
        "openapi": "3.1.0",
        "info": {"title": "cspkg canned queries", "version": "1.0.0",
                 "description": "Questions about Community Safety Partnership plans, answered from the knowledge graph."},
        "servers": [{"url": server}],
        "paths": {**paths, **_others(queries, graphs or [])},
        "components": {"schemas": {
            "SparqlResults": {"type": "object", "required": ["head", "results"],
                              "properties": {"head": {"type": "object"}, "results": {"type": "object"}}},
            "Error": {"type": "object", "required": ["ok", "status", "error"],
                      "properties": {"ok": {"type": "boolean"}, "status": {"type": "integer"}, "error": {"type": "string"}}},
        }},
    }
