"""The year-on-year page: what a later plan carries over, adds and drops (`cspkg diff` as a page)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request

from .. import iris
from ..plans import files as planfiles
from ..plans.diff import as_json, compare
from . import context
from .errors import ApiError

bp = Blueprint("yearonyear", __name__)


def plan_keys(data: Path) -> list[str]:
    return sorted(p.stem for p in (data / "plans").glob("*.ttl") if planfiles.PLAN_KEY.fullmatch(p.stem))


@bp.get("/diff")
@bp.get("/diff.json")
def diff():
    data = context.settings().data
    for name in ("before", "after"):
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, f"parameter '{name}' is given more than once")
    before, after = request.args.get("before", ""), request.args.get("after", "")
    as_data = request.path.endswith(".json")
    result = None
    if before or after:
        known = plan_keys(data)
        for name, value in (("before", before), ("after", after)):
            if value not in known:  # one of the plan files' own names: nothing else reaches a path or a query
                raise ApiError(400, f"parameter '{name}': no plan {iris.short(value)!r}; give one of: {', '.join(known)}")
        result = compare(data, before, after)
    elif as_data:
        raise ApiError(400, "give two plans: ?before=<key>&after=<key>")
    if as_data:
        return Response(as_json(result), mimetype="application/json")
    return render_template("diff.html", plans=plan_keys(data), before=before, after=after, result=result)
