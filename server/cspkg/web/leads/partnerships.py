"""A partnership's page: its plans over the years, its members, the duties it holds, and what
changed between each plan and the one before it (the comparison `cspkg diff` and /diff make)."""

from __future__ import annotations

import json

from flask import Blueprint

from ...plans.diff import as_json, compare
from .. import context
from ..yearonyear import plan_keys
from .kit import Page, key_of, number, one, routes
from .money import KINDS, MONEY_KINDS, money_kinds

bp = Blueprint("partnerships", __name__)


PLAN_COLUMNS = (("title", "Plan"), ("period", "Period"), ("priorities", "Priorities"), ("actions", "Actions"),
                *((column, f"Actions: {kind}") for column, kind, _ in KINDS), ("totalGBP", "Amounts stated (GBP)"), ("plan", "Link"))
MEMBER_COLUMNS = (("label", "Organisation"), ("role", "Part"), ("member", "Link"))
DUTY_COLUMNS = (("label", "Duty"), ("status", "Status"), ("plans", "Plans"), ("actions", "Actions"), ("duty", "Link"))


@routes(bp, "/partnerships/<key>")
def partnership(key: str):
    page = Page()
    page.ahead(("partnership-members", {"partnership": key}), ("partnership-plans", {}), ("partnership-duties", {"partnership": key}))
    found = one(page, "partnership-members", "partnership", key)
    iri, label = found[0]["partnership"], found[0]["partnershipLabel"]
    members = [{"member": r["member"], "label": r["memberLabel"], "role": r["role"]} for r in found if r.get("member")]
    plans = [{"plan": r["plan"], "key": key_of(r["plan"], "plan"), "title": r["title"], "period": r.get("period"),
              "startDate": r.get("startDate"), "keptAt": r.get("keptAt"), "keptWhy": r.get("keptWhy"),
              "moneyKinds": money_kinds(r),
              **{k: number(r[k]) for k in ("priorities", "subPriorities", "actions", "fundedActions", "totalGBP", *MONEY_KINDS)}}
             for r in page.ask_for("plans", [p["plan"] for p in page.ask("partnership-plans") if p["partnership"] == iri])
             if r.get("partnership") == iri]
    duties = [{"duty": r["duty"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"], "status": r.get("status"),
               "plans": number(r["plans"]), "actions": number(r["actions"])} for r in page.ask("partnership-duties", partnership=key)]
    page.table("plans", "The partnership's plans", PLAN_COLUMNS, plans)
    page.table("members", "Members", MEMBER_COLUMNS, members)
    page.table("duties", "Legal duties it holds", DUTY_COLUMNS, duties)
    data = {"partnership": iri, "key": key, "label": label, "members": members, "plans": plans,
            "totalGBP": sum((p["totalGBP"] or 0) for p in plans), "duties": duties,
            "dutiesWithoutAction": sum(d["actions"] == 0 for d in duties), "yearOnYear": year_on_year(plans)}
    return page.respond("partnership.html", label, data)


def year_on_year(plans: list[dict]) -> list[dict]:
    """Each plan against the one before it (the plans query lists a partnership's plans by start date),
    as /diff.json and `cspkg diff --format json` give it, with both plans' titles."""
    files = set(plan_keys(context.settings().data))
    out = []
    for before, after in zip(plans, plans[1:]):
        step = {"anchor": f"changes-{after['key']}", "href": f"/diff?before={before['key']}&after={after['key']}",
                **{side: {k: p[k] for k in ("plan", "key", "title", "period")} for side, p in (("before", before), ("after", after))}}
        if before["key"] in files and after["key"] in files:  # the comparison reads the plan files themselves
            changes = json.loads(as_json(compare(context.settings().data, before["key"], after["key"])))
            step |= {"priorities": changes["priorities"], "actions": changes["actions"]}
        out.append(step)
    return out
