"""A plan's page (priorities, actions, money, duties, completeness) and its trace to the legislation."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..trace import layout
from .kit import Page, key_of, number, one

bp = Blueprint("plans", __name__)


@bp.get("/plans/<key>")
@bp.get("/plans/<key>.json")
def plan(key: str):
    page = Page()
    summary = one(page, "plan-summary", "plan", key)[0]
    actions = page.ask("plan-actions", plan=key)
    groups = priority_groups(actions, page.ask("plan-priorities", plan=key))
    funding = [{**r, **{k: number(r[k]) for k in ("statements", "withAmount", "totalGBP")}}
               for r in page.ask("funding-by-source", plan=key)]
    plan_funding = [{**r, **{k: number(r.get(k)) for k in ("amountGBP", "matchFundingGBP")}}
                    for r in page.ask("plan-funding", plan=key)]
    approaches = [{**r, "actions": number(r.get("actions"))} for r in page.ask("plan-approaches", plan=key)]
    findings = page.ask("plan-completeness", plan=key)
    members = [{"member": r["member"], "memberLabel": r["memberLabel"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"],
                "actions": number(r["actions"])} for r in page.ask("member-duties", plan=key)]
    duties = [{"duty": r["duty"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"], "link": r["link"],
               "held_only": r["link"].startswith("held, no action"),  # also "held, no action; meets it as a whole"
               **{k: number(r[k]) for k in ("actions", "fundedActions", "totalGBP")}} for r in page.ask("plan-duties", plan=key)]
    alignment = [{**r, **{k: number(r[k]) for k in ("direct", "viaLocal", "actions")}} for r in page.ask("pfcc-alignment", plan=key)]
    # The partnership's plans by start date (the plans query's order): the one before this is what changed is measured from.
    siblings = [r for r in page.ask("plans") if r["partnership"] == summary["partnership"]]
    at = next((i for i, r in enumerate(siblings) if r["plan"] == summary["plan"]), 0)
    previous = siblings[at - 1] if at > 0 else None
    partnership_key = key_of(summary["partnership"], "partnership")
    data = {
        "plan": summary["plan"], "key": key, "title": summary["title"],
        "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"], "key": partnership_key},
        "previousPlan": {"key": key_of(previous["plan"], "plan"), "title": previous["title"], "period": previous.get("period"),
                         "changes": f"/partnerships/{partnership_key}#changes-{key}"} if previous else None,
        "period": summary.get("period"),
        "kept": {"build": summary["keptAt"], "why": summary.get("keptWhy")} if summary.get("keptAt") else None,
        **{k: number(summary[k]) for k in ("priorities", "subPriorities", "actions", "fundedActions", "totalGBP")},
        "priorityGroups": groups,
        "funding": funding,
        "fundingTotalGBP": sum((r["totalGBP"] or 0) for r in funding if r["kind"] == "money"),
        "planFunding": plan_funding,
        "approaches": approaches,
        "duties": duties,
        "memberDuties": members,
        "completeness": completeness(findings),
        "pfccAlignment": alignment,
    }
    return page.respond("plan.html", summary["title"], data, request.path.endswith(".json"))


RESULTS = (("outcomes", "Outcomes"), ("measures", "Measures"), ("targets", "Targets"))


def priority_groups(actions: list[dict], items: list[dict]) -> list[dict]:
    """Every priority of the plan in the plan's order, each sub-priority straight after the priority it
    is listed under (level 1), with its actions, its own outcomes, measures and targets, and those
    of the objectives under it; then actions tied to no local priority."""
    by_priority: dict[str, list[dict]] = {}
    for row in actions:
        by_priority.setdefault(row.get("priority") or "", []).append({**row, "amount": number(row.get("amount"))})

    def results(row: dict) -> list[dict]:
        return [{"kind": title, "text": row[k]} for k, title in RESULTS if row.get(k)]

    objectives: dict[str, list[dict]] = {}
    for row in items:
        if row["kind"] == "objective" and results(row):
            objectives.setdefault(row.get("broader") or "", []).append({"objective": row["item"], "label": row.get("label"),
                                                                         "results": results(row)})
    priorities = [r for r in items if r["kind"] != "objective"]
    known = {r["item"] for r in priorities}
    under: dict[str, list[dict]] = {}
    for row in priorities:
        if row.get("broader") in known:
            under.setdefault(row["broader"], []).append(row)

    def group(row: dict, level: int) -> dict:
        return {"priority": row["item"], "number": row.get("number"), "label": row.get("label"), "level": level,
                "results": results(row), "objectives": objectives.get(row["item"], []),
                "actions": by_priority.pop(row["item"], [])}

    out = []
    for row in priorities:
        if row.get("broader") not in known:
            out.append(group(row, 0))
            out += [group(sub, 1) for sub in under.get(row["item"], [])]
    for iri, rows in by_priority.items():  # actions tied to no local priority of this plan
        out.append({"priority": iri or None, "number": rows[0].get("priorityNumber") if iri else None,
                    "label": (rows[0].get("priorityLabel") if iri else None) or "Not tied to a local priority",
                    "level": 0, "results": [], "objectives": [], "actions": rows})
    return out


def completeness(findings: list[dict]) -> dict:
    """The plan's SHACL report in plain words: warnings one by one, notes counted by message."""
    warnings = [f for f in findings if f["severity"] in ("violation", "warning")]
    notes: dict[str, list] = {}
    for f in findings:
        if f["severity"] == "note":
            notes.setdefault(f["message"], []).append(f)
    return {"conforms": not any(f["severity"] == "violation" for f in findings), "warnings": warnings,
            "notes": [{"message": m, "count": len(items), "findings": items} for m, items in notes.items()]}


@bp.get("/plans/<key>/trace")
@bp.get("/plans/<key>/trace.json")
def trace(key: str):
    page = Page()
    summary = one(page, "plan-summary", "plan", key)[0]
    paths = page.ask("plan-trace", plan=key)
    actions = page.ask("plan-actions", plan=key)
    picture = layout(paths)
    traced = {p["action"] for p in paths}
    untraced = [{k: a.get(k) for k in ("action", "actionLabel", "priority", "priorityNumber", "priorityLabel")}
                for a in actions if a["action"] not in traced]
    data = {"plan": summary["plan"], "key": key, "title": summary["title"], "actions": number(summary["actions"]),
            "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"]},
            "tracedActions": len(traced), "paths": paths, "untraced": untraced,
            "nodes": [{k: n[k] for k in ("layer", "iri", "label", "href")} for n in picture["nodes"]]}
    if request.path.endswith(".json"):
        return page.respond("trace.html", "", data, True)
    return render_template("pages/trace.html", title=f"Trace to the legislation: {summary['title']}", data=data,
                           picture=picture, sources=page.sources(), json_href=request.path + ".json")
