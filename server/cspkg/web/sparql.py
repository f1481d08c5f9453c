"""The SPARQL 1.1 Protocol endpoint `/sparql`: read-only, strict about the protocol.

GET, POST form and POST `application/sparql-query`; `default-graph-uri` and `named-graph-uri`
override any FROM/FROM NAMED; without them the default graph is the union of every graph. The
answer's format comes from Accept and from `format=`/`output=` as clients send them (see
negotiation.requested and choose_answer).
Graph IRIs not in the store are empty graphs: nothing is ever fetched. Updates, SERVICE and
LOAD are refused.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from flask import Blueprint, Response, render_template, request

from ..answers import sparqltext
from ..namespaces import PREFIXES
from ..answers.messages import Request
from . import context
from .errors import ApiError
from .negotiation import GRAPH, TABLE, choose, choose_answer, media_type, requested

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


def _charset_ok() -> bool:
    charset = request.mimetype_params.get("charset")
    return charset is None or charset.lower().replace("-", "") == "utf8"


def _params() -> dict[str, list[str]]:
    """Protocol parameters from the URL and, for a form POST, from the body."""
    params = {k: list(v) for k, v in request.args.lists()}
    if request.method == "POST" and request.mimetype == FORM:
        try:
            body = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(415, "the form body is not UTF-8") from None
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    return params


def _query_text(params: dict[str, list[str]]) -> str | None:
    if "update" in params or request.mimetype == UPDATE or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ApiError(400, "updates are not accepted: this endpoint is read-only")
    if request.method == "POST":
        if request.mimetype == DIRECT:
            if not _charset_ok():
                raise ApiError(415, "a query must be sent as UTF-8 (charset=utf-8)")
            try:
                direct = request.get_data().decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(415, "the query is not valid UTF-8") from None
            if "query" in params:
                raise ApiError(400, "send the query either in the body or as ?query=, not both")
            return direct
        if request.mimetype != FORM:
            got = request.mimetype or "no Content-Type"
            raise ApiError(415, f"POST needs Content-Type {FORM} or {DIRECT} (got {got})")
        if not _charset_ok():
            raise ApiError(415, "a form must be sent as UTF-8 (charset=utf-8)")
    queries = params.get("query", [])
    if len(queries) > 1:
        raise ApiError(400, "more than one 'query' parameter: send exactly one")
    return queries[0] if queries else None


def _check(text: str) -> tuple[str, sparqltext.Reading]:
    """The query's form and how it reads (tokenized once: the scan is a good part of a light query's cost).
    Text the tokenizer cannot read is refused here with its line and column; the engine's own parser
    is still the judge of the grammar."""
    if not text.strip():
        raise ApiError(400, "the 'query' parameter is empty")
    try:
        reading = sparqltext.read(text)
    except sparqltext.SparqlTextError as err:
        raise ApiError(400, str(err)) from None
    if reading.service:
        raise ApiError(400, "SERVICE is not allowed: this endpoint queries only its own store and never fetches from elsewhere")
    if sparqltext.UPDATES.intersection(reading.keywords):
        raise ApiError(400, "updates (including LOAD) are not accepted: this endpoint is read-only")
    return reading.form or "SELECT", reading


def _dataset(params) -> tuple[list[str] | None, list[str] | None]:
    defaults, named = params.get("default-graph-uri"), params.get("named-graph-uri")
    if defaults is None and named is None:
        return None, None
    return list(defaults or []), list(named or [])


def _service_description() -> Response:
    url = context.public(request.path)  # never the request's Host header (see context.base_url)
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
<{url}> a sd:Service ;
    sd:endpoint <{url}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph, sd:EmptyGraphs ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV, fmt:SPARQL_Results_TSV,
        fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML .
"""
    return Response(body, mimetype="text/turtle")


def boolean_table(json_body: bytes, fmt: str) -> bytes:
    """An ASK answer in CSV or TSV. The W3C CSV/TSV formats define SELECT only; this is the
    one-column table Jena writes and reads back as a boolean (`_askResult`, then true or false)."""
    value = "true" if json.loads(json_body)["boolean"] else "false"
    return f"_askResult\r\n{value}\r\n".encode() if fmt == "csv" else f"?_askResult\n{value}\n".encode()


@bp.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint():
    params = _params()
    text = _query_text(params)
    if text is None:
        if choose({"turtle": GRAPH["turtle"]}, extra=["text/html"]) == "text/html":
            examples = sorted(context.catalogue().values(), key=lambda q: q.name)
            return render_template("sparql.html", prefixes=PREFIXES, examples=examples)
        return _service_description()
    form, reading = _check(text)
    formats = TABLE if form in ("SELECT", "ASK") else GRAPH
    fmt = choose_answer(formats, requested(params, formats))
    defaults, named = _dataset(params)
    settings = context.settings()
    # The default graph is the union of all graphs unless the request or the query names a dataset.
    union = defaults is None and not reading.dataset  # FROM or FROM NAMED: the query names its dataset
    tabular_ask = form == "ASK" and fmt in ("csv", "tsv")  # the query process writes booleans in JSON or XML only
    answer = context.runner().run(Request(text, "json" if tabular_ask else fmt, default_graphs=defaults, named_graphs=named,
                                          union=union, max_rows=settings.max_rows, base=context.public(request.path)))
    body = boolean_table(answer.body, fmt) if tabular_ask else answer.body
    response = Response(body, mimetype=media_type(formats, fmt))
    if media_type(formats, fmt).startswith("text/") or "json" in fmt or fmt == "xml":
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-Result-Truncated"] = f"true; limit={settings.max_rows}"
    return response


@bp.route("/sparql", methods=["OPTIONS"])
def preflight():
    return Response(status=204, headers={"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                         "Access-Control-Allow-Headers": "Content-Type, Accept",
                                         "Access-Control-Max-Age": "86400"})
