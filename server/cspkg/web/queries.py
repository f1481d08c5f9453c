"""Canned queries as a web API: `/queries`, `/queries/<name>[.json|.csv|.tsv|.rq]`, `/openapi.json`.

Parameter values are validated and bound as RDF terms (never pasted into the query text); answers
are paginated with a look-ahead row and `Link` headers, and cached per build with an ETag.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from ..catalogue import CannedQuery, bind
from ..errors import BadInput
from ..runner import Request
from ..spreadsheet import from_sparql_csv
from . import context
from .errors import ApiError
from .negotiation import TABLE, choose, media_type
from .openapi import document

bp = Blueprint("queries", __name__)


def _query(name: str) -> CannedQuery:
    queries = context.catalogue()
    if name not in queries:
        raise ApiError(404, f"no canned query named '{name}'; see /queries for the list")
    return queries[name]


@bp.get("/queries")
@bp.get("/queries.json")
def index():
    queries = list(context.catalogue().values())
    fmt = "json" if request.path.endswith(".json") else choose({"json": ["application/json"]}, extra=["text/html"])
    if fmt == "text/html":
        return render_template("queries.html", queries=queries)
    return jsonify([
        {"name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
         "parameters": [{"name": p.name, "type": p.type, "required": p.required, "default": q.defaults.get(p.name)} for p in q.params],
         "url": url_for("queries.run", name=q.name, _external=True)}
        for q in queries
    ])


@bp.get("/queries/<name>.rq")
def text(name: str):
    return Response(_query(name).text, mimetype="application/sparql-query")


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(context.catalogue().values(), request.host_url.rstrip("/")))


def _ask(sparql: str) -> bool:
    answer = context.runner().run(Request(sparql, "json"))
    return b"true" in answer.body


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"parameter 'page': {raw!r} is not a page number (1, 2, ...)")
    return int(raw)


def _values(query: CannedQuery) -> dict[str, str]:
    reserved = {"page", "format"}
    values = {k: v for k, v in request.args.items() if k not in reserved}
    for key in request.args:
        if key not in reserved and len(request.args.getlist(key)) > 1:
            raise ApiError(400, f"parameter '{key}' is given more than once")
    return values


def _links(name: str, suffix: str, page: int, more: bool) -> str:
    args = {k: v for k, v in request.args.items() if k != "page"}

    def link(n: int, rel: str) -> str:
        url = url_for("queries.run", name=name, _external=True) + suffix
        return f'<{url}?{urlencode({**args, "page": n})}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(page - 1, "prev"))
    if more:
        links.append(link(page + 1, "next"))
    return ", ".join(links)


def answer(query: CannedQuery, values: dict[str, str], fmt: str, page: int):
    """Rows of the query for one page, bound and run; with the look-ahead flag."""
    bound = bind(query, values, _ask)
    size = query.pagination
    sparql = query.text
    if size:
        sparql += f"\nLIMIT {size + 1} OFFSET {(page - 1) * size}"  # numbers we computed, not user text
    # The look-ahead row is read but not returned: the runner flags it as `truncated`.
    limit = min(size, context.settings().max_rows) if size else context.settings().max_rows
    result = context.runner().run(Request(sparql, fmt, substitutions={k: str(v) for k, v in bound.items()}, max_rows=limit))
    return bound, sparql, result


@bp.get("/queries/<name>")
@bp.get("/queries/<name>.<suffix>")
def run(name: str, suffix: str | None = None):
    query = _query(name)
    if suffix is not None and suffix not in TABLE:
        abort(404)
    explicit = suffix or request.args.get("format")
    fmt = choose(TABLE, explicit, extra=[] if explicit else ["text/html"])
    page = _page()
    values = _values(query)
    build = context.runner().build_id()
    key = hashlib.sha1(repr((build, name, sorted(values.items()), fmt, page)).encode()).hexdigest()
    etag = f'"{key}"'
    if request.if_none_match.contains(key):
        return Response(status=304, headers={"ETag": etag, "Vary": "Accept"})
    cached = context.cache().get(etag)
    if cached is None:
        cached = remember(etag, _render(query, values, fmt, page, suffix))
    body, mimetype, headers = cached
    response = Response(body, mimetype=mimetype, headers=headers)
    response.headers["ETag"] = etag
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-cache"  # revalidate: answers change only with a new build
    return response


def remember(key, value):
    """Keep an answer in the worker's cache (keys include the build), dropping the oldest when full."""
    cache, size = context.cache(), context.settings().cache_size
    if size:
        if len(cache) >= size:
            cache.pop(next(iter(cache)))  # oldest first
        cache[key] = value
    return value


def rows(name: str, values: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Every row of a canned query as plain values (IRIs and lexical forms), for the pages: bound
    and run as the API runs it, but not paginated; cached per build like the API's answers."""
    query = _query(name)
    values = values or {}
    key = ("rows", context.runner().build_id(), name, tuple(sorted(values.items())))
    cached = context.cache().get(key)
    if cached is not None:
        return cached
    bound = bind(query, values, _ask)
    result = context.runner().run(Request(query.text, "json", substitutions={k: str(v) for k, v in bound.items()},
                                          max_rows=context.settings().max_rows))
    table = json.loads(result.body)["results"]["bindings"]
    return remember(key, [{k: v["value"] for k, v in row.items()} for row in table])


def _render(query: CannedQuery, values: dict[str, str], fmt: str, page: int, suffix: str | None):
    rq = url_for("queries.text", name=query.name, _external=True)
    if fmt == "text/html":
        try:
            bound, sparql, result = answer(query, values, "json", page)
            error = None
        except BadInput as err:
            bound, sparql, result, error = {}, query.text, None, str(err)
        table = json.loads(result.body) if result else None
        more = bool(result and result.truncated)
        html = render_template("query.html", query=query, values={**query.defaults, **values}, table=table,
                               sparql=sparql, bound=bound, error=error, page=page, more=more)
        status_headers = {"Link": _links(query.name, "", page, more)}
        if error:
            raise ApiError(400, error)
        return html.encode(), "text/html", status_headers
    bound, sparql, result = answer(query, values, fmt, page)
    more = result.truncated and bool(query.pagination)
    # A canned answer's CSV is a download for spreadsheets: formula-like cells are neutralised.
    body = from_sparql_csv(result.body) if fmt == "csv" else result.body
    headers = {"Link": _links(query.name, f".{fmt}", page, more) + f', <{rq}>; rel="describedby"; type="application/sparql-query"'}
    headers["X-Bindings"] = "; ".join(f"{k}={v}" for k, v in bound.items())
    if result.truncated and not query.pagination:
        headers["X-Result-Truncated"] = f"true; limit={context.settings().max_rows}"
    return body, media_type(TABLE, fmt), headers
