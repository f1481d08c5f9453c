"""Delivery through the year beyond one plan's page: an action's history, return by return
(action-history), and the national view a Police and Crime Commissioner's office reads, each
partnership's latest return counted by status (delivery-across-partnerships), for every plan or for
the plans one body funds."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, make_response, request

from ...answers.catalogue import KINDS, short_key
from ..errors import ApiError
from . import areas
from .kit import ID, Page, key_of, number, one, routes, twin

bp = Blueprint("delivery", __name__)

ACTION = re.compile(re.escape(ID + "action/") + r"([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)")


@bp.app_template_filter("history")
def history_path(iri: str | None) -> str | None:
    """The history page of an action (/plans/<plan>/actions/<key>), or None for any other IRI."""
    match = ACTION.fullmatch(iri or "")
    return f"/plans/{match[1]}/actions/{match[2]}" if match else None


HISTORY_COLUMNS = (("period", "Period"), ("asAt", "As of"), ("statusLabel", "Status"), ("rag", "Red, amber or green"),
                   ("percentComplete", "Per cent complete"), ("commentary", "Commentary"), ("measured", "Measured (value and unit)"),
                   ("overdue", "Overdue as of this return"))


@routes(bp, "/plans/<key>/actions/<action>")
def action_history(key: str, action: str):
    page = Page()
    page.ahead(("plan-summary", {"plan": key}), ("plan-actions", {"plan": key}), ("action-history", {"action": f"{key}/{action}"}))
    summary = one(page, "plan-summary", "plan", key)[0]
    iri = f"{ID}action/{key}/{action}"
    listed = [a for a in page.ask("plan-actions", plan=key) if a["action"] == iri]  # one row per priority it serves
    if not listed:
        raise ApiError(404, f"no action '{action}' in the plan '{key}'; the plan's page, /plans/{key}, lists its actions")
    first = listed[0]
    due = first.get("dueDate")
    returns, before = [], None
    for r in page.ask("action-history", action=f"{key}/{action}"):
        returns.append({**r, "percentComplete": number(r.get("percentComplete")),
                        "measuredList": (r.get("measured") or "").split("; ") if r.get("measured") else [],
                        # as overdue-actions judges it: due before the return's as-of date, and neither complete
                        # nor "not stated" in it (a return that does not state a status does not say it was not done)
                        "overdue": "yes" if due and due < r["asAt"] and r["statusLabel"] not in ("complete", "not stated") else "no",
                        "was": before["statusLabel"] if before and before["statusLabel"] != r["statusLabel"] else None})
        before = r
    page.table("history", "The action, return by return", HISTORY_COLUMNS, returns)
    data = {"action": iri, "key": action, "label": first["actionLabel"],
            "plan": summary["plan"], "planKey": key, "planTitle": summary["title"],
            "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"]},
            "priorities": [{"iri": a["priority"], "number": a.get("priorityNumber"), "label": a.get("priorityLabel")}
                           for a in listed if a.get("priority")],
            "lead": first.get("lead"), "leadAgencies": first.get("leadAgencies"), "timing": first.get("timing"), "dueDate": due,
            "returns": returns, "latest": returns[-1] if returns else None}
    return page.respond("action-history.html", f"Action history: {first['actionLabel']}", data)


# The query's count columns in the order statuses are read (worst first), with each status's word and its
# red/amber/green reading as the delivery status scheme (ontology/cspkg.ttl, csp:ragRating) gives them.
COUNTS = (("offTrack", "off track", "red"), ("atRisk", "at risk", "amber"), ("notStarted", "not started", "grey"),
          ("onTrack", "on track", "green"), ("complete", "complete", "blue"), ("stopped", "stopped", "grey"),
          ("notStated", "not stated", "grey"))
ACROSS_COLUMNS = (("partnershipLabel", "Partnership"), ("planLabel", "Plan"), ("period", "Period"), ("asAt", "As of"),
                  *((column, status.capitalize()) for column, status, _ in COUNTS),
                  ("reported", "Actions reported on"), ("actions", "Actions in the plan"), ("funders", "Funded by"),
                  ("plan", "Link"))


def step(count: int, whole: int) -> int:
    """A share of the bar in steps of 5 per cent (CSS classes share-5 ... share-100), at least one step when not none."""
    if not count or not whole:
        return 0
    return min(100, max(5, round(count * 20 / whole) * 5))


def funder_key(iri: str) -> str:
    """How a funder is named in the page's address: an organisation by its short key (essex-pfcc, as the
    query's own funder parameter takes it), a partnership or other body of ours by its path under /id/."""
    key = short_key(KINDS["funder"], iri)
    return key if key != iri or not iri.startswith(ID) else iri[len(ID):]


def funders_of(rows: list[dict]) -> list[dict]:
    """The bodies the plans' funding names, from the query's "funders" and "funderAgents" columns,
    each with the key a reader chooses it by and how many of the plans it funds."""
    found: dict[str, dict] = {}
    for r in rows:
        names, iris = (r.get("funders") or "").split("; "), (r.get("funderAgents") or "").split()
        if len(names) != len(iris):
            continue
        for name, iri in zip(names, iris):
            found.setdefault(iri, {"iri": iri, "key": funder_key(iri), "label": name, "plans": 0})["plans"] += 1
    return sorted(found.values(), key=lambda f: (f["label"].casefold(), f["key"]))


@routes(bp, "/delivery")
def across():
    page = Page()
    everything = page.ask("delivery-across-partnerships")
    offered = funders_of(everything)
    given = request.args.get("funder", "").strip()
    problems = []
    if len(request.args.getlist("funder")) > 1:
        problems.append("parameter 'funder' is given more than once; give it once")
    elif given and given not in {f["key"] for f in offered}:
        listed = "; ".join(f["label"] for f in offered)
        problems.append(f"parameter 'funder': no plan with a progress return names '{given}' as a funder; "
                        + (f"choose one of the funders listed: {listed}" if offered else "no plan has a progress return yet"))
    funder = next((f for f in offered if f["key"] == given), None) if not problems else None
    rows = page.ask("delivery-across-partnerships", funder=funder["iri"]) if funder else everything
    # The partnerships by area and a page at a time (areas.py), in the query's order; the funder chosen is kept.
    chosen = areas.select(page, list(dict.fromkeys(r["partnership"] for r in rows)), keep=("funder",) if funder else ())
    plans = []
    for r in rows:
        if not chosen.keeps(r["partnership"]):
            continue
        actions, reported = number(r["actions"]) or 0, number(r["reported"]) or 0
        counts = [{"column": column, "status": status, "rag": rag, "count": number(r[column]) or 0,
                   "step": step(number(r[column]) or 0, actions)} for column, status, rag in COUNTS]
        plans.append({**r, "planKey": key_of(r["plan"], "plan"), "actions": actions, "reported": reported,
                      **{c["column"]: c["count"] for c in counts}, "counts": [c for c in counts if c["count"]],
                      "unreported": actions - reported, "unreportedStep": step(actions - reported, actions),
                      "report": f"/plans/{key_of(r['plan'], 'plan')}/report"})
    # The totals and the download cover every partnership in the area; the page shows one page of them.
    totals = [{"status": status, "rag": rag, "count": sum(p[column] for p in plans)} for column, status, rag in COUNTS]
    page.table("partnerships", "Delivery across the partnerships", ACROSS_COLUMNS, plans)
    data = {"funder": funder, "given": given, "funders": offered, "problems": problems,
            "plans": [p for p in plans if chosen.on_page(p["partnership"])], "planCount": len(plans),
            "totals": [t for t in totals if t["count"]], "reported": sum(p["reported"] for p in plans),
            "actions": sum(p["actions"] for p in plans)}
    title = f"Delivery across the partnerships: those funded by {funder['label']}" if funder else "Delivery across the partnerships"
    if problems:
        if twin(request.path)[1] in ("csv", "xlsx"):
            raise ApiError(400, "; ".join(problems))
        if twin(request.path)[1] == "json":
            response = jsonify({"ok": False, "status": 400, "error": "; ".join(problems),
                                "choices": {"funder": [{"key": f["key"], "label": f["label"]} for f in offered]}})
        else:
            response = make_response(page.respond("delivery.html", "Delivery across the partnerships: choose again", data))
        response.status_code = 400
        return response
    return areas.respond(page, chosen, "delivery.html", title, data)
