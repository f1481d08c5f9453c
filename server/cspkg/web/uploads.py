"""Plan upload: POST a workbook or Turtle; a conforming plan is written to its file and swapped into the store.

Writes are off unless the server has a write token (CSPKG_WRITE_TOKEN, the administrator's: any
plan) or partnership tokens (CSPKG_TOKENS_FILE, from `cspkg token issue`: that partnership's plans);
a request must carry one as `Authorization: Bearer <token>`. An upload may describe only its own
plan's resources, blank nodes and new resources (ownership.py), checked under the writer lock.
The data folder stays the source of truth: the plan file and the store change in one commit under
the writer lock (commits.py: the file is staged before the store's `current` link is swapped and
moved into place after it, its previous version kept under data/history/), so a crash at any point
leaves them agreeing once the next write or `cspkg serve` has recovered. Every worker sees the new
store on its next request. A progress return (POST /plans/<key>/returns) goes the same way: its
file under data/returns/ and its graph, put in the store with its plan (pipeline/replace.py).
"""

from __future__ import annotations

import hmac
import logging

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from ..plans import intake as plan_intake
from .. import namespaces as ns
from ..plans import ownership, files as planfiles, tokens
from ..returns import files as returnfiles, model as returnmodel
from ..returns.workbook import ReturnProblems, read as read_return, where_parts
from ..store.commits import WriterBusy
from ..store.embedded import EmbeddedStore
from ..errors import BadInput
from ..pipeline.replace import replace_plan
from . import context
from .errors import ApiError

bp = Blueprint("uploads", __name__)
log = logging.getLogger("cspkg.web")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TURTLE = "text/turtle"


def authorise() -> None:
    """Let the request write if it carries the administrator's token (any plan) or a partnership's
    token from the token file (that partnership's plans only: see refuse_foreign_writes)."""
    settings = context.settings()
    registry = _registry(settings.tokens_file)
    try:
        scoped = registry.entries()
    except BadInput as err:  # a damaged token file: trust none of it, and tell the administrator
        log.error("write tokens: %s", err)
        raise ApiError(503, "write tokens cannot be checked: the server's token file is damaged (its log says where)") from None
    if not settings.write_token and not scoped:
        raise ApiError(403, "writes are off on this server (it has no write token; see CSPKG_WRITE_TOKEN and `cspkg token`)")
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        if settings.write_token and hmac.compare_digest(value.encode(), settings.write_token.encode()):
            g.cspkg_writer = None  # the administrator: any plan
            return
        entry = registry.match(value)
        if entry is not None:
            g.cspkg_writer = entry
            return
    raise ApiError(401, "a valid write token is needed: send it as 'Authorization: Bearer <token>'",
                   {"WWW-Authenticate": 'Bearer realm="cspkg"'})


_registries: dict = {}


def _registry(path):
    if path not in _registries:
        _registries[path] = tokens.Registry(path)
    return _registries[path]


class Refused(Exception):
    """The upload writes what its writer does not own: its 422 answer."""

    def __init__(self, response):
        super().__init__("refused")
        self.response = response


def _guard(plan, store) -> None:
    if (response := refuse_foreign_writes(plan, store)) is not None:
        raise Refused(response)


def refuse_foreign_writes(plan, store):
    """A response refusing the upload if it writes what its writer does not own; None if it may go on.

    A partnership's token writes only plans of that partnership, as the upload names it and as the
    stored plan with the same key names it (so a plan cannot be taken over by renaming its
    partnership): 403. Any writer's upload may describe only its own plan's resources, blank nodes
    and new resources: 422 naming each refused statement (see ownership.py).
    """
    entry = g.get("cspkg_writer")
    if entry is not None:
        named, stored = ownership.upload_partnerships(plan.plan, plan.triples), ownership.stored_partnerships(store, plan.plan)
        if named != [entry.partnership] or stored not in ([], [entry.partnership]):
            raise ApiError(403, f"this token is for partnership {entry.partnership}; plan {plan.plan} belongs to "
                                + _partnerships(named, stored) + "; nothing was changed")
    refused = ownership.refusals(store, plan.plan, plan.triples) + ownership.area_refusals(store, getattr(plan, "area", None))
    if not refused:
        return None
    response = jsonify({"ok": False, "status": 422,
                        "error": f"plan {plan.plan}'s upload makes {len(refused)} statement(s) about resources it does not own; "
                                 "nothing was changed",
                        "refused": [r.as_json() for r in refused]})
    response.status_code = 422
    return response


def _partnerships(named: list[str], stored: list[str]) -> str:
    upload = f"partnership {', '.join(named)} in the upload" if named else "no partnership in the upload (csp:partnership)"
    return upload + (f" and partnership {', '.join(stored)} in the store" if stored else "")


def finding_json(plan, f) -> dict:
    sheet, row = plan.rows.get(f.focus, (None, None))
    return {"severity": f.severity, "where": plan.where(f), "sheet": sheet, "row": row,
            "item": f.focus, "path": f.path, "message": f.message}


@bp.post("/plans")
def upload():
    authorise()
    settings = context.settings()
    if settings.backend != "embedded":
        raise ApiError(501, "uploads swap a plan into the embedded store; with a remote store, run `cspkg import` "
                            "and then `cspkg build` (which writes the remote store)")
    request.max_content_length = settings.max_upload
    kind = (request.mimetype or "").lower()
    name = request.headers.get("X-Filename") or ("upload.xlsx" if kind == XLSX else "upload.ttl")
    body = request.get_data(cache=False)
    if not body:
        raise ApiError(400, "the request has no body: send the workbook (.xlsx) or the plan's Turtle")
    if kind == XLSX:
        plan = plan_intake.from_workbook(data=body, name=name, data_dir=settings.data)
    elif kind in (TURTLE, "application/x-turtle"):
        plan = plan_intake.from_turtle(body, name)
    else:
        raise ApiError(415, f"send a workbook as {XLSX} or a plan as {TURTLE} (got '{kind or 'no Content-Type'}')")
    if plan.problems:
        return jsonify({"ok": False, "status": 400, "error": "the workbook could not be read; nothing was changed",
                        "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message, "where": str(p)}
                                     for p in plan.problems]}), 400
    body_ttl = planfiles.turtle(plan.triples, plan.plan)
    # One commit for the plan file and the store (commits.py): a crash at any point leaves them agreeing.
    # What the upload may write is checked against the store under the same lock, so two uploads
    # cannot both claim one new resource.
    try:  # wait for a running build or upload, but answer before gunicorn's worker timeout (query_timeout + 30 s)
        result = replace_plan(settings.store, plan.plan, plan.triples, data_dir=settings.data, body=body_ttl, what="upload",
                              wait=settings.query_timeout + 15, guard=lambda store: _guard(plan, store), area=plan.area)
    except WriterBusy as err:
        raise ApiError(503, str(err), {"Retry-After": "30"}) from None
    except Refused as refused:
        return refused.response
    for sentence in result.recovered:
        current_app.logger.warning("cspkg: recovered: %s", sentence)
    existed = result.existed
    plan.findings = result.findings
    findings = [finding_json(plan, f) for f in sorted(plan.findings, key=plan.order)]
    if result.violations:
        return jsonify({"ok": False, "status": 422, "error": f"plan {plan.plan} does not conform: nothing was changed",
                        "report": plan.report(), "findings": findings, "recovered": result.recovered}), 422
    response = jsonify({"ok": True, "plan": plan.plan, "iri": ns.plan_iri(plan.plan), "graph": ns.plan_graph(plan.plan),
                        "triples": result.asserted, "inferred": result.inferred, "build": result.store_path.name,
                        "previous": result.kept.name if result.kept else None,
                        "new": list(plan.area.new) if getattr(plan, "area", None) is not None else [],
                        "report": plan.report(), "findings": findings, "recovered": result.recovered})
    response.status_code = 200 if existed else 201
    response.headers["Location"] = f"/doc/plan/{plan.plan}"
    return response


@bp.get("/plans/<key>/versions")
def versions(key: str):
    data = context.settings().data
    if not planfiles.PLAN_KEY.match(key) or not planfiles.plan_path(data, key).exists():
        raise ApiError(404, f"no plan '{key}'")
    return jsonify({"plan": key, "current": f"/graph/plan/{key}",
                    "versions": [{"version": p.stem, "url": f"/plans/{key}/versions/{p.stem}"} for p in planfiles.versions(data, key)]})


@bp.get("/plans/<key>/versions/<version>")
def version(key: str, version: str) -> Response:
    data = context.settings().data
    found = {p.stem: p for p in planfiles.versions(data, key)} if planfiles.PLAN_KEY.match(key) else {}
    if version not in found:
        raise ApiError(404, f"plan '{key}' has no kept version '{version}'")
    return send_file(found[version], mimetype="text/turtle", download_name=f"{key}-{version}.ttl")


@bp.post("/plans/<key>/returns")
def upload_return(key: str):
    """A progress return workbook for plan `key`: checked as `cspkg returns import` checks it, written
    to data/returns/<plan>/<period>.ttl (the period's earlier return kept under data/history/returns/)
    and put in the store with its plan, reasoned and validated with it, in one writer-lock hold."""
    authorise()
    settings = context.settings()
    if settings.backend != "embedded":
        raise ApiError(501, "returns are swapped into the embedded store; with a remote store, run `cspkg returns import` "
                            "and then `cspkg build`")
    if not planfiles.PLAN_KEY.match(key) or not planfiles.plan_path(settings.data, key).exists():
        raise ApiError(404, f"no plan '{key}'")
    request.max_content_length = settings.max_upload
    kind = (request.mimetype or "").lower()
    if kind != XLSX:
        raise ApiError(415, f"send the return workbook (from `cspkg returns template`) as {XLSX} (got '{kind or 'no Content-Type'}')")
    body = request.get_data(cache=False)
    if not body:
        raise ApiError(400, "the request has no body: send the filled return workbook (.xlsx)")
    _refuse_other_partnership(key, None)  # before reading: a token for another partnership learns nothing
    name = request.headers.get("X-Filename") or "return.xlsx"
    try:
        ret = read_return(body, settings.data, name=name)
    except ReturnProblems as err:
        return jsonify({"ok": False, "status": 422,
                        "error": f"the return was not imported ({len(err.located)} problem(s)); nothing was written",
                        "problems": [{**where_parts(where), "where": where, "message": what} for where, what in err.located]}), 422
    except BadInput as err:  # no plan or period to check the rows against, or not a return workbook at all
        return jsonify({"ok": False, "status": 422, "error": f"{err}; nothing was written", "problems": []}), 422
    if ret.plan != key:
        return jsonify({"ok": False, "status": 422,
                        "error": f"the workbook is a return for plan {ret.plan} (sheet Return, row Plan), but it was sent to "
                                 f"plan {key}'s address; send it to /plans/{ret.plan}/returns; nothing was written",
                        "plan": key, "workbook_plan": ret.plan}), 422
    ttl = returnmodel.turtle(ret)
    graph = ret.graph
    period = ret.period.key
    # The return's file is committed with the store (staged, swapped, moved into place; recovered after
    # a crash), so the data folder and the store never disagree about it.
    try:
        result = replace_plan(settings.store, key, None, what="return", wait=settings.query_timeout + 15,
                              guard=lambda store: _refuse_other_partnership(key, store),
                              new_returns={graph: return_triples(ttl)},
                              change=returnfiles.ReturnChange(settings.data, key, period, ttl))
    except WriterBusy as err:
        raise ApiError(503, str(err), {"Retry-After": "30"}) from None
    for sentence in result.recovered:
        current_app.logger.warning("cspkg: recovered: %s", sentence)
    findings = [{"severity": f.severity, "item": f.focus, "path": f.path, "message": f.message} for f in result.findings]
    if result.violations:
        return jsonify({"ok": False, "status": 422, "error": f"plan {key} with this return does not conform: nothing was written",
                        "findings": findings, "recovered": result.recovered}), 422
    kept = result.kept
    response = jsonify({"ok": True, "plan": key, "period": period, "period_label": ret.period.label,
                        "as_of": ret.as_of.isoformat(), "graph": graph, "iri": ret.iri, "build": result.store_path.name,
                        "replaced": result.existed, "updates": len(ret.updates),
                        "summary": returnmodel.summary(ret),
                        "history": str(kept.relative_to(settings.data.resolve())) if kept else None,
                        "findings": findings, "recovered": result.recovered})
    response.status_code = 200 if result.existed else 201
    response.headers["Location"] = f"/graph/return/{key}/{period}"
    return response


def return_triples(body: bytes) -> list:
    """The return's triples as a build reads them from its file."""
    return list(ox.parse(body, format=ox.RdfFormat.TURTLE))


def _refuse_other_partnership(key: str, store) -> None:
    """A partnership's token writes returns only for its own partnership's plans, as the store names them: 403."""
    entry = g.get("cspkg_writer")
    if entry is None:
        return
    if store is None:
        store = EmbeddedStore.open(context.settings().store)
    stored = ownership.stored_partnerships(store, key)
    if stored != [entry.partnership]:
        raise ApiError(403, f"this token is for partnership {entry.partnership}; plan {key} belongs to "
                            + (f"partnership {', '.join(stored)}" if stored else "no partnership in the store")
                            + "; nothing was changed")
