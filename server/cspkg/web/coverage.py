"""Matrices for the coverage and compare pages, from canned-query rows: partnership by duty,
partnership by theme, partnership by year. Each cell keeps its count, a shade level for the
heatmap (the count is always printed too) and the link to what lies behind it."""

from __future__ import annotations


UNDATED = "no dates"


def key_of(iri: str) -> str:
    """The short key of one of our IRIs: https://w3id.org/cspkg/id/duty/prevent-duty -> prevent-duty."""
    return iri.split("/id/", 1)[1].split("/", 1)[1]


def level(count: int) -> int:
    """Shade 0-3: none, a few, several, many actions."""
    return 0 if count == 0 else 1 if count <= 2 else 2 if count <= 9 else 3


def _partnerships(plans: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for p in plans:
        seen.setdefault(p["partnership"], {"iri": p["partnership"], "label": p["partnershipLabel"], "key": key_of(p["partnership"])})
    return list(seen.values())


def duty_grid(cells: list[dict], gaps: list[dict], plans: list[dict]) -> dict:
    """Duties down, partnerships across (a handful of columns fits a page and a printout)."""
    partnership_of = {p["plan"]: p["partnership"] for p in plans}
    # A plan the plans query does not list (no partnership label) has no column to mark: skip, never fail.
    unfunded = {(partnership_of[g["plan"]], g["duty"]) for g in gaps
                if g["gap"] == "cited, no funded action" and g["plan"] in partnership_of}
    # A statutory duty a partnership held, in force during its plan, that no action serves and no priority cites:
    # a gap of its own, so the duty has a row even when no plan of any partnership touches it.
    held = {(partnership_of[g["plan"]], g["duty"]) for g in gaps
            if g["gap"] == "held, no action at all" and g["plan"] in partnership_of}
    duties = sorted({(c["dutyLabel"], c["duty"]) for c in cells} | {(g["dutyLabel"], g["duty"]) for g in gaps
                                                                   if g["gap"] == "held, no action at all"})
    by_pair = {(c["partnership"], c["duty"]): c for c in cells}
    partnerships = _partnerships(plans)
    rows = []
    for label, duty in duties:
        row = {"iri": duty, "label": label, "key": key_of(duty), "cells": []}
        for partnership in partnerships:
            c = by_pair.get((partnership["iri"], duty))
            actions = int(c["actions"]) if c else 0
            row["cells"].append({
                "partnership": partnership["iri"], "actions": actions, "fundedActions": int(c["fundedActions"]) if c else 0,
                "totalGBP": c["totalGBP"] if c else "0", "cited": bool(c and c["cited"] == "yes"),
                "citedNoFundedAction": (partnership["iri"], duty) in unfunded, "level": level(actions),
                "heldNoAction": (partnership["iri"], duty) in held and not c,
                "href": f"/duties/{key_of(duty)}#p-{partnership['key']}" if c else None,
            })
        rows.append(row)
    return {"partnerships": partnerships, "rows": rows}


def theme_grid(cells: list[dict]) -> dict:
    """Themes down, partnerships across, like the duty heatmap."""
    themes = sorted({(c["themeLabel"], c["theme"]) for c in cells})
    by_pair = {(c["partnership"], c["theme"]): int(c["actions"]) for c in cells}
    partnerships = sorted({(c["partnershipLabel"], c["partnership"]) for c in cells})
    rows = [{"iri": t, "label": label, "key": key_of(t), "cells": [
        {"partnership": p, "actions": by_pair.get((p, t), 0), "level": level(by_pair.get((p, t), 0)),
         # one partnership's actions on the theme, with a second partnership to choose beside it
         "href": f"/compare/side-by-side?a={key_of(p)}&theme={key_of(t)}" if by_pair.get((p, t)) else None}
        for _, p in partnerships]} for label, t in themes]
    return {"partnerships": [{"iri": p, "label": label, "key": key_of(p)} for label, p in partnerships], "rows": rows}


def year_grid(plans: list[dict]) -> dict:
    """Partnerships down, plan years across: the same partnership's plans side by side. Every plan
    has a cell: two plans starting in one year share it, and a plan without dates is under "no dates"."""
    def year(p: dict) -> str:
        return p["startDate"][:4] if p.get("startDate") else UNDATED

    years = sorted({year(p) for p in plans}, key=lambda y: (y == UNDATED, y))
    rows = []
    for partnership in _partnerships(plans):
        mine: dict[str, list[dict]] = {}
        for p in plans:
            if p["partnership"] == partnership["iri"]:
                mine.setdefault(year(p), []).append(
                    {"plan": p["plan"], "key": key_of(p["plan"]), "period": p.get("period") or p.get("title") or key_of(p["plan"]),
                     **{k: int(float(p.get(k) or 0)) for k in ("priorities", "actions", "fundedActions", "actionsWithAmount", "totalGBP")}})
        rows.append({**partnership, "cells": [{"year": y, "plans": mine.get(y, []), **(mine[y][0] if y in mine else {})} for y in years]})
    return {"years": years, "rows": rows}
