"""A workbook's tables, read into a plan graph by the mapping, with every problem located.

Nothing is guessed: an unknown agency, an amount that cannot be read, a key used twice or a
reference to a row that does not exist is a problem naming its sheet, row and column. The
caller writes nothing when there is any problem.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import ID, plan_graph
from . import actionplan, names, periods, values
from .declarations import Declared, Declarer
from .mapping import KEY_PATTERN, Column, Mapping, Sheet
from .register import AGENCY_PREFIXES, LEGISLATION, Register, closest_text
from .tables import Table, column_letter

ROLE_TITLES = {"police": "Police force", "fire": "Fire and rescue service", "county": "County council",
               "council": "Council", "pcc": "Police and Crime Commissioner", "self": "Name"}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CSP = "https://w3id.org/cspkg/def/"
PRIORITY_PREFIX = ID + "priority/"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LISTED = ("duty", "funding-stream")  # reference keys the template's drop-down lists offer (dropdowns.py)
LABELLED = ("Actions", "Objectives", "Outcomes", "Progress")  # a row with no Label is named by its text


def short(text: str, limit: int = 120) -> str:
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit - 2)].rstrip(" ,;:") + " …"


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None  # "F (Lead agency)"
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f" row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Imported:
    plan: str
    triples: set[ox.Triple] = field(default_factory=set)
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # subject IRI -> (sheet, row)
    problems: list[Problem] = field(default_factory=list)
    declared: Declared = field(default_factory=Declared)  # the who-is-who sheets: new things, notices, the area

    @property
    def graph(self) -> str:
        return plan_graph(self.plan)


class Reader:
    def __init__(self, tables: dict[str, Table], mapping: Mapping, register: Register, source: str = "workbook"):
        self.tables, self.mapping, self.reg, self.source = tables, mapping, register, source
        self.document = None
        self.out = Imported(plan="")
        self.keys: dict[str, dict[str, int]] = {}  # sheet name -> key -> row
        self.positions: dict[str, dict[str, int]] = {}  # sheet name -> column name -> index
        self.declared = Declared()
        self.area: str | None = None  # the plan's police area (its partnership's)
        self.roles: dict[str, set[str]] = {}  # what a generic name means in this plan ("police" -> its force)
        self.folded: dict[tuple[int, str], int] = {}  # (Actions row, column name) -> the Action plan row it came from
        self.made_labels: set[ox.Triple] = set()  # schemes' names made from the plan's title (name_schemes)

    # --- problems ---
    def problem(self, sheet: str, row: int | None, col: Column | None, message: str) -> None:
        if sheet == "Actions" and row is not None:
            sheet, row, col = self.origin_of(row, col)
        where = None
        if col is not None:
            index = self.positions.get(sheet, {}).get(col.name)
            where = f"{column_letter(index)} ({col.title})" if index is not None else col.title
        self.out.problems.append(Problem(sheet, row, where, message))

    def origin_of(self, row: int, col: Column | None) -> tuple[str, int, Column | None]:
        """Where an Actions cell was written: on the Action plan sheet when it came from there."""
        short = self.mapping.sheet(actionplan.SHEET)
        names = {c.name for c in short.columns}
        if col is not None and (row, col.name) in self.folded:
            return actionplan.SHEET, self.folded[(row, col.name)], short.column(col.name)
        if row >= actionplan.FOLDED:
            return actionplan.SHEET, row - actionplan.FOLDED, short.column(col.name) if col is not None and col.name in names else None
        return "Actions", row, col

    def located(self, sheet: str, row: int) -> tuple[str, int]:
        return self.origin_of(row, None)[:2] if sheet == "Actions" else (sheet, row)

    # --- the passes ---
    def run(self) -> Imported:
        known = {s.name for s in self.mapping.sheets}
        for name in self.tables:
            if name not in known:
                self.problem(name, None, None, f"not a sheet of the plan workbook (known sheets: {', '.join(sorted(known))})")
        for sheet in self.mapping.sheets:
            if sheet.name in self.tables:
                self.check_header(sheet, self.tables[sheet.name])
        plan = self.tables.get("Plan")
        if plan is None or not plan.rows:
            self.problem("Plan", None, None, "the Plan sheet is missing or empty: it needs one row with the plan's key and title")
            return self.out
        if len(plan.rows) > 1:
            self.problem("Plan", plan.rows[1][0], None, "the Plan sheet has more than one row: a workbook holds one plan")
        key = self.cell(self.mapping.sheet("Plan"), plan.rows[0][1], "key")
        if not key or not KEY_PATTERN.match(key) or key != key.lower():
            self.problem("Plan", plan.rows[0][0], self.mapping.sheet("Plan").column("key"),
                         f"'{key}' is not a plan key; write e.g. tendring-2021-22 (lower case, digits and '-')")
            return self.out
        self.out.plan = key
        if self.out.problems:
            return self.out
        # A row that cannot be folded in is reported and left out; the rest are read, so one run lists every problem.
        self.folded = actionplan.fold(self.tables, self.mapping, self.positions, self.problem)
        for sheet in self.mapping.entity_sheets:
            self.collect_keys(sheet)
        self.collect_inline_keys()
        self.read_declarations()
        if self.out.problems:
            return self.out
        self.default_document()
        for sheet in self.mapping.entity_sheets:
            for number, cells in self.tables.get(sheet.name, Table(sheet.name, [])).rows:
                self.read_row(sheet, number, cells)
        self.read_notes()
        self.read_other()
        self.name_schemes()
        return self.out

    def check_header(self, sheet: Sheet, table: Table) -> None:
        titles = {c.title.casefold(): c for c in sheet.columns}
        seen = self.positions.setdefault(sheet.name, {})
        for i, title in enumerate(table.header):
            if not title:
                if any(len(cells) > i and cells[i] for _, cells in table.rows):
                    self.out.problems.append(Problem(sheet.name, 1, column_letter(i), "this column has values but no heading"))
                continue
            col = titles.get(title.strip().casefold())
            if col is None:
                self.out.problems.append(Problem(sheet.name, 1, f"{column_letter(i)} ({title})",
                                                 f"unknown column heading '{title}' (this sheet's columns: {', '.join(c.title for c in sheet.columns)})"))
            elif col.name in seen:
                self.out.problems.append(Problem(sheet.name, 1, f"{column_letter(i)} ({title})", f"the heading '{title}' appears twice"))
            else:
                seen[col.name] = i
        if table.rows or sheet.name == "Plan":
            for col in sheet.columns:
                if col.required and col.name not in seen:
                    self.problem(sheet.name, 1, None, f"the required column '{col.title}' is missing")

    def cell(self, sheet: Sheet, cells: list[str], name: str) -> str:
        index = self.positions.get(sheet.name, {}).get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def collect_keys(self, sheet: Sheet) -> None:
        keys = self.keys.setdefault(sheet.name, {})
        for number, cells in self.tables.get(sheet.name, Table(sheet.name, [])).rows:
            key = self.cell(sheet, cells, "key")
            col = sheet.column("key")
            if not key:
                self.problem(sheet.name, number, col, "no key given; every row needs a short id that never changes")
            elif not KEY_PATTERN.match(key):
                self.problem(sheet.name, number, col, f"'{key}' is not a key: use letters, digits, '-', '.' or '_'")
            elif key in keys:
                self.problem(sheet.name, number, col, f"the key '{key}' is already used on row {keys[key]}")
            elif twin := self.twin_with_key(sheet, key):
                self.problem(sheet.name, number, col, f"the key '{key}' is already used on the {twin} sheet; "
                             "rows of the two sheets are funding of one plan, so give this one another key")
            else:
                keys[key] = number

    def twin_with_key(self, sheet: Sheet, key: str) -> str | None:
        """Another sheet whose rows get IRIs from the same template (Funding, Plan funding) using this key."""
        return next((other.name for other in self.mapping.entity_sheets
                     if other.iri == sheet.iri and other.name != sheet.name and key in self.keys.get(other.name, {})), None)

    def read_declarations(self) -> None:
        """The who-is-who sheets first, then the plan's partnership: together they say the plan's area and roles."""
        self.declared = self.out.declared = Declarer(self, self.reg, self.out.plan).run()
        self.area = self.declared.area
        partnership = self.declared.partnership
        if partnership is None:
            written = self.cell(self.mapping.sheet("Plan"), self.tables["Plan"].rows[0][1], "partnership")
            found = self.reg.find((ID + "partnership/",), written) if written else set()
            partnership = found.pop() if len(found) == 1 else None
        if partnership is not None:
            self.area = self.area or self.reg.area_of(partnership)
            self.roles = {role: set(iris) for role, iris in self.reg.roles.get(partnership, {}).items()}
            for role, iris in self.declared.roles.items():
                self.roles[role] = set(iris)
            self.roles["self"] = {partnership}

    def default_document(self) -> None:
        """A workbook that names no source document is its own: every row is derived from it."""
        self.document = None
        if self.keys.get("Documents"):
            return
        sheet = self.mapping.sheet("Documents")
        self.keys["Documents"] = {self.out.plan: 0}
        self.document = self.subject(sheet, self.out.plan)
        title = self.cell(self.mapping.sheet("Plan"), self.tables["Plan"].rows[0][1], "title") or self.out.plan
        self.add(self.document, RDF_TYPE.value, ox.NamedNode(sheet.classes[""]))
        for prop in ("http://purl.org/dc/terms/title", "http://www.w3.org/2000/01/rdf-schema#label"):
            self.add(self.document, prop, values.text(f"{title} (plan workbook)"))
        self.add(self.document, CSP + "seedFile", values.string(self.source))

    def collect_inline_keys(self) -> None:
        """An action's one-cell outcome, measure, funding or update is a row keyed like the action."""
        sheet = self.mapping.sheet("Actions")
        for target, inline in (("Outcomes", "desired_outcome"), ("Measures", "measure_inline"),
                               ("Funding", "funding_inline"), ("Progress", "update_inline")):
            taken = self.keys.setdefault(target, {})
            for number, cells in self.tables.get("Actions", Table("Actions", [])).rows:
                key = self.cell(sheet, cells, "key")
                if key and self.cell(sheet, cells, inline):
                    if key in taken:
                        self.problem("Actions", number, sheet.column(inline),
                                     f"the {target} sheet already has a row with key '{key}' (row {taken[key]}); use one or the other")
                    else:
                        taken[key] = -number  # negative: made from an Actions row, not a row of its own sheet

    def subject(self, sheet: Sheet, key: str) -> ox.NamedNode:
        return ox.NamedNode(self.mapping.iri(sheet, self.out.plan, key))

    def add(self, s, p: str, o) -> None:
        self.out.triples.add(ox.Triple(s, ox.NamedNode(p), o))

    def read_row(self, sheet: Sheet, number: int, cells: list[str]) -> None:
        key = self.cell(sheet, cells, "key") if sheet.name != "Plan" else self.out.plan
        if not key or self.keys.get(sheet.name, {}).get(key, number) != number and sheet.name != "Plan":
            return  # already reported
        s = self.subject(sheet, key)
        self.out.rows[s.value] = self.located(sheet.name, number)
        if "" in sheet.classes:
            self.add(s, RDF_TYPE.value, ox.NamedNode(sheet.classes[""]))
        for subject, prop, target in self.mapping.implicit_links(sheet, self.out.plan, s.value):
            self.add(ox.NamedNode(subject), prop, ox.NamedNode(target))
        label = self.mapping.scheme_label(sheet, self.out.plan, self.cell(self.mapping.sheet("Plan"), self.tables["Plan"].rows[0][1], "title"))
        if label:
            self.made_labels.add(ox.Triple(ox.NamedNode(label[0]), ox.NamedNode(label[1]), values.text(label[2])))
        for col in sheet.columns:
            raw = self.cell(sheet, cells, col.name)
            if col.kind == "key" or col.kind.startswith("inline:"):
                continue
            if not raw:
                if col.required:
                    self.problem(sheet.name, number, col, "this column is required but the cell is empty")
                continue
            if col.kind == "class":
                cls = sheet.classes.get(raw.casefold())
                if cls is None:
                    self.problem(sheet.name, number, col, f"'{raw}' is not a type here; write one of: {', '.join(sheet.classes)}")
                else:
                    self.add(s, RDF_TYPE.value, ox.NamedNode(cls))
                continue
            parts = [p.strip() for p in raw.split(";")] if col.multi else [raw]
            for part in filter(None, parts):
                term = self.term(sheet, number, col, part)
                if term is not None:
                    self.add(s, col.property, term)
        if self.document is not None and not self.cell(sheet, cells, "source_document") and sheet.name != "Documents":
            self.add(s, PROV_DERIVED, self.document)
        if sheet.name in LABELLED and not self.cell(sheet, cells, "label") and self.cell(sheet, cells, "description"):
            self.add(s, RDFS_LABEL, values.text(short(self.cell(sheet, cells, "description"))))
        if sheet.name == "Actions":
            self.read_inline(sheet, number, cells, s, key)
        if sheet.name == "Plan":
            self.read_period(sheet, number, cells, s)

    def read_period(self, sheet: Sheet, number: int, cells: list[str], plan: ox.NamedNode) -> None:
        """Start and End date, when not given, derived from the Period as written, with a note that they were."""
        written = self.cell(sheet, cells, "period")
        given = {name: self.cell(sheet, cells, name) for name in ("start_date", "end_date")}
        dates: dict[str, str] = {}
        for name, raw in given.items():
            try:
                dates[name] = values.date(raw).value if raw else ""
            except ValueError:
                return  # reported by the column's reader
        if written and not all(dates.values()):
            try:
                period = periods.parse(written)
            except ValueError as err:
                self.problem(sheet.name, number, sheet.column("period"), f"{err}, or give the Start date and End date")
                return
            derived = {"start_date": period.start.isoformat(), "end_date": period.end.isoformat()}
            missing = [name for name in derived if not dates[name]]
            for name in missing:
                dates[name] = derived[name]
                self.add(plan, sheet.column(name).property, values.typed(derived[name], "date"))
            what = "Start and end dates" if len(missing) == 2 else sheet.column(missing[0]).title
            self.add(plan, CSP + "periodReading", values.text(period.note(written, what)))
        if all(dates.values()) and dates["end_date"] < dates["start_date"]:
            self.problem(sheet.name, number, sheet.column("end_date"),
                         f"the plan ends ({dates['end_date']}) before it starts ({dates['start_date']}); correct the Start date or End date")

    def term(self, sheet: Sheet, number: int, col: Column, value: str):
        kind = col.kind
        try:
            if kind in values.READERS:
                return values.READERS[kind](value)
            if kind == "agency":
                return self.agency(value)
            if kind.startswith("local:"):
                return self.local(kind[6:], value)
            if kind.startswith("ref:"):
                return self.reference(kind[4:], value)
            if kind == "priority":
                return self.priority(value)
            if kind == "pfcc":
                return self.pfcc(value)
            if kind == "choice":
                found = [iri for words, iri in col.choices if words.casefold() == value.casefold()]
                if not found:
                    raise ValueError(f"'{value}' is not one of: {', '.join(w for w, _ in col.choices)}")
                return ox.NamedNode(found[0])
            if kind == "legislation":
                iri = value if value.startswith(LEGISLATION) else LEGISLATION + value.strip("/")
                if " " in iri or not iri[len(LEGISLATION):].count("/") >= 2:
                    raise ValueError(f"'{value}' is not a legislation.gov.uk identifier such as ukpga/1998/37/section/6")
                return ox.NamedNode(iri)
            if kind == "related":
                segment, _, key = value.partition("/")
                target = self.mapping.by_segment(segment)
                if target is None or not key:
                    raise ValueError(f"'{value}' is not written as sheet-type/key, e.g. objective/o2")
                return self.local(segment, key)
        except ValueError as err:
            self.problem(sheet.name, number, col, str(err))
            return None
        raise AssertionError(f"mapping kind {kind!r} has no reader")

    def agency(self, value: str) -> ox.NamedNode:
        """An organisation by name: a generic name is the plan's own body; then the workbook's
        declarations; then the graph, where another area's body is found only by its own name."""
        role = names.generic_role(value)
        if role:
            hits = self.roles.get(role, set())
            if len(hits) == 1:
                return ox.NamedNode(next(iter(hits)))
            what = names.ROLES.get(role, role)
            if hits:
                raise ValueError(f"'{value}' could be any of the partnership's {what}s ({', '.join(sorted(self.reg.names.get(i, i) for i in hits))}); "
                                 "write the full name")
            whose = "the plan's own" if role == "self" else "the partnership's own"
            raise ValueError(f"'{value}' means {whose} {what}, which neither the graph nor this workbook names: "
                             f"give it on the Partnership sheet ({ROLE_TITLES.get(role, 'Name')} column), or write the {what}'s full name")
        declared = self.declared.find(AGENCY_PREFIXES, value)
        if declared:
            return ox.NamedNode(declared)
        found = self.reg.find(AGENCY_PREFIXES, value)
        other = {i for i in found if self.area and self.reg.area_of(i) not in (None, self.area) and not self.reg.by_preferred_name(i, value)}
        found -= other
        if len(found) == 1:
            return ox.NamedNode(found.pop())
        if found:
            names_ = sorted(self.reg.names.get(i, i) for i in found)
            raise ValueError(f"'{value}' could be any of {', '.join(names_)}; write the full name")
        here = self.reg.area_names.get(self.area, self.area)
        if other:
            them = ", ".join(f"{self.reg.names.get(i, i)} (of {self.reg.area_names.get(self.reg.area_of(i), self.reg.area_of(i))})" for i in sorted(other))
            raise ValueError(f"'{value}' is another name of {them}, not of a body of this plan's area ({here}): "
                             "declare the body it means on the Organisations sheet, or write that body's full name to mean it")
        area_file = f", this area's in data/reference/areas/{self.area}.ttl" if self.area else ""
        raise ValueError(f"unknown organisation '{value}' (not in the graph: agencies are in data/reference/agencies.ttl, "
                         f"partnerships in data/reference/partnerships.ttl{area_file}). Declare it on the Organisations sheet "
                         "(Name, Kind, Belongs to; a partnership's own on the Partnership sheet) and it is added as new."
                         + closest_text(self.reg.closest(AGENCY_PREFIXES, value, area=self.area))
                         + " To fix: pick the name from the column's drop-down list, correct the spelling, or declare it as above")

    def local(self, segment: str, key: str) -> ox.NamedNode:
        sheet = self.mapping.by_segment(segment)
        if key not in self.keys.get(sheet.name, {}):
            have = sorted(self.keys.get(sheet.name, {}))
            listed = f" (its keys: {', '.join(have[:8])}{' …' if len(have) > 8 else ''})" if have else " (it has no rows yet)"
            raise ValueError(f"no row with key '{key}' on the {sheet.name} sheet{listed}; "
                             f"correct the key, or add a row with Key '{key}' to the {sheet.name} sheet")
        return self.subject(sheet, key)

    def reference(self, segment: str, value: str) -> ox.NamedNode:
        sheet = self.mapping.by_segment(segment)
        if sheet is not None and value in self.keys.get(sheet.name, {}):
            return self.subject(sheet, value)  # defined in this workbook (a document, an assessment)
        prefix = f"{ID}{segment}/"
        declared = self.declared.find((prefix,), value)
        if declared:
            return ox.NamedNode(declared)
        found = self.reg.find((prefix,), value)
        if len(found) == 1:
            return ox.NamedNode(found.pop())
        what = segment.replace("-", " ")
        if found:
            raise ValueError(f"'{value}' names more than one {what}: {', '.join(sorted(found))}")
        where = f" on the {sheet.name} sheet or" if sheet is not None else ""
        declare = {"funding-stream": " Declare it on the Funding streams sheet and it is added as new.",
                   "strategy": " Declare it on the Strategies sheet and it is added as new.",
                   "plan": " Declare a Police and Crime Plan on the Police and Crime Plan sheet and it is added as new."}.get(segment, "")
        add = f", or add a row with Key '{value}' to the {sheet.name} sheet" if sheet is not None else ""
        listed = " (in Excel, the column's drop-down list offers them)" if segment in LISTED else ""
        raise ValueError(f"unknown {what} '{value}' (not{where} in the reference data).{declare}" + closest_text(self.reg.closest((prefix,), value))
                         + f" To fix: write the key one has in data/reference/{listed}{add}")

    def priority(self, value: str) -> ox.NamedNode:
        """A local priority by key, then by number, then by title."""
        sheet = self.mapping.sheet("Priorities")
        keys = self.keys.get(sheet.name, {})
        if value in keys:
            return self.subject(sheet, value)
        table = self.tables.get(sheet.name, Table(sheet.name, []))
        for by in ("number", "title"):
            hits = {self.cell(sheet, cells, "key") for _, cells in table.rows
                    if self.cell(sheet, cells, by).casefold() == value.casefold()}
            if len(hits) == 1:
                return self.subject(sheet, hits.pop())
            if hits:
                raise ValueError(f"more than one priority has the {by} '{value}'; give its key")
        titles = [self.cell(sheet, cells, "title") for _, cells in table.rows]
        close = difflib.get_close_matches(value, [t for t in titles if t], n=3, cutoff=0.5)
        raise ValueError(f"no priority with key, number or title '{value}' on the Priorities sheet." + closest_text(close)
                         + f" To fix: write a priority's title as the Priorities sheet has it (in Excel, pick it from the drop-down list), "
                         f"or add the priority to the Priorities sheet (a Key and the Title '{value}') first")

    def pfcc(self, value: str) -> ox.NamedNode:
        """A Police and Crime Plan priority: by the plan's own number for it, or scheme/key, or title."""
        sheet = self.mapping.sheet("PFCC numbering")
        table = self.tables.get(sheet.name, Table(sheet.name, []))
        numbered = {self.cell(sheet, cells, "priority") for _, cells in table.rows if self.cell(sheet, cells, "number") == value}
        if len(numbered) > 1:
            raise ValueError(f"the PFCC numbering sheet gives the number '{value}' to more than one priority; give the priority's key")
        if numbered:
            value = numbered.pop()
        elif value in self.declared.notations:  # the Police and Crime Plan sheet's own number
            return ox.NamedNode(self.declared.notations[value])
        else:  # the number the plan's own Police and Crime Plan gives the priority
            plan_sheet = self.mapping.sheet("Plan")
            pcps = self.cell(plan_sheet, self.tables["Plan"].rows[0][1], "has_regard_to")
            for pcp in filter(None, (p.strip() for p in pcps.split(";"))):
                hit = self.reg.notations.get(f"{ID}plan/{pcp}", {}).get(value)
                if hit:
                    return ox.NamedNode(hit)
        found = self.reg.find((PRIORITY_PREFIX,), value)
        found = {i for i in found if not i.startswith(f"{PRIORITY_PREFIX}{self.out.plan}/")}
        if len(found) == 1:
            return ox.NamedNode(found.pop())
        if found:
            raise ValueError(f"'{value}' names more than one Police and Crime Plan priority; give its key, e.g. essex-pcp-2021-24/serious-violence")
        raise ValueError(f"unknown Police and Crime Plan priority '{value}' (give the plan's number for it on the PFCC numbering sheet, "
                         "or a key such as essex-pcp-2021-24/serious-violence)." + closest_text(self.reg.closest((PRIORITY_PREFIX,), value)))

    def read_inline(self, sheet: Sheet, number: int, cells: list[str], action: ox.NamedNode, key: str) -> None:
        """The Actions sheet's one-cell shortcuts: a desired outcome, a measure, funding, a progress update."""
        plain = {"desired_outcome": ("Outcomes", CSP + "hasOutcome", CSP + "Outcome"),
                 "measure_inline": ("Measures", CSP + "hasMeasure", CSP + "Measure"),
                 "update_inline": ("Progress", CSP + "hasUpdate", CSP + "ProgressUpdate")}
        desc, label = "http://purl.org/dc/terms/description", "http://www.w3.org/2000/01/rdf-schema#label"
        for name, (target, link, cls) in plain.items():
            raw = self.cell(sheet, cells, name)
            if not raw:
                continue
            child = self.subject(self.mapping.sheet(target), key)
            self.out.rows[child.value] = self.located("Actions", number)
            self.add(action, link, child)
            self.add(child, RDF_TYPE.value, ox.NamedNode(cls))
            self.add(child, label, values.text(short(raw)))
            if self.document is not None:
                self.add(child, PROV_DERIVED, self.document)
            if name != "measure_inline":
                self.add(child, desc, values.text(raw))
            if name == "update_inline":
                self.add(child, CSP + "updateOf", action)
                period = self.cell(sheet, cells, "update_period")
                if period:
                    self.add(child, CSP + "reportingPeriod", values.string(period))
        raw, source = self.cell(sheet, cells, "funding_inline"), self.cell(sheet, cells, "funding_source")
        if not raw:
            if source:
                self.problem(sheet.name, number, sheet.column("funding_source"), "a funding source is given but no funding; write the amount in the Funding column, or clear this cell")
            return
        try:
            f = values.funding(raw)
        except ValueError as err:
            self.problem(sheet.name, number, sheet.column("funding_inline"), str(err))
            return
        child = self.subject(self.mapping.sheet("Funding"), key)
        self.out.rows[child.value] = self.located("Actions", number)
        fsheet = self.mapping.sheet("Funding")
        self.add(action, CSP + "hasFunding", child)
        self.add(child, RDF_TYPE.value, ox.NamedNode(fsheet.classes[f.kind]))
        self.add(child, CSP + "fundingAsStated", values.string(raw))
        self.add(child, label, values.text(f"Funding: {raw}"))
        if self.document is not None:
            self.add(child, PROV_DERIVED, self.document)
        if f.amount is not None:
            self.add(child, CSP + "amount", values.typed(f.amount, "decimal"))
        if f.approximate:
            self.add(child, CSP + "isApproximate", values.typed("true", "boolean"))
        for name in filter(None, [f.funder]):
            try:
                self.add(child, CSP + "funder", self.agency(name))
            except ValueError as err:
                self.problem(sheet.name, number, sheet.column("funding_inline"), str(err))
        if source:
            try:
                self.add(child, CSP + "fundingStream", self.reference("funding-stream", source))
            except ValueError:
                try:
                    self.add(child, CSP + "funder", self.agency(source))
                except ValueError:
                    self.problem(sheet.name, number, sheet.column("funding_source"),
                                 f"'{source}' is neither a known funding stream nor an agency in the register; write a funding stream's key "
                                 "(in Excel, pick it from the drop-down list) or the funder's name as the agency register has it")

    def read_notes(self) -> None:
        sheet = self.mapping.sheet("Notes")
        table = self.tables.get(sheet.name)
        if table is None:
            return
        fields = {f.title.casefold(): f for f in sheet.fields}
        for number, cells in table.rows:
            item, field_name, text = (self.cell(sheet, cells, n) for n in ("item", "field", "text"))
            col = sheet.column("item")
            if item.casefold() == "plan":
                subject = ox.NamedNode(self.mapping.iri(self.mapping.sheet("Plan"), self.out.plan, self.out.plan))
            else:
                segment, _, key = item.partition("/")
                target = self.mapping.by_segment(segment)
                if target is None or key not in self.keys.get(target.name, {}):
                    self.problem(sheet.name, number, col, f"'{item}' is not an item of this workbook; write plan, or sheet-type/key such as action/r01")
                    continue
                subject = self.subject(target, key)
            f = fields.get(field_name.casefold())
            if f is None:
                self.problem(sheet.name, number, sheet.column("field"), f"'{field_name}' is not a field; write one of: {', '.join(fields)}")
                continue
            if not text:
                self.problem(sheet.name, number, sheet.column("text"), "no text given")
                continue
            self.add(subject, f.property, values.READERS[f.kind](text))

    def read_other(self) -> None:
        sheet = self.mapping.sheet("Other statements")
        table = self.tables.get(sheet.name)
        if table is None:
            return
        for number, cells in table.rows:
            s, p, o = (self.cell(sheet, cells, n) for n in ("subject", "property", "value"))
            try:
                triple = next(iter(ox.parse(f"{s} {p} {o} .".encode(), format=ox.RdfFormat.N_TRIPLES))).triple
            except (SyntaxError, StopIteration) as err:
                self.problem(sheet.name, number, None, f"not a statement in N-Triples terms ({err})")
                continue
            self.out.triples.add(triple)

    def name_schemes(self) -> None:
        """Each scheme's name made from the plan's title, unless Other statements names it (a plan whose
        title was changed after its scheme was named exports that name, and it reads back unchanged)."""
        named = {(t.subject, t.predicate) for t in self.out.triples}
        self.out.triples.update(t for t in self.made_labels if (t.subject, t.predicate) not in named)


def read_tables(tables: dict[str, Table], mapping: Mapping, register: Register, source: str = "workbook") -> Imported:
    """source: the workbook's file name, recorded as the text the plan was read from when no Documents row says otherwise."""
    return Reader(tables, mapping, register, source).run()
