"""Grids across partnerships: duty coverage (with gaps) and themes and years compared."""

from __future__ import annotations

from flask import Blueprint, request

from .. import coverage as grids
from .kit import Page

bp = Blueprint("grids", __name__)


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
