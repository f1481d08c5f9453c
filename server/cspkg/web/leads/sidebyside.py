"""Two partnerships side by side on one theme or under one legal duty: each one's actions, in two
columns, counted as theme-across-partnerships and actions-for-duty count them. Every parameter is
chosen from a list of names; a value not on the list shows the form again with the choices (400)."""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, request

from .kit import Page, key_of, number

bp = Blueprint("sidebyside", __name__)

PARAMETERS = ("a", "b", "theme", "duty")


def choices(page: Page, plans: list[dict]) -> dict[str, list[dict]]:
    """The names a reader chooses from: partnerships with a plan, themes some plan acts on, every duty."""
    partnerships = {r["partnership"]: r["partnershipLabel"] for r in plans}
    themes = {r["theme"]: r["themeLabel"] for r in page.ask("theme-coverage")}
    duties = {r["duty"]: r["dutyLabel"] for r in page.ask("duties")}

    def listed(found: dict[str, str], kind: str) -> list[dict]:
        return sorted(({"iri": iri, "key": key_of(iri, kind), "label": label} for iri, label in found.items()),
                      key=lambda c: (c["label"].casefold(), c["key"]))
    return {"partnership": listed(partnerships, "partnership"), "theme": listed(themes, "theme"), "duty": listed(duties, "duty")}


def problems_with(given: dict[str, str], offered: dict[str, list[dict]]) -> list[str]:
    """What is wrong with the parameters, each in words that say how to put it right."""
    out = [f"parameter '{n}' is given more than once; give it once" for n in PARAMETERS if len(request.args.getlist(n)) > 1]
    for name, kind in (("a", "partnership"), ("b", "partnership"), ("theme", "theme"), ("duty", "duty")):
        if given[name] and given[name] not in {c["key"] for c in offered[kind]}:
            out.append(f"parameter '{name}': no {kind} '{given[name]}' to compare; choose one of the {kind}s listed: "
                       + "; ".join(c["label"] for c in offered[kind]))
    if not given["a"]:
        out.append("parameter 'a': choose the first partnership")
    if given["a"] and given["a"] == given["b"]:
        out.append("parameters 'a' and 'b' name the same partnership; choose two different partnerships")
    if bool(given["theme"]) == bool(given["duty"]):
        out.append("choose either a theme or a legal duty (parameter 'theme' or 'duty'), not both and not neither")
    return out


@bp.get("/compare/side-by-side")
@bp.get("/compare/side-by-side.json")
def side_by_side():
    page = Page()
    as_data = request.path.endswith(".json")
    plans = page.ask("partnership-plans")
    offered = choices(page, plans)
    given = {n: request.args.get(n, "").strip() for n in PARAMETERS}
    data = {**given, "choices": offered, "columns": [], "problems": []}
    if not any(given.values()) and not request.args:
        return page.respond("side-by-side.html", "Side by side", data)
    data["problems"] = problems_with(given, offered)
    if data["problems"]:
        if as_data:
            response = jsonify({"ok": False, "status": 400, "error": "; ".join(data["problems"]),
                                "choices": {k: [{"key": c["key"], "label": c["label"]} for c in v] for k, v in offered.items()}})
        else:
            response = make_response(page.respond("side-by-side.html", "Side by side: choose again", data))
        response.status_code = 400
        return response
    names = {c["key"]: c for c in offered["partnership"]}
    sides = [names[given["a"]]] + ([names[given["b"]]] if given["b"] else [])
    if given["theme"]:
        subject = next(c for c in offered["theme"] if c["key"] == given["theme"])
        rows = page.ask("theme-across-partnerships", theme=given["theme"])
        columns = [{**side, "actions": [{**r, "planKey": key_of(r["plan"], "plan")} for r in rows if r["partnership"] == side["iri"]],
                    "stated": next((number(r["partnershipActions"]) for r in rows if r["partnership"] == side["iri"]), 0)}
                   for side in sides]
    else:
        subject = next(c for c in offered["duty"] if c["key"] == given["duty"])
        partnership_of = {r["plan"]: r["partnership"] for r in plans}
        rows = page.ask("actions-for-duty", duty=given["duty"])
        columns = [{**side, "actions": [{**r, "planKey": key_of(r["plan"], "plan"), "amount": number(r.get("amount")),
                                         "funded": r["funding"].startswith(("money", "in kind"))}
                                        for r in rows if partnership_of.get(r["plan"]) == side["iri"]]} for side in sides]
    for column in columns:
        column["count"] = len({a["action"] for a in column["actions"]})
        column["plans"] = plans_of(column["actions"])
    data |= {"kind": "theme" if given["theme"] else "duty", "subject": subject, "columns": columns}
    return page.respond("side-by-side.html", f"{subject['label']}: side by side", data)


def plans_of(actions: list[dict]) -> list[dict]:
    """A column's actions under the plan each belongs to, in the query's order."""
    out: dict[str, dict] = {}
    for a in actions:
        out.setdefault(a["plan"], {"plan": a["plan"], "key": a["planKey"], "title": a["planLabel"], "actions": []})["actions"].append(a)
    return list(out.values())
