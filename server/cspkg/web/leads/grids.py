"""Grids across partnerships: duty coverage (with gaps) and themes and years compared."""

from __future__ import annotations

from flask import Blueprint

from .. import coverage as grids
from . import areas
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
    chosen = areas.select(page, list(dict.fromkeys(p["partnership"] for p in plans)))
    plan_in = {p["plan"] for p in plans if chosen.keeps(p["partnership"])}
    # The grid of every partnership in the area (the download), of which the page shows its own columns.
    every = grids.duty_grid([c for c in cells if chosen.keeps(c["partnership"])], [g for g in gaps if g["plan"] in plan_in],
                            [p for p in plans if p["plan"] in plan_in])
    names = {p["iri"]: p["label"] for p in every["partnerships"]}
    page.table("coverage", "Actions serving each legal duty, by partnership", COVERAGE_COLUMNS,
               [{"dutyLabel": row["label"], "duty": row["iri"], "partnershipLabel": names[c["partnership"]],
                 "actions": c["actions"], "fundedActions": c["fundedActions"], "totalGBP": number(c["totalGBP"]),
                 "gap": "held, no action" if c["heldNoAction"] else "cited, no funded action" if c["citedNoFundedAction"] else None}
                for row in every["rows"] for c in row["cells"]])
    data = {"partnerships": [p for p in every["partnerships"] if chosen.on_page(p["iri"])],
            "rows": [{**row, "cells": [c for c in row["cells"] if chosen.on_page(c["partnership"])]} for row in every["rows"]]}
    return areas.respond(page, chosen, "coverage.html", "Legal duties covered by each partnership", data)


@bp.get("/compare")
@bp.get("/compare.json")
def compare():
    page = Page()
    themes = page.ask("theme-coverage")
    plans = page.ask("plans")
    chosen = areas.select(page, list(dict.fromkeys(p["partnership"] for p in plans)))
    data = {"themes": grids.theme_grid([t for t in themes if chosen.on_page(t["partnership"])]),
            "years": grids.year_grid([p for p in plans if chosen.on_page(p["partnership"])])}
    return areas.respond(page, chosen, "compare.html", "Compare partnerships", data)
