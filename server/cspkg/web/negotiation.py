"""Content negotiation: the media types each kind of answer can take."""

from __future__ import annotations

from flask import request

from .errors import ApiError

TABLE = {  # format -> media types, the first is the one sent
    "json": ["application/sparql-results+json", "application/json"],
    "xml": ["application/sparql-results+xml", "application/xml", "text/xml"],
    "csv": ["text/csv"],
    "tsv": ["text/tab-separated-values"],
}
BOOLEAN = {k: TABLE[k] for k in ("json", "xml")}
GRAPH = {
    "turtle": ["text/turtle", "application/x-turtle"],
    "ntriples": ["application/n-triples", "text/plain"],
    "jsonld": ["application/ld+json"],
    "rdfxml": ["application/rdf+xml"],
}
ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "ttl": "turtle", "turtle": "turtle",
           "nt": "ntriples", "ntriples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "rdf": "rdfxml", "rdfxml": "rdfxml"}


def choose(formats: dict[str, list[str]], explicit: str | None = None, extra: list[str] = ()) -> str:
    """The format to answer in: an explicit `format=` (or suffix) wins, then Accept, then the first.

    `extra` are further media types the route can serve itself (e.g. text/html); they are
    returned as is when Accept prefers them.
    """
    if explicit:
        key = ALIASES.get(explicit.lower(), explicit.lower())
        if key in formats or key in extra:
            return key
        raise ApiError(406, f"format '{explicit}' is not available here; use one of: {', '.join(formats)}")
    if not request.headers.get("Accept"):
        return next(iter(formats))
    offered = [m for types in formats.values() for m in types] + list(extra)
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        listed = ", ".join([types[0] for types in formats.values()] + list(extra))
        raise ApiError(406, f"cannot answer in any type the Accept header allows; available: {listed}")
    if best in extra:
        return best
    return next(k for k, types in formats.items() if best in types)


def media_type(formats: dict[str, list[str]], key: str) -> str:
    return formats[key][0]
