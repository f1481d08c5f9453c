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
GRAPH = {
    "turtle": ["text/turtle", "application/x-turtle"],
    "ntriples": ["application/n-triples", "text/plain"],
    "jsonld": ["application/ld+json"],
    "rdfxml": ["application/rdf+xml"],
}
ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "ttl": "turtle", "turtle": "turtle",
           "nt": "ntriples", "ntriples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "rdf": "rdfxml", "rdfxml": "rdfxml",
           "trig": "trig", "nq": "nquads", "nquads": "nquads"}


def choose(formats: dict[str, list[str]], explicit: str | None = None, extra: list[str] = ()) -> str:
    """The format to answer in: an explicit `format=` (or suffix) wins, then Accept, then the first.

    `extra` are further media types the route can serve itself (e.g. text/html); they are
    returned as is when Accept prefers them.
    """
    if explicit:
        key = ALIASES.get(explicit.lower(), explicit.lower())
        if key in formats or key in extra:
            return key
        if key == "html" and "text/html" in extra:
            return "text/html"
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


# ---- the SPARQL endpoint's `format=` and `output=` parameters --------------------------------
# The short names clients send instead of (or as well as) Accept: SPARQLWrapper sends its return
# format under both names (json, xml, turtle, n3, rdf, rdf+xml, csv, tsv, json-ld), adding the media
# types it also puts in Accept for tsv, rdf+xml and json-ld; Fuseki reads json, xml, sparql, text,
# csv, tsv for results and json-ld, json, xml, text, ttl, nt for graphs (its thrift, trig and
# n-quads are not offered here: a 400); Virtuoso takes media types. A name stands for the matching
# format of the query's form (xml is SPARQL XML results for SELECT and ASK, RDF/XML for CONSTRUCT
# and DESCRIBE; json is JSON-LD for the graph forms), as those clients have it.
RESULT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "sparql": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "text": "turtle",
               "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
               "json-ld": "jsonld", "jsonld": "jsonld", "json": "jsonld",
               "xml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml"}
# media types clients name that we answer with a sibling type (N3 and the older JSON types read our Turtle and JSON)
RESULT_MEDIA = {m: k for k, types in TABLE.items() for m in types} | {
    "application/x-sparqlstar-results+json": "json", "text/javascript": "json", "application/javascript": "json"}
GRAPH_MEDIA = {m: k for k, types in GRAPH.items() for m in types} | {
    "application/turtle": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n3": "turtle",
    "application/x-json+ld": "jsonld"}
FORMAT_PARAMS = ("format", "output")


def _meaning(piece: str, formats: dict[str, list[str]]) -> str | None | bool:
    """The format a parameter value names for this query form; None when it names only formats of
    the other forms (a SELECT asked for Turtle); False when it names nothing known."""
    graph = "turtle" in formats
    own = (GRAPH_MEDIA if graph else RESULT_MEDIA) if "/" in piece else (GRAPH_NAMES if graph else RESULT_NAMES)
    if piece in own:
        return own[piece] if own[piece] in formats else None
    known = any(piece in table for table in (RESULT_NAMES, GRAPH_NAMES, RESULT_MEDIA, GRAPH_MEDIA))
    return None if known else False


def accepted_values() -> str:
    names = dict.fromkeys(list(RESULT_NAMES) + list(GRAPH_NAMES))
    return ", ".join(names) + ", or a media type such as " + ", ".join(t[0] for t in (TABLE["csv"], GRAPH["turtle"]))


def requested(params: dict[str, list[str]], formats: dict[str, list[str]]) -> str | None:
    """The format `format=` or `output=` asks for (the first that this query form can take), or None.

    A value may be a list of media types (SPARQLWrapper sends its Accept header there); empty values
    are skipped; a value that names nothing known is a 400 naming the parameter."""
    wanted = None
    for name in FORMAT_PARAMS:
        for value in params.get(name, []):
            # a '+' typed into a URL unescaped arrives as a space (rdf+xml, application/ld+json)
            for piece in (p.split(";")[0].strip().lower().replace(" ", "+") for p in value.split(",")):
                if not piece:
                    continue
                meaning = _meaning(piece, formats)
                if meaning is False:
                    raise ApiError(400, f"parameter '{name}': '{value[:100]}' names no format this endpoint knows; "
                                        f"use one of: {accepted_values()}")
                wanted = wanted or meaning
    return wanted


def choose_answer(formats: dict[str, list[str]], wanted: str | None) -> str:
    """The parameter's format when Accept allows it (a browser's `*/*;q=0.8` does) or when Accept
    allows none of the formats; Accept's choice when it rules the parameter's format out."""
    if not wanted:
        return choose(formats)
    if not request.headers.get("Accept"):
        return wanted
    accept = request.accept_mimetypes
    if any(accept.quality(m) > 0 for m in formats[wanted]):
        return wanted
    offered = [m for types in formats.values() for m in types]
    return choose(formats) if any(accept.quality(m) > 0 for m in offered) else wanted
