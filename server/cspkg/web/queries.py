"""Canned queries as a web API: `/queries`, `/queries/<name>[.json|.csv|.tsv|.rq]`, `/openapi.json`.

Parameter values are validated and made RDF terms, which stand where their variables are written
(as grlc does with the same query files; terms written by the RDF library, never the user's text); answers
are paginated with a look-ahead row and `Link` headers, and cached per build with an ETag.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, g, has_request_context, jsonify, redirect, render_template, request

from .. import iris
from ..answers.catalogue import SHORT_KEY, CannedQuery, anchored, bind, prepared
from ..namespaces import ID
from ..errors import BadInput, CspkgError
from ..answers.messages import Request
from ..answers.spreadsheet import from_sparql_csv
from ..answers.sparqltext import with_value_list
from ..store import precomputed, textindex
from . import context, questions
from .context import cached, remember
from .errors import ApiError
from .negotiation import TABLE, choose, media_type
from .openapi import MAX_PAGE, document

bp = Blueprint("queries", __name__)
BINDING_SAFE = "<>:/#?@!$'()*+,-._~^\"\\"  # everything printable but the separators ; = and %, and space


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
        takes = [[questions.noun(p, q).lower() + ("" if p.required else " (optional)") for p in q.params] for q in queries]
        return render_template("queries.html", questions=list(zip(queries, takes)))
    return jsonify([
        {"name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
         "parameters": [{"name": p.name, "type": p.type, "required": p.required, "default": q.defaults.get(p.name)} for p in q.params],
         "url": context.public(f"/queries/{q.name}")}
        for q in queries
    ])


@bp.get("/queries/<name>.rq")
def text(name: str):
    return Response(_query(name).text, mimetype="application/sparql-query")


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(context.catalogue().values(), context.base_url(), keys(), graphs()))


def graphs() -> list[str]:
    """The store's named graphs, per build."""
    found = cached("graphs")
    if found is None:
        answer = context.runner().run(Request(GRAPHS, "json", max_rows=context.settings().max_rows))
        found = remember("graphs", [row["g"]["value"] for row in json.loads(answer.body)["results"]["bindings"]])
    return found


GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


ENUM_CAP = 2000  # members of a kind listed in the OpenAPI document; past this, it gives the form of a key instead


def keys() -> dict[str, list[str] | None]:
    """Every value an IRI parameter of each kind can take (short keys, then IRIs), per build; None
    for a kind with more than ENUM_CAP members."""
    found = cached("keys")
    if found is None:
        found = {}
        used = {p.kind for q in context.catalogue().values() for p in q.params if p.kind}
        for prefix, cls, _ in used:
            answer = context.runner().run(Request(MEMBERS, "json", substitutions={"class": str(ox.NamedNode(cls))}, max_rows=ENUM_CAP))
            if answer.truncated:
                found[prefix] = None
                continue
            members = [row["thing"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]
            short = [m[len(ID + prefix):] for m in members if m.startswith(ID + prefix) and SHORT_KEY.fullmatch(m[len(ID + prefix):])]
            found[prefix] = short + members
        remember("keys", found)
    return found


MEMBERS = "SELECT DISTINCT ?thing ?class WHERE { ?thing a ?class FILTER(isIRI(?thing)) } ORDER BY ?thing"  # ?class is bound


def _ask(sparql: str, substitutions: dict) -> bool:
    """The ASK query's answer, asked once per request: a page of twelve questions about one plan
    checks that the plan is a plan once, not twelve times in turn."""
    given = {k: str(v) for k, v in substitutions.items()}
    key = (sparql, tuple(sorted(given.items())))
    asked = g.setdefault("asked", {}) if has_request_context() else {}
    if key not in asked:
        asked[key] = bool(json.loads(context.runner().run(Request(sparql, "json", substitutions=given)).body)["boolean"])
    return asked[key]


def _page() -> int:
    raw = _one("page")
    if raw is None:
        return 1
    # ASCII digits only: int() would also take '٣' or a thousand-digit number
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(400, f"parameter 'page': {iris.short(raw)!r} is not a page number; give a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def _one(name: str) -> str | None:
    if len(request.args.getlist(name)) > 1:
        raise ApiError(400, f"parameter '{iris.short(name)}' is given more than once")
    return request.args.get(name)


def _values(query: CannedQuery) -> dict[str, str]:
    reserved = {"page", "format"}
    return {k: _one(k) for k in request.args if k not in reserved}


def _links(name: str, suffix: str, page: int, more: bool) -> str:
    # The parameters as read (one value each) and a non-empty format: the same as the cache key has.
    args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    if request.args.get("format"):
        args["format"] = request.args["format"]

    def link(n: int, rel: str) -> str:
        url = context.public(f"/queries/{name}{suffix}")
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
    items = indexed_page(query, bound, page) if size else None
    if items is not None:  # the page's items, chosen by the text index in the question's order
        sparql = over_items(query, bound, items)
    else:
        sparql = narrowed(query, bound, prepared(query, bound))
        if size:
            sparql += f"\nLIMIT {size + 1} OFFSET {(page - 1) * size}"  # numbers we computed, not user text
    # The look-ahead row is read but not returned: the runner flags it as `truncated`.
    limit = min(size, context.settings().max_rows) if size else context.settings().max_rows
    result = context.runner().run(Request(sparql, fmt, max_rows=limit, **kept_answer(query, bound, page)))
    return bound, sparql, result


def kept_answer(query: CannedQuery, bound: dict, page: int | None = 1, units: list[str] | None = None,
                where: tuple[str, str] | None = None) -> dict:
    """The Request fields that let the query process serve an answer the build keeps
    (store/precomputed.py): a kept question, asked with no parameter values (or, for one kept by
    value, with its one value), of the embedded store; one page of it, or (page None, as the pages
    for leads read it) every row."""
    kept = precomputed.key(query, bound)
    if kept is None or context.settings().backend == "remote":
        return {}
    size = query.pagination
    if not size or page is None:
        return {"precomputed": kept, "units": None if units is None else sorted(units), "where": where}
    return {"precomputed": kept, "offset": (page - 1) * size, "limit": size + 1}  # with the look-ahead row


@bp.get("/queries/<name>")
@bp.get("/queries/<name>.<suffix>")
def run(name: str, suffix: str | None = None):
    query = _query(name)
    if suffix is not None and suffix not in TABLE:
        abort(404)
    explicit = suffix or request.args.get("format")
    fmt = choose(TABLE, explicit, extra=[] if explicit else ["text/html"])
    page = _page()
    try:
        values = _values(query)
    except ApiError as err:  # a parameter given twice: for people, the form again
        if fmt != "text/html":
            raise
        return _form_again(query, {}, questions.resolve(query, {}, rows)[1], page, err.message)
    if fmt == "text/html":
        # A name typed for a parameter becomes its key (by a redirect, so that the address, the
        # download links and the cache all hold keys); a value that is neither shows the form again.
        resolved, fields = questions.resolve(query, values, rows)
        if any(f.problem for f in fields.values()):
            return _form_again(query, values, fields, page, next(f.problem for f in fields.values() if f.problem))
        if resolved != values:
            return redirect(_address(query.name, resolved, page), code=303)
    build = context.runner().build_id()
    # The Link headers repeat the suffix and the format parameter, so both are part of the key.
    key = hashlib.sha1(repr((build, name, sorted(values.items()), fmt, page, suffix, request.args.get("format") or "")).encode()).hexdigest()
    etag = f'"{key}"'
    if request.if_none_match.contains(key):
        return Response(status=304, headers={"ETag": etag, "Vary": "Accept"})
    # The Link headers are absolute URLs on the request's base, so the base is part of the cache key.
    kept = cached(("answer", key, context.base_url()))
    if kept is None:
        try:
            body, mimetype, headers = remember(("answer", key, context.base_url()), _render(query, values, fmt, page, suffix))
        except BadInput as err:  # e.g. an IRI of the wrong kind, or a parameter the query does not take
            if fmt != "text/html":
                raise
            return _form_again(query, values, questions.resolve(query, values, rows)[1], page, str(err))
    else:
        body, mimetype, headers = kept
    response = Response(body, mimetype=mimetype, headers=headers)
    response.headers["X-Cache"] = "HIT" if kept else "MISS"  # from the cache every worker shares, or computed now
    response.headers["ETag"] = etag
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-cache"  # revalidate: answers change only with a new build
    return response


def narrowed(query: CannedQuery, bound: dict, sparql: str) -> str:
    """The question as it is run: anchored at each parameter given that keeps only its own rows
    (the header's `anchors`), and a search limited to the items the build's text index finds
    (store/textindex.py), over its candidates only; as written when there is no index to ask."""
    sparql = anchored(query, bound, sparql)
    served = textindex.SERVES.get(query.name)
    if served is None or "_text" not in bound or context.settings().backend == "remote":
        return sparql
    found = textindex.candidates(Path(context.runner().store_for()), bound["_text"].value, served[1])
    if found is None:
        return sparql
    return with_value_list(sparql, served[0], [f"<{item}>" for item in found])


def over_items(query: CannedQuery, bound: dict, items: list[str]) -> str:
    """The question as it is run over these items alone (IRIs in SPARQL form, chosen by the text
    index): its items' variable limited to them by a VALUES block."""
    return with_value_list(anchored(query, bound, prepared(query, bound)), textindex.SERVES[query.name][0], items)


def indexed(query: CannedQuery, bound: dict) -> list[tuple[str, str]] | None:
    """(kind, item) of every row of a question whose order the build's text index keeps
    (textindex.ORDERS), in the question's order; None when the index cannot say, and the question
    is then run over its candidates (`narrowed`)."""
    if query.name not in textindex.ORDERS or "_text" not in bound or context.settings().backend == "remote":
        return None
    return textindex.ordered(Path(context.runner().store_for()), bound["_text"].value, query.name)


def indexed_page(query: CannedQuery, bound: dict, page: int) -> list[str] | None:
    """The items of one page of a paginated question whose order the text index keeps, and the
    look-ahead item after them (as IRIs in SPARQL form): run over these alone, the question gives
    that page's rows, in order. None when the index cannot say."""
    every = indexed(query, bound)
    if every is None:
        return None
    size = query.pagination
    return [f"<{item}>" for _, item in every[(page - 1) * size: page * size + 1]]


def _address(name: str, values: dict[str, str], page: int = 1) -> str:
    """The page's own address (relative) with these values, for links and redirects."""
    args = {k: v for k, v in values.items() if v != ""}
    if page > 1:
        args["page"] = page
    return f"/queries/{name}" + (f"?{urlencode(args, safe='/')}" if args else "")


def _page_html(query: CannedQuery, values: dict[str, str], fields: dict, page: int, table=None, sparql=None,
               bound=None, more=False, problem=None, cut=None) -> str:
    given = {k: v for k, v in values.items() if v != ""}
    args = urlencode(given, safe="/")
    return render_template(
        "query.html", query=query, fields=list(fields.values()), problem=problem, page=page, more=more, cut=cut,
        table=table, people=questions.people_table(query, table, bound or {}) if table else None,
        # without the #+ header (its summary and description are on the page; its lists are long)
        sparql="\n".join(line for line in (sparql or query.text).splitlines() if not line.startswith("#+")),
        bound=bound or {}, args=("?" + args) if args else "",
        previous=_address(query.name, given, page - 1) if page > 1 else None,
        following=_address(query.name, given, page + 1) if more else None)


def _form_again(query: CannedQuery, values: dict[str, str], fields: dict, page: int, problem: str) -> Response:
    """The form with the problem said in words and the choices offered: a 400, never cached."""
    html = _page_html(query, values, fields, page, problem=problem)
    return Response(html, status=400, mimetype="text/html", headers={"Cache-Control": "no-store", "Vary": "Accept"})


def rows(name: str, values: dict[str, str] | None = None, units: list[str] | None = None,
         items: list[str] | None = None, where: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """Every row of a canned query as plain values (IRIs and lexical forms), for the pages: bound
    and run as the API runs it, but not paginated; cached per build like the API's answers.
    With `units` (IRIs of the question's kept unit, such as plans), an answer the build keeps by
    unit gives only their rows, so a page of 25 partnerships need not read 2,000 plans' rows; any
    other answer is given whole, and the page keeps the rows it wants. With `items` (IRIs, of a
    question the text index serves, from `listing`), the question is run over those items alone.
    With `where` (a column and an IRI), an answer the build keeps gives only its rows with that IRI
    in that column; one run gives every row, so the caller still keeps the rows it wants."""
    key, ready, request = _rows_request(name, values, units, items, where)
    if ready is not None:
        return ready
    return _rows_of(key, context.runner().run(request))


def listing(name: str, values: dict[str, str]) -> list[tuple[str, str]] | None:
    """(kind, item) of every row of a question whose order the text index keeps (`indexed`), bound
    as the API binds it; None when the index cannot say. Cached per build."""
    key = ("listing", name, tuple(sorted(values.items())))
    kept = cached(key)
    if kept is None:
        query = _query(name)
        kept = remember(key, {"items": indexed(query, bind(query, values, _ask))})
    return kept["items"]


def _rows_request(name: str, values: dict[str, str] | None, units: list[str] | None, items: list[str] | None = None,
                  where: tuple[str, str] | None = None):
    """(cache key, the rows if the cache has them, else the Request that answers them)."""
    query = _query(name)
    values = values or {}
    key = ("rows", name, tuple(sorted(values.items())), None if units is None else tuple(sorted(units)),
           None if items is None else tuple(items), where)
    kept = cached(key)
    if kept is not None:
        return key, kept, None
    bound = bind(query, values, _ask)
    if items is not None:
        sparql = over_items(query, bound, [f"<{i}>" for i in items])
    else:
        sparql = narrowed(query, bound, prepared(query, bound))
    # Asked as TSV and read by Oxigraph's parser: a kept answer is passed on as stored, and reading
    # 2,000 rows this way takes a third of the time JSON does (which names every literal's datatype).
    return key, None, Request(sparql, "tsv", max_rows=context.settings().max_rows,
                              **kept_answer(query, bound, page=None, units=units, where=where))


def _rows_of(key, result) -> list[dict[str, str]]:
    solutions = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.TSV)
    names = [v.value for v in solutions.variables]
    return remember(key, [{k: term.value for k, term in zip(names, row) if term is not None} for row in solutions])


def rows_together(asks: list[tuple]) -> dict[int, list[dict[str, str]]]:
    """The rows of several questions (name, values, and optionally `where` as `rows` takes it),
    their queries run at the same time, each on a query process of its own (a worker has
    `query_processes` of them): a page of many questions then waits about as long as its slowest,
    not their sum. Returns the rows by position in `asks`; a
    question that fails here is left out, for the page to ask again and handle as it does alone.
    Binding, the cache and reading the rows stay on this thread; the queries, in their own
    processes, run in parallel (this thread only waits on their pipes)."""
    planned, out = {}, {}
    for i, (name, values, *where) in enumerate(asks):
        try:
            key, ready, request = _rows_request(name, values, None, None, *where)
        except (CspkgError, ApiError):
            continue
        if ready is not None:
            out[i] = ready
        else:
            planned[i] = (key, request)
    runner = context.runner()
    runner.store_for()  # the build is pinned here, before the threads read it

    def run(request):
        try:
            return runner.run(request)
        except CspkgError:
            return None

    workers = min(context.settings().query_processes, len(planned))

    def answered():
        """(position, result) of each planned question, as each comes."""
        if workers < 2:  # one query process, or one question to run: in turn, on this thread
            yield from ((i, run(request)) for i, (_, request) in planned.items())
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            running = {pool.submit(run, request): i for i, (_, request) in planned.items()}
            yield from ((running[done], done.result()) for done in as_completed(running))

    # Each answer is read as soon as it comes, while the slower questions still run: a page's kept
    # answers (thousands of rows) are read in the time it waits for its slowest question.
    for i, result in answered():
        if result is not None:
            out[i] = _rows_of(planned[i][0], result)
    return out


def _render(query: CannedQuery, values: dict[str, str], fmt: str, page: int, suffix: str | None):
    rq = context.public(f"/queries/{query.name}.rq")
    if fmt == "text/html":
        bound, sparql, result = answer(query, values, "json", page)
        table = json.loads(result.body)
        more = bool(result.truncated)
        # the look-ahead row of a paginated answer, or the server's row cap on one that is not
        cut = context.settings().max_rows if more and not query.pagination else None
        html = _page_html(query, values, questions.resolve(query, values, rows)[1], page, table=table, sparql=sparql,
                          bound=bound, more=more and not cut, cut=cut)
        return html.encode(), "text/html", {"Link": _links(query.name, "", page, more)}
    bound, sparql, result = answer(query, values, fmt, page)
    more = result.truncated and bool(query.pagination)
    # A canned answer's CSV is a download for spreadsheets: formula-like cells are neutralised.
    body = from_sparql_csv(result.body) if fmt == "csv" else result.body
    headers = {"Link": _links(query.name, f".{fmt}", page, more) + f', <{rq}>; rel="describedby"; type="application/sparql-query"'}
    # each term in N-Triples, percent-encoded (UTF-8): a header holds only Latin-1, and no value
    # can add a separator or a line of its own
    headers["X-Bindings"] = "; ".join(f"{k}={quote(str(v), safe=BINDING_SAFE)}" for k, v in bound.items())
    if result.truncated and not query.pagination:
        headers["X-Result-Truncated"] = f"true; limit={context.settings().max_rows}"
    return body, media_type(TABLE, fmt), headers
