"""Partnerships by area, a page at a time: the `?area=<key>&page=N` of the home, coverage, compare
and duty pages.

An area is a police area, a county or a region (`partnership-areas` says each partnership's three);
its key says which kind it is: `police-area-essex`, `county-essex`, `region-east-of-england`. A page
hands `select` the partnerships it would list, in its order, and gets back those in the area and
those on the requested page (PER_PAGE at a time), with the choices for the form and the links to
the pages before and after. The filter and the paging are done here over the canned answers' rows,
so a page's queries, and their cached answers, are the same whatever is chosen. A page's tables
(its downloads) hold every partnership in the area, on every page.

A bad area or page is said in words and the page shows again, unfiltered, with a 400; a page past
the last is a 404 that links to the last page. With no area chosen and one page of partnerships, a
page shows neither the form nor the pager, and looks as it did before areas came.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import jsonify, make_response, request

from ..errors import ApiError
from . import paging
from .kit import Page, key_of, twin

PER_PAGE = 25
# (kind of area, heading of its group of choices, column of partnership-areas): the order of the form's groups.
KINDS = (("police-area", "Police areas", "policeArea"), ("county", "Counties", "county"), ("region", "Regions", "region"))
WORDS = {"police-area": "police area", "county": "county", "region": "region"}


@dataclass
class Selection:
    """Which partnerships a page shows: those in the chosen area (`chosen`), and of them those on the page (`shown`)."""

    area: dict | None  # the chosen area: key, label, kind (in words)
    chosen: list[str]  # partnership IRIs in the area, every page, in the page's order
    shown: list[str]  # those on this page
    number: int  # this page's number, from 1
    pages: int
    choices: list[dict]  # groups of options for the form: heading, options (key, label, count)
    problems: list[str] = field(default_factory=list)  # what was wrong with the parameters (a 400)
    missing: str | None = None  # a page past the last, in words (a 404)
    kept: list[tuple[str, str]] = field(default_factory=list)  # the page's other choices (name, value), kept by the form

    def keeps(self, iri: str | None) -> bool:
        """Is this partnership in the chosen area (on any page)?"""
        return iri in self._chosen

    def on_page(self, iri: str | None) -> bool:
        return iri in self._shown

    def __post_init__(self):
        self._chosen, self._shown = set(self.chosen), set(self.shown)

    @property
    def first(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.first + len(self.shown) - 1 if self.shown else 0

    @property
    def visible(self) -> bool:
        """Whether the page offers the form and the pager: an area is chosen, there is more than one
        page, or there is more than one area of some kind to choose."""
        return bool(self.area or self.problems or self.pages > 1 or any(len(g["options"]) > 1 for g in self.choices))

    def href(self, number: int | None = None, suffix: str = "") -> str:
        """This page (or its twin, with `suffix` ".json") at another page number, the area kept."""
        return paging.href(number, suffix)

    def as_data(self, suffix: str = "") -> dict:
        """What the page and its twin say of the selection: the area, the count in words, the links."""
        action = twin(request.path)[0]
        return {"area": self.area, "action": "/" if action == "/index" else action, "page": self.number, "pages": self.pages, "perPage": PER_PAGE, "total": len(self.chosen),
                "first": self.first, "last": self.last, "words": self.words(),
                "previous": self.href(self.number - 1, suffix) if self.number > 1 else None,
                "next": self.href(self.number + 1, suffix) if self.number < self.pages else None,
                "visible": self.visible, "problems": self.problems,
                "choices": self.choices, "kept": [{"name": n, "value": v} for n, v in self.kept]}

    def words(self) -> str:
        where = f" in {self.area['label']} ({self.area['kind']})" if self.area else ""
        if not self.chosen:
            return f"No partnership{where}."
        count = len(self.chosen)
        noun = "partnership" if count == 1 else "partnerships"
        if self.pages == 1:
            return f"{count} {noun}{where}."
        return f"Partnerships {self.first} to {self.last} of {count}{where}: page {self.number} of {self.pages}."


def areas_of(page: Page) -> tuple[dict[str, set[str]], dict[str, dict]]:
    """Each partnership's area keys, and every area a partnership is in (key -> key, label, kind in words)."""
    of: dict[str, set[str]] = {}
    known: dict[str, dict] = {}
    for row in page.ask("partnership-areas"):
        mine = of.setdefault(row["partnership"], set())
        for kind, _, column in KINDS:
            if row.get(column):
                key = f"{kind}-{key_of(row[column], kind)}"
                mine.add(key)
                known.setdefault(key, {"key": key, "label": row.get(column + "Label") or key, "kind": WORDS[kind], "group": kind})
    return of, known


def police_areas(page: Page, area: dict) -> set[str]:
    """The names of the police areas of every partnership in an area (a police area: its own), as an
    organisation's police area is recorded in the register."""
    of, _ = areas_of(page)
    return {row["policeAreaLabel"] for row in page.ask("partnership-areas")
            if area["key"] in of.get(row["partnership"], ()) and row.get("policeAreaLabel")}


def select(page: Page, partnerships: list[str], keep: tuple[str, ...] = ()) -> Selection:
    """The partnerships of `partnerships` (IRIs, in the page's order) in the area asked for, and the page asked for.
    `keep` names the page's own parameters (the delivery page's funder) that the choice of area keeps."""
    of, known = areas_of(page)
    counts: dict[str, int] = {}
    for iri in partnerships:
        for key in of.get(iri, ()):
            counts[key] = counts.get(key, 0) + 1
    given = request.args.get("area", "").strip()
    problems = []
    if len(request.args.getlist("area")) > 1:
        problems.append("parameter 'area' is given more than once; choose one area")
    elif given and given not in known:
        problems.append(f"parameter 'area': no partnership here is in an area '{given[:60]}'; choose a police area, county or "
                        "region from the list (its key looks like police-area-essex, county-essex or region-east-of-england)")
    number, problem = paging.page_number()
    if problem:
        problems.append(problem)
    area = known[given] if given in known and not problems else None
    chosen = [p for p in partnerships if area is None or area["key"] in of.get(p, ())]
    pages = max(1, -(-len(chosen) // PER_PAGE))
    number = 1 if problems else number
    shown = chosen[(number - 1) * PER_PAGE: number * PER_PAGE]
    choices = [{"kind": kind, "heading": heading,
                "options": sorted(({**known[k], "count": counts.get(k, 0)} for k in known
                                   if known[k]["group"] == kind and (counts.get(k) or k == given)),
                                  key=lambda o: (o["label"].casefold(), o["key"]))}
               for kind, heading, _ in KINDS]
    kept = [(name, request.args[name]) for name in keep if request.args.get(name)]
    selection = Selection(area, chosen, shown, number, pages, choices, problems, kept=kept)
    if number > pages:
        selection.missing = (f"There is no page {number}: the {len(chosen)} partnership{'' if len(chosen) == 1 else 's'}"
                             + (f" in {area['label']}" if area else "") + f" fill {pages} page{'' if pages == 1 else 's'}")
    return selection


def respond(page: Page, selection: Selection, template: str, title: str, data: dict):
    """The page, as Page.respond gives it, for a good selection; for a bad one the page again with
    what was wrong (400), or, past the last page, a 404 that links to the last page."""
    fmt = twin(request.path)[1]
    if selection.missing:
        return paging.past_the_last(selection.missing, selection.pages)
    if selection.problems and fmt not in ("json", None):  # a download: no page to show again
        raise ApiError(400, "; ".join(selection.problems))
    data = {**data, "paging": selection.as_data(".json" if fmt == "json" else "")}
    if selection.problems and fmt == "json":
        response = jsonify({"ok": False, "status": 400, "error": "; ".join(selection.problems),
                            "choices": {g["kind"]: [{"key": o["key"], "label": o["label"]} for o in g["options"]]
                                        for g in selection.choices}})
        response.status_code = 400
        return response
    if selection.area or selection.number > 1:  # the browser's tab and history tell one selection from another
        title += "".join(((f": {selection.area['label']} ({selection.area['kind']})" if selection.area else ""),
                          (f", page {selection.number} of {selection.pages}" if selection.number > 1 else "")))
    response = make_response(page.respond(template, title, data))
    if selection.problems:
        response.status_code = 400
    return response
