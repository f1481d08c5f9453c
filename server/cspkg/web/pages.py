"""Pages for strategy leads: plans, duties, coverage, comparisons and a trace to the legislation.

Every page is built from canned queries (`queries/*.rq`) run through the same runner and cache as
the API, so each number on a page is the answer to a question anyone can re-ask at
`/queries/<name>`. Each page has a machine-readable twin at the same path plus `.json`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request

from ..errors import BadInput
from ..namespaces import BASE
from . import coverage as grids
from .errors import ApiError
from .queries import rows
from .trace import layout

bp = Blueprint("pages", __name__)
ID = BASE + "id/"


class Page:
    """What a page shows, and the canned queries it was computed from."""

    def __init__(self):
        self.used: list[tuple[str, dict]] = []

    def ask(self, name: str, **values) -> list[dict]:
        self.used.append((name, values))
        return rows(name, values)

    def sources(self) -> list[dict]:
        return [{"query": name, "parameters": values,
                 "page": f"/queries/{name}" + (f"?{urlencode(values)}" if values else ""),
                 "sparql": f"/queries/{name}.rq"} for name, values in self.used]

    def respond(self, template: str, title: str, data: dict, json_suffix: bool):
        if json_suffix:
            return jsonify({"title": title, "data": data, "computedBy": self.sources()})
        return render_template(f"pages/{template}", title=title, data=data, sources=self.sources(),
                               json_href=(request.path.rstrip("/") or "/index") + ".json"
                               + (f"?{request.query_string.decode()}" if request.query_string else ""))


def key_of(iri: str, kind: str) -> str:
    return iri.split(f"/id/{kind}/", 1)[1] if f"/id/{kind}/" in iri else iri


def number(text: str | None):
    """A count or an amount from a query answer: int when whole, Decimal otherwise."""
    if text in (None, ""):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return int(value) if value == value.to_integral_value() else value


def one(page: Page, name: str, kind: str, key: str, **values) -> list[dict]:
    """The rows of the query that defines the page's subject; an unknown key is a 404."""
    try:
        found = page.ask(name, **{kind: key}, **values)
    except BadInput:
        found = []
    if not found:
        raise ApiError(404, f"no {'plan' if kind == 'plan' else 'legal duty'} '{key}' in the data")
    return found


@bp.get("/")
@bp.get("/index.json")
def home():
    page = Page()
    plans = page.ask("plans")
    partnerships: dict[str, dict] = {}
    for row in plans:
        entry = partnerships.setdefault(row["partnership"], {"partnership": row["partnership"], "label": row["partnershipLabel"], "plans": []})
        entry["plans"].append({**row, "key": key_of(row["plan"], "plan"),
                               **{k: number(row[k]) for k in ("priorities", "actions", "fundedActions", "totalGBP")}})
    data = {"partnerships": list(partnerships.values())}
    return page.respond("home.html", "Community Safety Partnership plans", data, request.path.endswith(".json"))


@bp.get("/search")
@bp.get("/search.json")
def search():
    page = Page()
    text = request.args.get("text", "").strip()
    results: dict[str, list] = {}
    if text:
        for row in page.ask("search", text=text):
            results.setdefault(row["kind"], []).append(row)
    data = {"text": text, "count": sum(map(len, results.values())), "results": results}
    title = f"Search: {text}" if text else "Search"
    return page.respond("search.html", title, data, request.path.endswith(".json"))


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
               "held_only": r["link"] == "held, no action",
               **{k: number(r[k]) for k in ("actions", "fundedActions", "totalGBP")}} for r in page.ask("plan-duties", plan=key)]
    alignment = [{**r, **{k: number(r[k]) for k in ("direct", "viaLocal", "actions")}} for r in page.ask("pfcc-alignment", plan=key)]
    data = {
        "plan": summary["plan"], "key": key, "title": summary["title"],
        "partnership": {"iri": summary["partnership"], "label": summary["partnershipLabel"]},
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
    picture = layout(paths)
    data = {"plan": summary["plan"], "key": key, "title": summary["title"], "actions": number(summary["actions"]),
            "tracedActions": len({p["action"] for p in paths}), "paths": paths,
            "nodes": [{k: n[k] for k in ("layer", "iri", "label", "href")} for n in picture["nodes"]]}
    if request.path.endswith(".json"):
        return page.respond("trace.html", "", data, True)
    return render_template("pages/trace.html", title=f"Trace to the legislation: {summary['title']}", data=data,
                           picture=picture, sources=page.sources(), json_href=request.path + ".json")


STATUS_ORDER = {"statutory duty": (0, "Statutory duties", "statutory-duties"), "statutory power": (1, "Powers", "powers"),
                "statutory guidance": (2, "Statutory guidance", "statutory-guidance"),
                "non-statutory guidance": (3, "Non-statutory guidance", "non-statutory-guidance")}


@bp.get("/duties")
@bp.get("/duties.json")
def duties():
    page = Page()
    rows = page.ask("duties")
    labels = {r["duty"]: r["dutyLabel"] for r in rows}
    listed = []
    for r in rows:
        order, heading, anchor = STATUS_ORDER.get(r.get("status") or "", (4, "Other", "other"))
        listed.append({"duty": r["duty"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"], "status": r.get("status"),
                       "statusOrder": order, "statusHeading": heading, "statusKey": anchor,
                       "heldBy": r.get("heldBy"), "cooperation": r.get("cooperation"), "appliesIn": r.get("appliesIn"),
                       "limbOfKey": key_of(r["limbOf"], "duty") if r.get("limbOf") else None,
                       "limbOfLabel": labels.get(r.get("limbOf")), "inForceFrom": r.get("inForceFrom"),
                       "plans": number(r["plans"]), "actions": number(r["actions"])})
    listed.sort(key=lambda d: (d["statusOrder"], d["label"].casefold()))
    return page.respond("duties.html", "Legal duties", {"duties": listed}, request.path.endswith(".json"))


@bp.get("/duties/<key>")
@bp.get("/duties/<key>.json")
def duty(key: str):
    page = Page()
    profile = one(page, "duty-profile", "duty", key)
    first = profile[0]
    actions = [{**r, "amount": number(r.get("amount")), "funded": r["funding"].startswith(("money", "in kind")),
                "partnershipKey": None} for r in page.ask("actions-for-duty", duty=key)]
    plans = {r["plan"]: r for r in page.ask("plans")}
    for a in actions:
        listed = plans.get(a["plan"])  # a plan the plans query leaves out still shows its actions
        a["partnership"] = listed["partnershipLabel"] if listed else None
        a["partnershipKey"] = key_of(listed["partnership"], "partnership") if listed else None
    legislation = [{k: r.get(k) for k in ("provision", "provisionLabel", "act", "actLabel", "inForceFrom", "inForceUntil", "checked")}
                   for r in profile if r.get("provision")]
    bodies = page.ask("duty-holders", duty=key)
    holding = {role: [{"body": r["body"], "label": r["bodyLabel"], "area": r.get("policeArea")} for r in bodies if r["role"] == role]
               for role in ("holds", "must co-operate")}
    # Plans that cite the duty themselves (a strategy with no action list among them), beside those whose actions serve it.
    cited = [{"plan": iri, "key": key_of(iri, "plan"), "title": plans[iri]["title"], "partnership": plans[iri]["partnershipLabel"],
              "served": any(a["plan"] == iri for a in actions)}
             for iri in (first.get("citedBy") or "").split() if iri in plans]
    data = {"duty": first["duty"], "key": key, "label": first["dutyLabel"], "status": first.get("status"),
            "requires": first.get("requires"), "holders": first.get("holders"), "heldBy": first.get("heldBy"),
            "cooperation": first.get("cooperation"), "appliesIn": first.get("appliesIn"), "limbOf": first.get("limbOf"),
            "holdingBodies": holding["holds"], "cooperatingBodies": holding["must co-operate"],
            "legislation": legislation, "actions": actions, "fundedActions": sum(a["funded"] for a in actions),
            "plans": len({a["plan"] for a in actions}), "citedBy": cited}
    return page.respond("duty.html", first["dutyLabel"], data, request.path.endswith(".json"))


@bp.get("/coverage")
@bp.get("/coverage.json")
def coverage():
    page = Page()
    cells = page.ask("duty-coverage")
    gaps = page.ask("duties-without-funded-actions")
    plans = page.ask("plans")
    data = grids.duty_grid(cells, gaps, plans)
    return page.respond("coverage.html", "Legal duties covered by each partnership", data, request.path.endswith(".json"))


@bp.get("/compare")
@bp.get("/compare.json")
def compare():
    page = Page()
    data = {"themes": grids.theme_grid(page.ask("theme-coverage")), "years": grids.year_grid(page.ask("plans"))}
    return page.respond("compare.html", "Compare partnerships", data, request.path.endswith(".json"))


@bp.app_template_filter("doc")
def doc_link(iri: str | None) -> str | None:
    """Where a reader sees a resource and its sources: its /doc page here, or its own home."""
    if not iri:
        return None
    if iri.startswith(ID + "duty/"):
        return "/duties/" + iri[len(ID + "duty/"):]
    if iri.startswith(ID):
        return "/doc/" + iri[len(ID):]
    if iri.startswith(BASE + "def/"):
        return "/" + iri[len(BASE):]
    return iri


@bp.app_template_filter("source")
def source_link(iri: str) -> str:
    """The /doc page of one of our resources, even a duty (whose page-for-leads is /duties/...)."""
    return "/doc/" + iri[len(ID):] if iri.startswith(ID) else iri


@bp.app_template_filter("gbp")
def gbp(value) -> str:
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@bp.app_template_filter("date_words")
def date_words(value: str | None) -> str:
    """An xsd:date as people write it (31 January 2023); anything else as it is."""
    from datetime import date

    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return value or ""
    return f"{day.day} {day:%B %Y}"
