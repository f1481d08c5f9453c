"""The year-on-year page: what a later plan of a partnership carries over, adds and drops (`cspkg diff`
as a page). Only two plans of one partnership are compared here; the command compares any two."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request

from .. import iris
from ..plans import files as planfiles
from ..plans.diff import as_json, compare
from . import context
from .errors import ApiError, wants_html
from .queries import rows

bp = Blueprint("yearonyear", __name__)


def plan_keys(data: Path) -> list[str]:
    return sorted(p.stem for p in (data / "plans").glob("*.ttl") if planfiles.PLAN_KEY.fullmatch(p.stem))


def plan_names(known: list[str]) -> dict[str, dict]:
    """Each plan file's title, period and partnership, from the plans query (a plan not yet built has its key only)."""
    listed = {r["plan"].rsplit("/", 1)[1]: r for r in rows("plans")}
    return {key: {"key": key, "title": listed[key]["title"] if key in listed else key, "period": listed.get(key, {}).get("period"),
                  "partnership": listed.get(key, {}).get("partnership"), "partnershipLabel": listed.get(key, {}).get("partnershipLabel")}
            for key in known}


def grouped(names: dict[str, dict]) -> list[dict]:
    """The choices by partnership, for the form's option groups."""
    groups: dict[str, dict] = {}
    for plan in sorted(names.values(), key=lambda p: (p["partnershipLabel"] or "~", p["key"])):
        groups.setdefault(plan["partnership"] or "", {"label": plan["partnershipLabel"] or "Plans not yet built", "plans": []})["plans"].append(plan)
    return list(groups.values())


def problem(before: str, after: str, known: list[str], names: dict[str, dict]) -> str | None:
    """Why these two plans cannot be compared here, with the plans that can; None when they can."""
    for name, value in (("before", before), ("after", after)):
        if value not in known:  # one of the plan files' own names: nothing else reaches a path or a query
            return f"parameter '{name}': no plan {iris.short(value)!r}; give one of: {', '.join(known)}"
    a, b = names[before], names[after]
    if a["partnership"] is None or a["partnership"] != b["partnership"]:
        same = [p for p in names.values() if p["partnership"] == a["partnership"] and p["key"] != before] if a["partnership"] else []
        valid = "; ".join(f"{p['title']} ({p['key']})" for p in same) or "none: it is the only plan of its partnership here"
        return (f"parameter 'after': '{b['title']}' is a plan of {b['partnershipLabel'] or 'a partnership not yet built'}, and "
                f"'{a['title']}' of {a['partnershipLabel'] or 'a partnership not yet built'}; only plans of one partnership are compared "
                f"year on year. Plans to compare with '{a['title']}': {valid}")
    return None


@bp.get("/diff")
@bp.get("/diff.json")
def diff():
    data = context.settings().data
    for name in ("before", "after"):
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, f"parameter '{name}' is given more than once")
    before, after = request.args.get("before", ""), request.args.get("after", "")
    as_data = request.path.endswith(".json")
    if as_data and not (before or after):
        raise ApiError(400, "give two plans of one partnership: ?before=<key>&after=<key>")
    known = plan_keys(data)
    names = plan_names(known)
    form = {"groups": grouped(names), "before": before, "after": after, "result": None, "error": None}
    if not (before or after):
        return render_template("diff.html", **form)
    error = problem(before, after, known, names)
    if error:
        if as_data or not wants_html():
            raise ApiError(400, error)
        return Response(render_template("diff.html", **{**form, "error": error}), status=400, mimetype="text/html")
    result = compare(data, before, after)
    if as_data:
        return Response(as_json(result), mimetype="application/json")
    return render_template("diff.html", **{**form, "result": result, "names": {"before": names[before], "after": names[after]}})
