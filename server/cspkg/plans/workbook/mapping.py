"""The workbook mapping (mappings/plan-workbook.json), loaded into small typed objects."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...sources import REPO

MAPPING_FILE = REPO / "mappings" / "plan-workbook.json"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CONCEPT_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    kind: str  # key | text | string | integer | decimal | boolean | date | month | when | ref:<type> | local:<type> | agency | priority | pfcc | legislation | related | class | choice | inline:<what> | ...
    property: str | None = None
    multi: bool = False
    required: bool = False
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # kind "choice": (the words a cell holds, the IRI they mean)


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet's title in a workbook
    file: str  # the CSV file name in a workbook folder
    description: str
    columns: tuple[Column, ...]
    classes: dict[str, str] = field(default_factory=dict)  # type label -> class IRI ("" when the sheet has one class)
    iri: str = ""  # IRI template under the id base: {plan} and {key}
    implicit: tuple[dict, ...] = ()  # links to/from the plan (or the plan's scheme) every row gets
    scheme: dict = field(default_factory=dict)  # the plan's SKOS scheme of this sheet's items: its IRI template and the plan's link to it
    fields: tuple[Column, ...] = ()  # the Notes sheet's Field values
    rows_of: str = ""  # a sheet whose rows are another sheet's items, written with fewer columns (Action plan -> Actions)

    @property
    def type_segment(self) -> str:
        """'action' for action/{plan}/{key}: how Notes and Related columns name this sheet's items."""
        return self.iri.split("/", 1)[0]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Mapping:
    base: str
    sheets: tuple[Sheet, ...]

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    @property
    def entity_sheets(self) -> tuple[Sheet, ...]:
        return tuple(s for s in self.sheets if s.iri)

    def iri(self, sheet: Sheet, plan: str, key: str) -> str:
        return self.base + sheet.iri.format(plan=plan, key=key)

    def by_segment(self, segment: str) -> Sheet | None:
        return next((s for s in self.entity_sheets if s.type_segment == segment), None)

    def implicit_links(self, sheet: Sheet, plan: str, item: str) -> list[tuple[str, str, str]]:
        """The statements a row's item gets without a column: its links to and from the plan and, where
        the sheet's items are concepts, to the plan's scheme of them (a plan is not a concept scheme:
        its scheme is typed as one and linked from it)."""
        plan_iri = self.iri(self.sheet("Plan"), plan, plan)
        scheme = self.base + sheet.scheme["iri"].format(plan=plan) if sheet.scheme else ""
        links = []
        for link in sheet.implicit:
            if "from" in link:
                links.append((plan_iri, link["property"], item))
            else:
                links.append((item, link["property"], scheme if link["to"] == "scheme" else plan_iri))
        if scheme:
            links += [(plan_iri, sheet.scheme["property"], scheme), (scheme, RDF_TYPE, CONCEPT_SCHEME)]
        return links

    def scheme_label(self, sheet: Sheet, plan: str, title: str) -> tuple[str, str, str] | None:
        """The name of the plan's scheme of this sheet's items, made from the plan's title: (scheme, skos:prefLabel, text)."""
        if not sheet.scheme or not title:
            return None
        return self.base + sheet.scheme["iri"].format(plan=plan), PREF_LABEL, sheet.scheme["label"].format(title=title)


def _column(c: dict) -> Column:
    return Column(name=c.get("name", c["titles"]), title=c["titles"], kind=c["csp:kind"], property=c.get("propertyUrl"),
                  multi="separator" in c, required=c.get("required", False), help=c.get("dc:description", ""),
                  choices=tuple(c.get("csp:choices", {}).items()))


@lru_cache(maxsize=4)
def load(path: Path = MAPPING_FILE) -> Mapping:
    meta = json.loads(path.read_text(encoding="utf-8"))
    sheets = []
    for t in meta["tables"]:
        cls = t.get("csp:class", "")
        sheets.append(Sheet(
            name=t["dc:title"], file=t["url"], description=t.get("dc:description", ""),
            columns=tuple(_column(c) for c in t["tableSchema"]["columns"]),
            classes=cls if isinstance(cls, dict) else ({"": cls} if cls else {}),
            iri=t.get("csp:iri", ""), implicit=tuple(t.get("csp:implicit", ())), scheme=t.get("csp:scheme", {}),
            fields=tuple(_column(f) for f in t.get("csp:fields", ())),
            rows_of=t.get("csp:rowsOf", ""),
        ))
    return Mapping(base=meta["csp:base"], sheets=tuple(sheets))
