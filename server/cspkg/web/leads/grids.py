"""Grids across partnerships: duty coverage (with gaps) and themes and years compared."""

from __future__ import annotations

from flask import Blueprint

from .. import coverage as grids
from . import areas
from ..queries import rows
from .kit import Page, number, routes

bp = Blueprint("grids", __name__)


COVERAGE_COLUMNS = (("dutyLabel", "Legal duty"), ("partnershipLabel", "Partnership"), ("actions", "Actions"),
                    ("fundedActions", "Actions with funding named"), ("totalGBP", "Amounts stated (GBP)"),
                    ("gap", "Gap"), ("duty", "Link"))


@routes(bp, "/coverage")
def coverage():
    page = Page()
    plans = page.ask("partnership-plans")
    chosen = areas.select(page, list(dict.fromkeys(p["partnership"] for p in plans)))
    # The page draws the grid of its own partnerships: their cells and their plans' gaps only (read by
    # partnership and by plan from the answers the build keeps), so a page of 25 partnerships does not
    # read 2,000 plans' rows.
    mine = [p for p in plans if chosen.on_page(p["partnership"])]
    here = {p["plan"] for p in mine}
    cells = [c for c in page.ask_for("duty-coverage", chosen.shown) if chosen.on_page(c["partnership"])]
    gaps = [g for g in page.ask_for("duties-without-funded-actions", sorted(here)) if g["plan"] in here]
    shown = grids.duty_grid(cells, gaps, mine)

    def download() -> list[dict]:
        """The grid of every partnership in the area, read when the table is downloaded."""
        plan_in = {p["plan"] for p in plans if chosen.keeps(p["partnership"])}
        every = grids.duty_grid([c for c in rows("duty-coverage") if chosen.keeps(c["partnership"])],
                                [g for g in rows("duties-without-funded-actions") if g["plan"] in plan_in],
                                [p for p in plans if p["plan"] in plan_in])
        names = {p["iri"]: p["label"] for p in every["partnerships"]}
        return [{"dutyLabel": row["label"], "duty": row["iri"], "partnershipLabel": names[c["partnership"]],
                 "actions": c["actions"], "fundedActions": c["fundedActions"], "totalGBP": number(c["totalGBP"]),
                 "gap": "held, no action" if c["heldNoAction"] else "cited, no funded action" if c["citedNoFundedAction"] else None}
                for row in every["rows"] for c in row["cells"]]

    page.table("coverage", "Actions serving each legal duty, by partnership", COVERAGE_COLUMNS, download)
    data = {"partnerships": shown["partnerships"], "rows": shown["rows"]}
    return areas.respond(page, chosen, "coverage.html", "Legal duties covered by each partnership", data)


@bp.get("/compare")
@bp.get("/compare.json")
def compare():
    page = Page()
    listing = page.ask("partnership-plans")
    chosen = areas.select(page, list(dict.fromkeys(p["partnership"] for p in listing)))
    # the page's partnerships' rows only (the answers are kept by partnership and by plan)
    themes = page.ask_for("theme-coverage", chosen.shown)
    mine = [p["plan"] for p in listing if chosen.on_page(p["partnership"])]
    plans = {p["plan"]: p for p in page.ask_for("plans", mine)}
    data = {"themes": grids.theme_grid([t for t in themes if chosen.on_page(t["partnership"])]),
            "years": grids.year_grid([plans[plan] for plan in mine if plan in plans])}
    return areas.respond(page, chosen, "compare.html", "Compare partnerships", data)
