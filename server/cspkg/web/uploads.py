"""Plan upload: POST a workbook or Turtle; a conforming plan is written to its file and swapped into the store.

Writes are off unless the server has a write token (CSPKG_WRITE_TOKEN); a request must carry it
as `Authorization: Bearer <token>`. The data folder stays the source of truth: the plan file and
the store change in one commit under the writer lock (commits.py: the file is staged before the
store's `current` link is swapped and moved into place after it, its previous version kept under
data/history/), so a crash at any point leaves them agreeing once the next write or `cspkg serve`
has recovered. Every worker sees the new store on its next request.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, jsonify, request, send_file

from .. import intake as plan_intake
from .. import namespaces as ns
from .. import planfiles
from ..commits import WriterBusy
from ..update import replace_plan
from . import context
from .errors import ApiError

bp = Blueprint("uploads", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TURTLE = "text/turtle"


def authorise() -> None:
    token = context.settings().write_token
    if not token:
        raise ApiError(403, "writes are off on this server (it has no write token; see CSPKG_WRITE_TOKEN)")
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise ApiError(401, "a valid write token is needed: send it as 'Authorization: Bearer <token>'",
                       {"WWW-Authenticate": 'Bearer realm="cspkg"'})


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
    try:  # wait for a running build or upload, but answer before gunicorn's worker timeout (query_timeout + 30 s)
        result = replace_plan(settings.store, plan.plan, plan.triples, data_dir=settings.data, body=body_ttl, what="upload",
                              wait=settings.query_timeout + 15)
    except WriterBusy as err:
        raise ApiError(503, str(err), {"Retry-After": "30"}) from None
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
