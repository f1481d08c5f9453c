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
    # The partnerships and their plans in order, a short list; then the plans' counts and scores for the
    # page's partnerships only (read by plan from the answers the build keeps). The download holds every
    # plan in the area, read and converted when it is asked for.
    by_partnership: dict[str, list[dict]] = {}
    for row in page.ask("partnership-plans"):
        by_partnership.setdefault(row["partnership"], []).append(row)
    chosen = areas.select(page, list(by_partnership))
    shown = [row["plan"] for iri in chosen.shown for row in by_partnership[iri]]
    details = {r["plan"]: r for r in page.ask_for("plans", shown)}
    scores = {r["plan"]: r for r in page.ask_for("plan-score", shown)}

    def listed(row: dict, scores: dict) -> dict:
        return {**row, "key": key_of(row["plan"], "plan"), "moneyKinds": money_kinds(row),
                **{k: number(row[k]) for k in ("priorities", "actions", "fundedActions", "totalGBP", *MONEY_KINDS)},
                "withAll": number(scores.get(row["plan"], {}).get("withAll"))}

    def download() -> list[dict]:
        every = {r["plan"]: r for r in rows("plan-score")}
        return [listed(r, every) for r in rows("plans") if chosen.keeps(r.get("partnership"))]

    page.table("plans", "Plans by partnership and year", PLAN_COLUMNS, download)
    data = {"partnerships": [{"partnership": iri, "label": by_partnership[iri][0]["partnershipLabel"],
                              "plans": [listed(details[r["plan"]], scores) for r in by_partnership[iri] if r["plan"] in details]}
                             for iri in chosen.shown],
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
