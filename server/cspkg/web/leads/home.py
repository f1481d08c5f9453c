"""The home page (every partnership's plans) and search across plans."""

from __future__ import annotations

from flask import Blueprint, request

from .kit import Page, key_of, number

bp = Blueprint("home", __name__)


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
