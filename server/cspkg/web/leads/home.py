"""The home page (every partnership's plans) and search across plans."""

from __future__ import annotations

from flask import Blueprint, make_response, request

from ..queries import listing, rows
from . import areas, paging
from .kit import Page, key_of, number, routes, twin
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


RESULTS_PER_PAGE = 50  # a phone's screenful or two; the download holds every result
SEARCH_KINDS = ("action", "priority", "agency", "duty")


@routes(bp, "/search")
def search():
    """Every match, in the search question's order, a page of RESULTS_PER_PAGE at a time: at 2,000
    plans "violence" finds 2,747 items, too many for one page on a phone (or to render quickly).
    Where the build's text index can put the matches in the question's order (queries.listing),
    the question is run over the page's items alone; else over every match, and the page keeps its
    share."""
    page = Page()
    text = request.args.get("text", "").strip()
    order = listing("search", {"text": text}) if text else []
    found = None if order is not None else page.ask("search", text=text)
    kinds = [kind for kind, _ in order] if order is not None else [row["kind"] for row in found]
    fmt = twin(request.path)[1]
    number, problem = paging.page_number() if fmt in (None, "json") else (1, None)  # a download holds every result
    pages = max(1, -(-len(kinds) // RESULTS_PER_PAGE))
    if not problem and number > pages:
        return paging.past_the_last(f"There is no page {number}: the {len(kinds)} matches fill {pages} page{'' if pages == 1 else 's'}",
                                    pages)
    number = 1 if problem else number
    start, end = (number - 1) * RESULTS_PER_PAGE, number * RESULTS_PER_PAGE
    if found is not None:
        shown = found[start:end]
    elif text:
        shown = page.ask_items("search", [item for _, item in order[start:end]], text=text)
    else:
        shown = []
    results: dict[str, list] = {}
    for row in shown:
        results.setdefault(row["kind"], []).append(row)
    counts = {kind: kinds.count(kind) for kind in SEARCH_KINDS}
    suffix = ".json" if fmt == "json" else ""
    first = start + 1 if shown else 0
    data = {"text": text, "count": len(kinds), "counts": counts, "results": results,
            "paging": {"page": number, "pages": pages, "perPage": RESULTS_PER_PAGE, "first": first,
                       "last": first + len(shown) - 1 if shown else 0, "problems": [problem] if problem else [],
                       "previous": paging.href(number - 1, suffix) if number > 1 else None,
                       "next": paging.href(number + 1, suffix) if number < pages else None}}
    page.table("results", "What the search found", SEARCH_COLUMNS, found if found is not None else lambda: rows("search", {"text": text}))
    title = f"Search: {text}" if text else "Search"
    if number > 1:
        title += f", page {number} of {pages}"
    response = make_response(page.respond("search.html", title, data))
    if problem:
        response.status_code = 400
    return response
