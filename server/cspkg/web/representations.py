"""One resource in the format a client asks for: content negotiation by suffix or Accept, the
answer with its ETag, Vary, Link and Content-Location headers, and public URLs of paths."""

from __future__ import annotations

import hashlib

from flask import Response, request

from . import context
from .documents import FORMATS, SUFFIXES
from .errors import ApiError
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
        if suffix != "html" and SUFFIXES[suffix] not in formats:
            raise ApiError(404, f"no .{suffix} here; this resource is published as " + ", ".join(FORMATS[k][1] for k in formats))
        return "html" if suffix == "html" else SUFFIXES[suffix]
    best = choose(formats, request.args.get("format"), extra=["text/html"])
    return "html" if best == "text/html" else best


def suffixed(path: str):
    """URLs of a resource's formats by file suffix: /doc/x -> /doc/x.ttl"""
    return lambda suffix: public(f"{path}.{suffix}")


def alternates(formats: dict, url, html: bool = True) -> str:
    """The Link header: every format the resource is published in, each at its URL (url(suffix))."""
    links = [f'<{url("html")}>; rel="alternate"; type="text/html"'] if html else []
    links += [f'<{url(FORMATS[k][1])}>; rel="alternate"; type="{types[0]}"' for k, types in formats.items()]
    return ", ".join(links)


def respond(body: bytes | str, fmt: str, path: str, formats: dict, *, suffix: str | None, url=None, html: bool = True) -> Response:
    """`url(suffix)` gives each format's URL (file suffixes on `path` unless given); Content-Location
    names the format chosen when the request named none."""
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
    url = url or suffixed(path)
    response.headers["Link"] = alternates(formats, url, html)
    if not suffix:
        response.headers["Content-Location"] = url("html" if fmt == "html" else FORMATS[fmt][1])
    return response
