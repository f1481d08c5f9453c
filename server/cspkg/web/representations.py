"""One resource in the format a client asks for: content negotiation by suffix or Accept, the
answer with its ETag, Vary, Link and Content-Location headers, and public URLs of paths."""

from __future__ import annotations

import hashlib

from flask import Response, request

from . import context
from .documents import FORMATS, SUFFIXES
from .negotiation import choose

RDF_FORMATS = {k: v[0] for k, v in FORMATS.items()}
TRIPLE_FORMATS = {k: RDF_FORMATS[k] for k in ("turtle", "jsonld", "ntriples", "rdfxml")}


def public(path: str) -> str:
    return context.public(path)


def split_suffix(rest: str) -> tuple[str, str | None]:
    stem, dot, suffix = rest.rpartition(".")
    if dot and (suffix in SUFFIXES or suffix == "html") and "/" not in suffix:
        return stem, suffix
    return rest, None


def negotiate(suffix: str | None, formats: dict[str, list[str]]) -> str:
    """html, or a key of formats. Turtle for */*; HTML only when the client prefers it."""
    if suffix:
        return "html" if suffix == "html" else SUFFIXES[suffix]
    best = choose(formats, request.args.get("format"), extra=["text/html"])
    return "html" if best == "text/html" else best


def alternates(path: str, formats: dict) -> str:
    links = [f'<{public(path)}.html>; rel="alternate"; type="text/html"']
    links += [f'<{public(path)}.{FORMATS[k][1]}>; rel="alternate"; type="{types[0]}"' for k, types in formats.items()]
    return ", ".join(links)


def respond(body: bytes | str, fmt: str, path: str, formats: dict, *, suffix: str | None) -> Response:
    mimetype = "text/html" if fmt == "html" else formats[fmt][0]
    etag = hashlib.sha1(f"{context.runner().build_id()}|{path}|{fmt}".encode()).hexdigest()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype)
        if mimetype.startswith("text/") or "json" in mimetype:
            response.charset = "utf-8"
    response.set_etag(etag)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = alternates(path, formats)
    if not suffix:
        response.headers["Content-Location"] = public(f"{path}.{'html' if fmt == 'html' else FORMATS[fmt][1]}")
    return response
