"""The board report: a plan's latest progress return on one printable page (counts by status and
their change since the return before, the exceptions with their commentary, the overdue actions,
what moved), built from the delivery questions like every other page."""

from __future__ import annotations

from flask import Blueprint

from .kit import Page, one, routes
from .plans import STATUS_ORDER, latest_return

bp = Blueprint("reports", __name__)

EXCEPTION_COLUMNS = (("actionLabel", "Action"), ("statusLabel", "Status"), ("lead", "Lead"), ("commentary", "Commentary"), ("action", "Link"))
OVERDUE_COLUMNS = (("actionLabel", "Action"), ("timing", "Timing as the plan states it"), ("dueDate", "Due date (parsed)"),
                   ("statusLabel", "Status"), ("commentary", "Commentary"), ("action", "Link"))
STATUS_COLUMNS = (("status", "Status"), ("now", "This return"), ("before", "The return before"))


def rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


@routes(bp, "/plans/<key>/report")
def report(key: str):
    page = Page()
    summary = one(page, "plan-summary", "plan", key)[0]
    rows = page.ask("plan-delivery", plan=key)
    latest = latest_return(rows)
    counts = page.ask("delivery-summary", plan=key)
    periods = sorted({(r["asAt"], r["periodKey"], r["period"]) for r in counts})
    before = periods[-2] if len(periods) > 1 else None
    by_status = []
    for status in sorted({r["statusLabel"] for r in counts}, key=rank):
        now = sum(int(r["actions"]) for r in counts if r["statusLabel"] == status and periods and r["periodKey"] == periods[-1][1])
        was = sum(int(r["actions"]) for r in counts if r["statusLabel"] == status and before and r["periodKey"] == before[1])
        by_status.append({"status": status, "rag": next(r["rag"] for r in counts if r["statusLabel"] == status),
                          "now": now, "before": was if before else None})
    exceptions = sorted(page.ask("actions-at-risk", plan=key), key=lambda r: (rank(r["statusLabel"]), r["actionLabel"]))
    overdue = page.ask("overdue-actions", plan=key)
    moved = [r for r in rows if r.get("previousLabel") and r["previousLabel"] != r["statusLabel"]]
    worse = [r for r in moved if rank(r["statusLabel"]) < rank(r["previousLabel"])]
    page.table("statuses", "Actions by status", STATUS_COLUMNS, by_status)
    page.table("exceptions", "Off track and at risk", EXCEPTION_COLUMNS, exceptions)
    page.table("overdue", "Overdue", OVERDUE_COLUMNS, overdue)
    transitions: dict[tuple[str, str], list[str]] = {}
    for r in worse:
        transitions.setdefault((r["previousLabel"], r["statusLabel"]), []).append(r["action"])
    worse_by = [{"from": a, "to": b, "count": len(items), "actions": items} for (a, b), items in
                sorted(transitions.items(), key=lambda t: (rank(t[0][1]), rank(t[0][0])))]
    data = {"plan": summary["plan"], "key": key, "title": summary["title"],
            "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"]},
            "latest": latest, "before": {"periodKey": before[1], "period": before[2], "asAt": before[0]} if before else None,
            "byStatus": by_status, "exceptions": exceptions, "overdue": overdue,
            "moved": len(moved), "worse": worse, "worseBy": worse_by, "better": len(moved) - len(worse)}
    return page.respond("report.html", f"Board report: {summary['title']}", data)
