"""The board report: a plan's progress return on one printable page (counts by status and their
change since the return before, the exceptions with their commentary, the overdue actions, what
moved, spend against stated amounts), built from the delivery questions like every other page.

Without `?period=` it shows the latest return; with a period key (2023-24-q1) that period's return,
compared with the return before it and judged as of its own date: the page passes the key to the
same canned questions, whose default is the latest return, so the page and the API agree.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, make_response, request

from ... import iris
from ...errors import BadInput
from ...returns.periods import HOW, period as read_period
from ..errors import ApiError
from .kit import Page, number, one, routes, twin
from .plans import STATUS_ORDER, latest_return

bp = Blueprint("reports", __name__)

EXCEPTION_COLUMNS = (("actionLabel", "Action"), ("statusLabel", "Status"), ("lead", "Lead"), ("commentary", "Commentary"), ("action", "Link"))
OVERDUE_COLUMNS = (("actionLabel", "Action"), ("timing", "Timing as the plan states it"), ("dueDate", "Due date (parsed)"),
                   ("statusLabel", "Status"), ("commentary", "Commentary"), ("action", "Link"))
STATUS_COLUMNS = (("status", "Status"), ("now", "This return"), ("before", "The return before"))
SPEND_COLUMNS = (("actionLabel", "Action"), ("fundingKind", "Funding as the plan states it"), ("statedGBP", "Stated (£)"),
                 ("spentGBP", "Spent to date (£)"), ("spentPercent", "Spent (% of stated)"), ("action", "Link"))


def rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def returns_of(counts: list[dict], key: str) -> list[dict]:
    """The plan's returns, earliest first, from delivery-summary's rows: period key, period, as-of
    date, and the report for it."""
    found = sorted({(r["asAt"], r["periodKey"], r["period"]) for r in counts})
    return [{"asAt": at, "periodKey": k, "period": label, "href": f"/plans/{key}/report?{urlencode({'period': k})}"}
            for at, k, label in found]


def chosen_period(returns: list[dict]) -> tuple[dict | None, str | None]:
    """The return the page shows (None when the plan has none) and the period key asked for (None
    without ?period=). A text that is not a period key is a 400 in the words of returns/periods.py."""
    raw = request.args.get("period")
    if raw is None or raw.strip() == "":
        return (returns[-1] if returns else None), None
    if len(raw) > 20:  # longer than any period key: quoted back cut short
        raise ApiError(400, f"parameter 'period': {iris.short(raw, 20)!r} is not a reporting period; {HOW}")
    try:
        asked = read_period(raw, "parameter 'period'").key
    except BadInput as err:
        raise ApiError(400, str(err)) from None
    return next((r for r in returns if r["periodKey"] == asked), None), asked


@routes(bp, "/plans/<key>/report")
def report(key: str):
    page = Page()
    page.ahead(("plan-summary", {"plan": key}), ("delivery-summary", {"plan": key}))
    summary = one(page, "plan-summary", "plan", key)[0]
    counts = page.ask("delivery-summary", plan=key)
    returns = returns_of(counts, key)
    shown, asked = chosen_period(returns)
    base = {"plan": summary["plan"], "key": key, "title": summary["title"],
            "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"]}, "returns": returns}
    if asked and shown is None:
        return no_return_for(page, base, asked)
    at = {"plan": key, **({"period": asked} if asked else {})}  # the questions' default is the latest return
    rows = page.ask("plan-delivery", **at)
    latest = latest_return(rows)
    if latest:
        latest["periodKey"] = shown["periodKey"]
    earlier = [r for r in returns if shown and r["asAt"] < shown["asAt"]]
    before = earlier[-1] if earlier else None
    by_status = []
    for status in sorted({r["statusLabel"] for r in counts}, key=rank):
        now = sum(int(r["actions"]) for r in counts if r["statusLabel"] == status and shown and r["periodKey"] == shown["periodKey"])
        was = sum(int(r["actions"]) for r in counts if r["statusLabel"] == status and before and r["periodKey"] == before["periodKey"])
        if now or was:
            by_status.append({"status": status, "rag": next(r["rag"] for r in counts if r["statusLabel"] == status),
                              "now": now, "before": was if before else None})
    exceptions = sorted(page.ask("actions-at-risk", **at), key=lambda r: (rank(r["statusLabel"]), r["actionLabel"]))
    overdue = page.ask("overdue-actions", **at)
    moved = [r for r in rows if r.get("previousLabel") and r["previousLabel"] != r["statusLabel"]]
    worse = [r for r in moved if rank(r["statusLabel"]) < rank(r["previousLabel"])]
    # spend: only the actions the return gives spend for, each against what the plan states
    spend = [{**r, "statedGBP": number(r.get("statedGBP")), "spentGBP": number(r["spentGBP"]),
              "spentPercent": number(r.get("spentPercent"))}
             for r in (page.ask("plan-spend", **at) if shown else []) if r.get("spentGBP")]
    page.table("statuses", "Actions by status", STATUS_COLUMNS, by_status)
    page.table("exceptions", "Off track and at risk", EXCEPTION_COLUMNS, exceptions)
    page.table("overdue", "Overdue", OVERDUE_COLUMNS, overdue)
    page.table("spend", "Spend against stated amounts", SPEND_COLUMNS, spend)
    transitions: dict[tuple[str, str], list[str]] = {}
    for r in worse:
        transitions.setdefault((r["previousLabel"], r["statusLabel"]), []).append(r["action"])
    worse_by = [{"from": a, "to": b, "count": len(items), "actions": items} for (a, b), items in
                sorted(transitions.items(), key=lambda t: (rank(t[0][1]), rank(t[0][0])))]
    data = {**base, "period": asked, "latest": latest, "before": before,
            "byStatus": by_status, "exceptions": exceptions, "overdue": overdue,
            "moved": len(moved), "worse": worse, "worseBy": worse_by, "better": len(moved) - len(worse), "spend": spend}
    title = f"Board report: {summary['title']}" + (f", {shown['period']}" if asked else "")
    return page.respond("report.html", title, data)


def no_return_for(page: Page, base: dict, asked: str):
    """A period key the plan has no return for: 404, naming the periods it has (as links on the page)."""
    label = read_period(asked).label
    has = ", ".join(f"{r['periodKey']} ({r['period']})" for r in base["returns"]) or "none yet"
    message = f"plan {base['key']} has no progress return for {asked} ({label}); its returns are for: {has}"
    if twin(request.path)[1] is not None:  # the JSON twin and downloads answer as the API does
        raise ApiError(404, message)
    response = make_response(page.respond("report.html", f"Board report: {base['title']}",
                                          {**base, "period": asked, "missing": {"periodKey": asked, "period": label, "message": message}}))
    response.status_code = 404
    return response
