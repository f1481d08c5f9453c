"""Grids across partnerships: duty coverage (with gaps) and themes and years compared."""

from __future__ import annotations

from flask import Blueprint

from .. import coverage as grids
from .kit import Page, number, routes

bp = Blueprint("grids", __name__)


COVERAGE_COLUMNS = (("dutyLabel", "Legal duty"), ("partnershipLabel", "Partnership"), ("actions", "Actions"),
                    ("fundedActions", "Actions with funding named"), ("totalGBP", "Amounts stated (GBP)"),
                    ("gap", "Gap"), ("duty", "Link"))


@routes(bp, "/coverage")
def coverage():
    page = Page()
    cells = page.ask("duty-coverage")
    gaps = page.ask("duties-without-funded-actions")
    plans = page.ask("plans")
    data = grids.duty_grid(cells, gaps, plans)
    names = {p["iri"]: p["label"] for p in data["partnerships"]}
    page.table("coverage", "Actions serving each legal duty, by partnership", COVERAGE_COLUMNS,
               [{"dutyLabel": row["label"], "duty": row["iri"], "partnershipLabel": names[c["partnership"]],
                 "actions": c["actions"], "fundedActions": c["fundedActions"], "totalGBP": number(c["totalGBP"]),
                 "gap": "held, no action" if c["heldNoAction"] else "cited, no funded action" if c["citedNoFundedAction"] else None}
                for row in data["rows"] for c in row["cells"]])
    return page.respond("coverage.html", "Legal duties covered by each partnership", data)


@bp.get("/compare")
@bp.get("/compare.json")
def compare():
    page = Page()
    data = {"themes": grids.theme_grid(page.ask("theme-coverage")), "years": grids.year_grid(page.ask("plans"))}
    return page.respond("compare.html", "Compare partnerships", data)
