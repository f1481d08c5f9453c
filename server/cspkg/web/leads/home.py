"""The home page (every partnership's plans) and search across plans."""

from __future__ import annotations

from flask import Blueprint, request

from ..queries import rows
from . import areas
from .kit import Page, key_of, number, routes
from .money import KINDS, MONEY_KINDS, money_kinds

bp = Blueprint("home", __name__)

PLAN_COLUMNS = (("partnershipLabel", "Partnership"), ("title", "Plan"), ("period", "Period"), ("priorities", "Priorities"),
                ("actions", "Actions"), *((column, f"Actions: {kind}") for column, kind, _ in KINDS),
                ("totalGBP", "Amounts stated (GBP)"), ("withAll", "Actions with a lead, an outcome, timing and funding"),
                ("plan", "Link"))


@routes(bp, "/")
def home():
    page = Page()
    plans = page.ask("plans")
    by_partnership: dict[str, list[dict]] = {}
    for row in plans:
        by_partnership.setdefault(row["partnership"], []).append(row)
    chosen = areas.select(page, list(by_partnership))
    # Only the page's partnerships are drawn, with their plans' scores (read by plan from the answer the
    # build keeps); the download holds every plan in the area, converted when it is read.
    shown = [row for iri in chosen.shown for row in by_partnership[iri]]
    scores = {r["plan"]: r for r in page.ask_for("plan-score", [row["plan"] for row in shown])}

    def listed(row: dict, scores: dict) -> dict:
        return {**row, "key": key_of(row["plan"], "plan"), "moneyKinds": money_kinds(row),
                **{k: number(row[k]) for k in ("priorities", "actions", "fundedActions", "totalGBP", *MONEY_KINDS)},
                "withAll": number(scores.get(row["plan"], {}).get("withAll"))}

    def download() -> list[dict]:
        every = {r["plan"]: r for r in rows("plan-score")}
        return [listed(r, every) for r in plans if chosen.keeps(r["partnership"])]

    page.table("plans", "Plans by partnership and year", PLAN_COLUMNS, download)
    data = {"partnerships": [{"partnership": iri, "label": by_partnership[iri][0]["partnershipLabel"],
                              "plans": [listed(r, scores) for r in by_partnership[iri]]} for iri in chosen.shown],
            "count": len(by_partnership)}
    return areas.respond(page, chosen, "home.html", "Community Safety Partnership plans", data)


SEARCH_COLUMNS = (("kind", "Kind"), ("label", "Name"), ("planLabel", "Plan"), ("foundIn", "Found in"), ("item", "Link"))


@routes(bp, "/search")
def search():
    page = Page()
    text = request.args.get("text", "").strip()
    results: dict[str, list] = {}
    if text:
        for row in page.ask("search", text=text):
            results.setdefault(row["kind"], []).append(row)
    data = {"text": text, "count": sum(map(len, results.values())), "results": results}
    page.table("results", "What the search found", SEARCH_COLUMNS, [r for kind in results.values() for r in kind])
    title = f"Search: {text}" if text else "Search"
    return page.respond("search.html", title, data)
