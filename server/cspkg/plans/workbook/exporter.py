"""A plan graph written out as workbook tables, by the same mapping the importer reads.

Each statement goes to the first column that reads it back as the same statement; text that can
occur more than once goes to the Notes sheet; anything else goes to the Other statements sheet.
So an exported workbook re-imports to the very same graph (export checks it before it writes).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ...errors import CspkgError
from ...namespaces import ID
from . import values
from .importer import RDF_TYPE, read_tables
from .mapping import Column, Mapping, Sheet
from .register import AGENCY_PREFIXES, LEGISLATION, Register
from .tables import Table

PRIORITY_PREFIX = ID + "priority/"
DCT_TITLE = "http://purl.org/dc/terms/title"


class Writer:
    def __init__(self, triples: set[ox.Triple], plan: str, mapping: Mapping, register: Register):
        self.triples, self.plan, self.mapping, self.reg = triples, plan, mapping, register
        self.patterns = [(sheet, re.compile("^" + re.escape(mapping.base + sheet.iri).replace(re.escape("{plan}"), re.escape(plan))
                                            .replace(re.escape("{key}"), "(?P<key>[^/]+)") + "$"))
                         for sheet in mapping.entity_sheets]
        self.rows: dict[str, tuple[Sheet, str]] = {}  # subject IRI -> (sheet, key)
        self.cells: dict[str, dict[str, list[str]]] = {}  # subject IRI -> column name -> values
        self.notes: list[list[str]] = []
        self.other: list[list[str]] = []

    def place(self, iri: str, types: set[str] | None = None) -> tuple[Sheet, str] | None:
        """The sheet and key of an item; given its types, the sheet whose classes hold them (Funding
        and Plan funding share an IRI template)."""
        for sheet, pattern in self.patterns:
            m = pattern.match(iri)
            if m and (sheet.name != "Plan" or m.group("key") == self.plan):
                if types is None or types <= set(sheet.classes.values()):
                    return sheet, m.group("key")
        return None

    def run(self) -> list[Table]:
        by_subject: dict[str, list[ox.Triple]] = {}
        for t in self.triples:
            by_subject.setdefault(t.subject.value if isinstance(t.subject, ox.NamedNode) else "_:" + t.subject.value, []).append(t)
        for iri, triples in by_subject.items():
            types = {t.object.value for t in triples if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode)}
            placed = self.place(iri, types) if not iri.startswith("_:") else None
            if placed and types and types <= set(placed[0].classes.values()) and (len(types) == 1):
                self.rows[iri] = placed
                self.cells[iri] = {"key": [placed[1]]}
        plan_iri = self.mapping.iri(self.mapping.sheet("Plan"), self.plan, self.plan)
        title = next((t.object.value for t in by_subject.get(plan_iri, ()) if t.predicate.value == DCT_TITLE and isinstance(t.object, ox.Literal)), "")
        implicit, labels = set(), set()
        for iri, (sheet, _) in self.rows.items():
            implicit.update(self.mapping.implicit_links(sheet, self.plan, iri))
            labels.add(self.mapping.scheme_label(sheet, self.plan, title))
        for iri, triples in by_subject.items():
            for t in sorted(triples, key=str):
                if (t.subject.value, t.predicate.value, t.object.value) in implicit and isinstance(t.object, ox.NamedNode):
                    continue
                if (t.subject.value, t.predicate.value, t.object.value) in labels and isinstance(t.object, ox.Literal) and t.object.language == "en":
                    continue  # a scheme's name, made again from the plan's title on import
                self.statement(t)
        return self.tables()

    def statement(self, t: ox.Triple) -> None:
        iri = t.subject.value
        if iri in self.rows:
            sheet = self.rows[iri][0]
            if t.predicate == RDF_TYPE:
                label = next(k for k, v in sheet.classes.items() if v == t.object.value)
                if label:
                    self.cells[iri]["type"] = [label]
                return
            for col in sheet.columns:
                if col.property != t.predicate.value:
                    continue
                text = self.render(col, t.object)
                if text is None or (col.multi and ";" in text):
                    continue
                held = self.cells[iri].setdefault(col.name, [])
                if held and not col.multi:
                    continue
                held.append(text)
                return
            item = "plan" if sheet.name == "Plan" else f"{sheet.type_segment}/{self.rows[iri][1]}"
            for f in self.mapping.sheet("Notes").fields:
                if f.property == t.predicate.value and isinstance(t.object, ox.Literal) and values.fits(f.kind, t.object):
                    self.notes.append([item, f.title, t.object.value])
                    return
        self.other.append([str(t.subject), str(t.predicate), str(t.object)])

    def render(self, col: Column, term) -> str | None:
        """The cell text a column's reader turns back into this term, or None if it cannot."""
        kind = col.kind
        if isinstance(term, ox.Literal):
            return term.value if kind in values.READERS and values.fits(kind, term) else None
        if not isinstance(term, ox.NamedNode):
            return None
        iri = term.value
        if kind == "agency":
            return self.reg.name_of(iri, AGENCY_PREFIXES) if iri in self.reg.known and iri.startswith(AGENCY_PREFIXES) else None
        if kind.startswith("local:") or kind == "priority":
            placed = self.place(iri)
            segment = "priority" if kind == "priority" else kind[6:]
            return placed[1] if placed and placed[0].type_segment == segment and iri in self.rows else None
        if kind == "related":
            placed = self.place(iri)
            return f"{placed[0].type_segment}/{placed[1]}" if placed and iri in self.rows and placed[0].name != "Plan" else None
        if kind.startswith("ref:"):
            segment = kind[4:]
            placed = self.place(iri)
            if placed and placed[0].type_segment == segment and iri in self.rows:
                return placed[1]
            prefix = f"{ID}{segment}/"
            key = iri.removeprefix(prefix)
            if iri.startswith(prefix) and iri in self.reg.known and "/" not in key and self.reg.find((prefix,), key) == {iri}:
                return key
            return None
        if kind == "pfcc":
            key = iri.removeprefix(PRIORITY_PREFIX)
            if iri.startswith(PRIORITY_PREFIX) and iri in self.reg.known and not key.startswith(self.plan + "/"):
                return key
            return None
        if kind == "choice":
            return next((words for words, choice in col.choices if choice == iri), None)
        if kind == "legislation":
            return iri[len(LEGISLATION):] if iri.startswith(LEGISLATION) and " " not in iri else None
        return None

    def tables(self) -> list[Table]:
        out = []
        order = {iri: i for i, iri in enumerate(sorted(self.rows, key=_natural))}
        for sheet in self.mapping.sheets:
            table = Table(sheet.name, [c.title for c in sheet.columns])
            if sheet.name == "Notes":
                rows = sorted(self.notes, key=lambda r: (_natural(r[0]), r[1], r[2]))
            elif sheet.name == "Other statements":
                rows = sorted(self.other)
            else:
                subjects = sorted((i for i, (s, _) in self.rows.items() if s.name == sheet.name), key=order.get)
                rows = [["; ".join(sorted(self.cells[i].get(c.name, []), key=_natural)) for c in sheet.columns] for i in subjects]
            table.rows = [(n, r) for n, r in enumerate(rows, start=2)]
            if sheet.name == "Plan" or table.rows:
                out.append(table)
        return out


def _natural(text: str):
    """r2 before r10: numbers inside keys sort as numbers."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text)]


def write_tables(triples: set[ox.Triple], plan: str, mapping: Mapping, register: Register) -> list[Table]:
    tables = Writer(triples, plan, mapping, register).run()
    back = read_tables({t.sheet: t for t in tables}, mapping, register)
    if back.problems or back.triples != triples:
        lost = sorted(str(t) for t in triples - back.triples)[:5]
        added = sorted(str(t) for t in back.triples - triples)[:5]
        problems = [str(p) for p in back.problems[:5]]
        raise CspkgError(f"plan {plan}: the workbook would not read back as the same plan "
                         f"(missing: {lost}; extra: {added}; problems: {problems})")
    return tables
