"""A plan's page (priorities, actions, money, duties, completeness) and its trace to the legislation."""

from __future__ import annotations

from flask import Blueprint

from ..trace import layout
from .kit import Page, key_of, number, one, routes
from .money import MONEY_KINDS, money_kinds

bp = Blueprint("plans", __name__)


@routes(bp, "/plans/<key>")
def plan(key: str):
    page = Page()
    # The page's questions, asked at once (Page.ahead): each reads only this plan.
    page.ahead(*((name, {"plan": key}) for name in (
        "plan-summary", "plan-delivery", "plan-actions", "plan-priorities", "plan-score", "funding-by-source", "plan-funding",
        "plan-approaches", "plan-completeness", "member-duties", "plan-duties", "pfcc-alignment")))
    summary = one(page, "plan-summary", "plan", key)[0]
    # Each action's status in the plan's latest progress return, where there is one (returns are graphs of their own).
    delivery = {r["action"]: r for r in page.ask("plan-delivery", plan=key)}
    actions = [{**a, "delivery": delivery.get(a["action"])} for a in page.ask("plan-actions", plan=key)]
    groups = priority_groups(actions, page.ask("plan-priorities", plan=key))
    page.table("actions", "The plan's actions under its priorities", ACTION_COLUMNS,
               [{**a, "priorityText": g["label"] if not g["number"] else f"{g['number']}. {g['label']}",
                 "status": (a["delivery"] or {}).get("statusLabel"), "statusAsOf": (a["delivery"] or {}).get("asAt")}
                for g in groups for a in g["actions"]])
    score = page.ask("plan-score", plan=key)
    funding = [{**r, **{k: number(r[k]) for k in ("statements", "withAmount", "totalGBP")}}
               for r in page.ask("funding-by-source", plan=key)]
    plan_funding = [{**r, **{k: number(r.get(k)) for k in ("amountGBP", "matchFundingGBP")}}
                    for r in page.ask("plan-funding", plan=key)]
    approaches = [{**r, "actions": number(r.get("actions"))} for r in page.ask("plan-approaches", plan=key)]
    page.table("funding", "Funding by stream or funder", FUNDING_COLUMNS, funding)
    page.table("plan-funding", "Money for the plan as a whole", PLAN_FUNDING_COLUMNS, plan_funding)
    findings = page.ask("plan-completeness", plan=key)
    page.table("completeness", "What the completeness checks found", FINDING_COLUMNS, findings)
    members = [{"member": r["member"], "memberLabel": r["memberLabel"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"],
                "actions": number(r["actions"])} for r in page.ask("member-duties", plan=key)]
    duties = [{"duty": r["duty"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"], "link": r["link"],
               "held_only": r["link"].startswith("held, no action"),  # also "held, no action; meets it as a whole"
               **{k: number(r[k]) for k in ("actions", "fundedActions", "totalGBP")}} for r in page.ask("plan-duties", plan=key)]
    page.table("duties", "The plan's legal duties", DUTY_COLUMNS, duties)
    alignment = [{**r, **{k: number(r[k]) for k in ("direct", "viaLocal", "actions")}} for r in page.ask("pfcc-alignment", plan=key)]
    # The partnership's plans by start date (the plans query's order): the one before this is what changed is measured from.
    # Only its partnership's rows of the kept answer are read (a few, not 2,000 plans' rows).
    siblings = page.ask_where("partnership-plans", ("partnership", summary["partnership"]))
    at = next((i for i, r in enumerate(siblings) if r["plan"] == summary["plan"]), 0)
    previous = siblings[at - 1] if at > 0 else None
    partnership_key = key_of(summary["partnership"], "partnership")
    checks = completeness(findings, score[0] if score else {})
    page.table("score", "How many actions have each part", SCORE_COLUMNS, checks["score"])
    data = {
        "plan": summary["plan"], "key": key, "title": summary["title"],
        "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"], "key": partnership_key},
        "previousPlan": {"key": key_of(previous["plan"], "plan"), "title": previous["title"], "period": previous.get("period"),
                         "changes": f"/partnerships/{partnership_key}#changes-{key}"} if previous else None,
        "period": summary.get("period"),
        "kept": {"build": summary["keptAt"], "why": summary.get("keptWhy")} if summary.get("keptAt") else None,
        **{k: number(summary[k]) for k in ("priorities", "subPriorities", "actions", "fundedActions", "totalGBP", *MONEY_KINDS)},
        "moneyKinds": money_kinds(summary),
        "priorityGroups": groups,
        "delivery": latest_return(list(delivery.values())),
        "funding": funding,
        "fundingTotalGBP": sum((r["totalGBP"] or 0) for r in funding if r["kind"] == "money"),
        "planFunding": plan_funding,
        "approaches": approaches,
        "duties": duties,
        "memberDuties": members,
        "completeness": checks,
        "pfccAlignment": alignment,
    }
    return page.respond("plan.html", summary["title"], data)


def funding_for(row: dict) -> str | None:
    """Whom the funding stated is for: the action itself, or the plan-on-a-page row it delivers."""
    if row.get("fundingKind") in (None, "not stated"):
        return None
    return "its plan-on-a-page row" if "(via row)" in (row.get("funding") or "") else "the action"


STATUS_ORDER = ("off track", "at risk", "not started", "on track", "complete", "stopped", "not stated")


def latest_return(rows: list[dict]) -> dict | None:
    """The latest progress return in a sentence's worth: its period, as-of date and actions by status."""
    if not rows:
        return None
    counts = {}
    for r in rows:
        counts[r["statusLabel"]] = counts.get(r["statusLabel"], 0) + 1
    ordered = [{"status": s, "count": counts[s], "rag": next(r["rag"] for r in rows if r["statusLabel"] == s)}
               for s in sorted(counts, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)]
    return {"period": rows[0]["period"], "asAt": rows[0]["asAt"], "reported": len(rows), "byStatus": ordered,
            "derived": rows[0].get("derived") == "yes"}


RESULTS = (("outcomes", "Outcomes"), ("measures", "Measures"), ("targets", "Targets"))


def priority_groups(actions: list[dict], items: list[dict]) -> list[dict]:
    """Every priority of the plan in the plan's order, each sub-priority straight after the priority it
    is listed under (level 1), with its actions, its own outcomes, measures and targets, and those
    of the objectives under it; then actions tied to no local priority."""
    by_priority: dict[str, list[dict]] = {}
    for row in actions:
        by_priority.setdefault(row.get("priority") or "", []).append({**row, "amount": number(row.get("amount")),
                                                                      "fundingFor": funding_for(row)})

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


# The columns of the page's tables as downloads: (key in each row, heading in words).
ACTION_COLUMNS = (("priorityText", "Priority"), ("actionLabel", "Action"), ("lead", "Lead"), ("partners", "Partners"),
                  ("outcomes", "Outcome, measure or target"), ("timing", "Timing"), ("fundingKind", "Funding"),
                  ("amount", "Amount stated (GBP)"), ("fundingAsStated", "Funding as the plan states it"),
                  ("fundingFor", "Funding stated for"), ("progress", "Latest progress"), ("progressPeriod", "Progress period"),
                  ("status", "Status in the latest progress return"), ("statusAsOf", "Status as of"),
                  ("action", "Link"))
FUNDING_COLUMNS = (("sourceLabel", "Source"), ("sourceType", "Type of source"), ("kind", "Kind"), ("statements", "Statements"),
                   ("withAmount", "With an amount"), ("totalGBP", "Total stated (GBP)"), ("approximate", "Approximate"),
                   ("source", "Link"))
PLAN_FUNDING_COLUMNS = (("kind", "Allocation or grant"), ("allocatedTo", "To"), ("period", "Period"), ("funder", "From"),
                        ("stream", "Stream"), ("purpose", "For"), ("project", "Project"), ("amountGBP", "Amount (GBP)"),
                        ("matchFundingGBP", "Match funding (GBP)"), ("matchFunders", "Match funders"),
                        ("asWritten", "As the plan states it"), ("funding", "Link"))
DUTY_COLUMNS = (("label", "Duty"), ("link", "How the plan is linked to it"), ("actions", "Actions"),
                ("fundedActions", "Actions with money or resources in kind stated"), ("totalGBP", "Amounts stated (GBP)"),
                ("duty", "Link"))
FINDING_COLUMNS = (("severity", "Severity"), ("message", "What is missing"), ("itemLabel", "Item"),
                   ("quote", "The item as the plan prints it"), ("rule", "The rule"), ("documentTitle", "Source document"),
                   ("sourceLine", "Line of the document's text copy"), ("item", "Link"), ("check", "Rule as a SHACL shape"))
SCORE_COLUMNS = (("part", "Actions with"), ("count", "How many"), ("of", "Of"), ("missing", "Without"))

# The parts of an action plan-score counts, as the verdict names them.
PARTS = (("withLead", "a lead", "no lead"), ("withOutcome", "an outcome", "no outcome"),
         ("withTiming", "timing", "no timing"), ("withFunding", "funding", "no funding stated"))


def completeness(findings: list[dict], score: dict) -> dict:
    """The plan's SHACL report in plain words (warnings and notes each grouped by what is missing,
    with the rule in words), its score from plan-score, and one verdict that weighs both."""
    def grouped(severity: str) -> list[dict]:
        groups: dict[str, dict] = {}
        for f in findings:
            if f["severity"] == severity:
                g = groups.setdefault(f["message"], {"message": f["message"], "rule": f.get("rule"), "check": f["check"], "findings": []})
                g["findings"].append(f)
        return [{**g, "count": len(g["findings"])} for g in groups.values()]

    warnings = [f for f in findings if f["severity"] in ("violation", "warning")]
    actions = int(score.get("actions") or 0)
    parts = [{"key": key, "part": part, "missingWords": missing, "count": int(score.get(key) or 0), "of": actions,
              "missing": actions - int(score.get(key) or 0)} for key, part, missing in PARTS]
    whole = int(score.get("withAll") or 0)
    refused = any(f["severity"] == "violation" for f in findings)
    return {"conforms": not refused, "warnings": warnings, "warningGroups": grouped("warning"), "notes": grouped("note"),
            "score": parts + [{"key": "withAll", "part": "all four", "count": whole, "of": actions, "missing": actions - whole}],
            "verdict": verdict(refused, len(warnings), actions, whole, parts)}


def verdict(refused: bool, warnings: int, actions: int, whole: int, parts: list[dict]) -> dict:
    """One sentence a lead can repeat: whether the plan is ready, what must be fixed, and how many
    actions have all four parts (and how many lack each)."""
    things = f"{warnings} thing{'' if warnings == 1 else 's'} should be fixed first"
    gaps = [p for p in sorted(parts, key=lambda p: -p["missing"]) if p["missing"]]
    lacking = ", ".join(f"{p['missing']} {('has ' if p['missing'] == 1 else 'have ') if i == 0 else ''}{p['missingWords']}"
                        for i, p in enumerate(gaps))
    plural = "" if actions == 1 else "s"
    how_many = (f"none of its {actions} action{plural} has" if whole == 0 else
                f"all {actions} action{plural} {'has' if actions == 1 else 'have'}" if whole == actions else
                f"{whole} of its {actions} action{plural} {'has' if whole == 1 else 'have'}")
    counted = how_many + " a lead, an outcome, timing and funding" + (f" ({lacking})" if gaps else "")
    if refused:
        label, rest = "Refused", "it lacks something every plan must have, so the build did not publish this version"
    elif warnings:
        label, rest = "Not ready to publish", things + (f", and {counted}" if actions else "")
    elif actions and whole < actions:
        label, rest = "Incomplete", f"nothing must be fixed before it is published, but {'only ' if whole else ''}{counted}"
    elif actions:
        label, rest = "Complete", f"nothing needs fixing, and {counted}"
    else:
        label, rest = "Nothing to fix", "the checks found nothing to fix, and the plan lists no actions to score"
    return {"label": label, "rest": rest, "sentence": f"{label}: {rest}."}


TRACE_COLUMNS = (("actionLabel", "Action"), ("priorityLabel", "Through the priority"), ("dutyLabel", "Legal duty"),
                 ("provisionLabel", "Provision"), ("actLabel", "Act"), ("action", "Action link"), ("duty", "Duty link"),
                 ("provision", "Provision link"))
UNTRACED_COLUMNS = (("actionLabel", "Action"), ("priorityLabel", "Under the priority"), ("action", "Link"))


@routes(bp, "/plans/<key>/trace")
def trace(key: str):
    page = Page()
    page.ahead(*((name, {"plan": key}) for name in ("plan-summary", "plan-trace", "plan-actions")))
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
    page.table("paths", "Each action's path to the legislation", TRACE_COLUMNS, paths)
    page.table("untraced", "Actions that trace to no legal duty", UNTRACED_COLUMNS, untraced)
    return page.respond("trace.html", f"Trace to the legislation: {summary['title']}", data, picture=picture)
