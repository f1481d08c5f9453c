"""What every page for leads shares: the record of the canned queries a page was computed from,
its JSON twin, the keys in our IRIs, numbers from query answers, and the template filters.

Every page is built from canned queries (`queries/*.rq`) run through the same runner and cache as
the API, so each number on a page is the answer to a question anyone can re-ask at
`/queries/<name>`. Each page has a machine-readable twin at the same path plus `.json`, and each
table it names (`Page.table`) downloads at the same path plus `.csv` or `.xlsx` with `?table=<name>`
(register the four paths with `@routes(bp, rule)`; link the downloads with `{{ download("name") }}`).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, make_response, render_template, request

from ...errors import BadInput
from ...namespaces import BASE
from .. import context
from ..context import cached, remember
from ..errors import ApiError
from ..queries import rows, rows_together
from .tables import FORMATS, Table, file_bytes

bp = Blueprint("leadkit", __name__)
ID = BASE + "id/"


class Page:
    """What a page shows, the canned queries it was computed from, and the tables it offers for download."""

    def __init__(self):
        self.used: list[tuple[str, dict]] = []
        self.tables: dict[str, Table] = {}
        self.ready: dict[tuple, list[dict]] = {}  # answers asked ahead (`ahead`), by question and values

    def ahead(self, *asks: tuple) -> None:
        """Ask these questions (name, values; or name, values, where, for `ask_where`) now, all at
        once (queries.rows_together), for `ask` to read: a page that needs them all waits for the
        slowest, not for each in turn. A question that fails here is asked again by `ask`, and
        fails there as it would alone."""
        for i, found in rows_together(list(asks)).items():
            name, values, *where = asks[i]
            self.ready[(name, tuple(sorted(values.items())), *where)] = found

    def ask(self, name: str, **values) -> list[dict]:
        self.used.append((name, values))
        found = self.ready.get((name, tuple(sorted(values.items()))))
        return found if found is not None else rows(name, values)

    def ask_where(self, name: str, where: tuple[str, str], **values) -> list[dict]:
        """The question's rows whose column holds an IRI (`where`: column, IRI): a kept answer is read
        for those rows alone (a duty's rows of a national answer), and the rows are checked here."""
        self.used.append((name, values))
        found = self.ready.get((name, tuple(sorted(values.items())), where))
        found = found if found is not None else rows(name, values, where=where)
        return [r for r in found if r.get(where[0]) == where[1]]

    def ask_for(self, name: str, units: list[str]) -> list[dict]:
        """The question's rows for these units (plans, for a question kept by plan): only theirs where
        the build keeps the answer by unit, else every row; the caller keeps those it wants."""
        self.used.append((name, {}))
        return rows(name, {}, units)

    def ask_items(self, name: str, items: list[str], **values) -> list[dict]:
        """The question's rows for these items alone (IRIs the text index chose and ordered,
        queries.listing), in its order."""
        self.used.append((name, values))
        return rows(name, values, items=items) if items else []

    def table(self, name: str, title: str, columns, rows) -> list | None:
        """Names one of the page's tables: `columns` are (key in each row, heading in words), `rows`
        the dicts the template draws, or a function that gives them when the table is read. It is
        then offered as `<path>.csv?table=<name>` and `.xlsx`, and given in the JSON twin under
        "tables". Returns the rows, for the page's data (None for a function)."""
        if callable(rows):
            self.tables[name] = Table(name, title, tuple(columns), rows)
            return None
        rows = list(rows)
        self.tables[name] = Table(name, title, tuple(columns), tuple(rows))
        return rows

    def sources(self) -> list[dict]:
        return [{"query": name, "parameters": values,
                 "page": f"/queries/{name}" + (f"?{urlencode(values)}" if values else ""),
                 "sparql": f"/queries/{name}.rq"} for name, values in self.used]

    def respond(self, template: str, title: str, data: dict, **extra):
        """The page as HTML, or its JSON twin (`.json`), or one of its tables as a download (`.csv`, `.xlsx`)."""
        base, fmt = twin(request.path)
        if fmt in FORMATS:
            return self.download(base, fmt)
        if fmt == "json":
            return jsonify({"title": title, "data": data, "computedBy": self.sources(),
                            "tables": {name: t.as_json() for name, t in self.tables.items()}})
        # the page's own parameters, but not its page number: a download holds the rows of every page
        kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("table", "page")]
        downloads = {name: {"title": t.title, **{f: f"{base}.{f}?{urlencode(kept + [('table', name)])}" for f in FORMATS}}
                     for name, t in self.tables.items()}
        return render_template(f"pages/{template}", title=title, data=data, sources=self.sources(), downloads=downloads, **extra,
                               json_href=base + ".json"
                               + (f"?{request.query_string.decode()}" if request.query_string else ""))

    def download(self, base: str, fmt: str) -> Response:
        names = ", ".join(self.tables) or "none"
        wanted = request.args.get("table")
        if not self.tables:
            raise ApiError(404, "this page has no table to download")
        if wanted is None and len(self.tables) == 1:
            wanted = next(iter(self.tables))
        if wanted is None:
            raise ApiError(400, f"say which table to download, as ?table=NAME; this page's tables are: {names}")
        if wanted not in self.tables:
            raise ApiError(404, f"this page has no such table; its tables are: {names}")
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", base.strip("/")) or "index"
        response = Response(file_bytes(self.tables[wanted], fmt), mimetype=FORMATS[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{wanted}.{fmt}"'
        return response


def twin(path: str) -> tuple[str, str | None]:
    """A lead page's path without its twin's suffix, and the suffix (json, csv, xlsx) if any."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in ("json", *FORMATS) and "/" not in suffix:
        return stem, suffix
    return (path.rstrip("/") or "/index"), None


def routes(bp: Blueprint, rule: str):
    """Registers a lead page's view at `rule` and at its twins: `rule.json`, `rule.csv`, `rule.xlsx`
    (the home page's at /index.json and so on), each kept once made (kept_pages)."""
    base = "/index" if rule == "/" else rule

    def register(view):
        kept = kept_pages(view)
        for path in (rule, *(f"{base}.{suffix}" for suffix in ("json", *FORMATS))):
            bp.add_url_rule(path, view_func=kept, methods=["GET"])
        return view

    return register


def kept_pages(view):
    """The view, its answers kept in the cache every worker shares, by build: a page is made of its
    build's answers and its own address, and nothing else (no cookie, no date, no nonce), so the
    page made once serves every later request for that build, whichever worker takes it. Rows are
    cached too, but a page of 2,000 plans took 20-40 ms to draw again each time. Only a 200 is kept."""

    @functools.wraps(view)
    def serve(**values):
        key = ("page", request.path, tuple(request.args.items(multi=True)), context.base_url())
        kept = cached(key)
        if kept is not None:
            body, status, headers = kept
            response = Response(body, status=status, headers=headers)
            response.headers["X-Cache"] = "HIT"
            return response
        response = make_response(view(**values))
        if response.status_code == 200 and not response.is_streamed:
            remember(key, (response.get_data(), response.status_code, list(response.headers.items())))
        response.headers["X-Cache"] = "MISS"
        return response

    return serve


def key_of(iri: str, kind: str) -> str:
    return iri.split(f"/id/{kind}/", 1)[1] if f"/id/{kind}/" in iri else iri


def number(text: str | None):
    """A count or an amount from a query answer: int when whole, Decimal otherwise."""
    if text in (None, ""):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return int(value) if value == value.to_integral_value() else value


SUBJECTS = {"plan": "plan", "duty": "legal duty", "agent": "organisation, team or post", "partnership": "partnership"}  # a page's subject, in words


def one(page: Page, name: str, kind: str, key: str, **values) -> list[dict]:
    """The rows of the query that defines the page's subject; an unknown key is a 404."""
    try:
        found = page.ask(name, **{kind: key}, **values)
    except BadInput:
        found = []
    if not found:
        raise ApiError(404, f"no {SUBJECTS.get(kind, kind)} '{key}' in the data")
    return found


@bp.app_template_filter("doc")
def doc_link(iri: str | None) -> str | None:
    """Where a reader sees a resource and its sources: its /doc page here, or its own home."""
    if not iri:
        return None
    if iri.startswith(ID + "duty/"):
        return "/duties/" + iri[len(ID + "duty/"):]
    if iri.startswith(ID + "agency/"):  # organisations, their teams and posts
        return "/organisations/" + iri[len(ID + "agency/"):]
    if iri.startswith(ID + "partnership/"):
        return "/partnerships/" + iri[len(ID + "partnership/"):]
    if iri.startswith(ID):
        return "/doc/" + iri[len(ID):]
    if iri.startswith(BASE + "def/"):
        return "/" + iri[len(BASE):]
    return iri


@bp.app_template_filter("source")
def source_link(iri: str) -> str:
    """The /doc page of one of our resources, even a duty or an organisation (whose pages for leads
    are /duties/... and /organisations/...)."""
    return "/doc/" + iri[len(ID):] if iri.startswith(ID) else iri


@bp.app_template_filter("gbp")
def gbp(value) -> str:
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@bp.app_template_filter("date_words")
def date_words(value: str | None) -> str:
    """An xsd:date as people write it (31 January 2023); anything else as it is."""
    from datetime import date

    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return value or ""
    return f"{day.day} {day:%B %Y}"


@bp.app_template_filter("named")
def named(text: str | None, iris: str | None) -> list[dict]:
    """The bodies a query names in a "; "-separated text column, each with its IRI from the
    space-separated column beside it (same order), for linking; the text alone when they differ."""
    if not text:
        return []
    names = text.removesuffix(" (row lead)").split("; ")
    found = (iris or "").split()
    if len(found) != len(names):
        return [{"label": text, "iri": None}]
    return [{"label": name, "iri": iri} for name, iri in zip(names, found)]
