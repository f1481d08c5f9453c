"""A workbook's "who is who" sheets: its partnership, organisations, funding streams, strategies and
Police and Crime Plan, each matched against the graph (register.py) or made a new thing of the area.

Every declared name ends as one of: existing (a name or alternative name of one thing the graph
holds, of this police area or of none), near (a warning naming the candidates; the name is a new
thing unless corrected), or new (a new thing with a key made from its name, kept in the area
file, data/reference/areas/<area>.ttl). Nothing resolves by an alternative name to a body of
another area: that is a near match, and the candidates say which area they are of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import ID
from . import names
from .register import AGENCY_PREFIXES, CSP, ORG, ROLE_PROPERTIES, Register

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
SHEETS = ("Partnership", "Organisations", "Funding streams", "Strategies", "Police and Crime Plan")

KINDS = {  # what the Kind column may say -> class (and how a team or post belongs)
    "agency": "Agency", "organisation": "Agency", "public body": "PublicBody", "police force": "PoliceForce",
    "police": "PoliceForce", "fire and rescue service": "FireAndRescueAuthority", "fire": "FireAndRescueAuthority",
    "county council": "CountyCouncil", "district council": "DistrictCouncil", "borough council": "DistrictCouncil",
    "unitary authority": "UnitaryAuthority", "parish council": "ParishCouncil", "town council": "ParishCouncil",
    "police and crime commissioner": "LocalPolicingBody", "pcc": "LocalPolicingBody", "probation": "ProbationProvider",
    "health body": "HealthBody", "integrated care board": "IntegratedCareBoard", "central government body": "CentralGovernmentBody",
    "national body": "CentralGovernmentBody", "school": "EducationBody", "college": "EducationBody",
    "housing provider": "HousingProvider", "voluntary organisation": "VoluntaryOrganisation", "charity": "VoluntaryOrganisation",
    "private organisation": "PrivateOrganisation", "company": "PrivateOrganisation",
    "team": "Unit", "unit": "Unit", "post": "Post", "forum": "Partnership", "board": "Partnership",
    "partnership": "CommunitySafetyPartnership", "community safety partnership": "CommunitySafetyPartnership",
}
ROLE_COLUMNS = {"police": "police", "fire": "fire", "county": "county", "council": "council", "pcc": "pcc"}
ROLE_CLASS = {"police": "PoliceForce", "fire": "FireAndRescueAuthority", "county": "CountyCouncil",
              "council": "DistrictCouncil", "pcc": "LocalPolicingBody"}
ROLE_PROPERTY = {role: prop for prop, role in ROLE_PROPERTIES.items()}


@dataclass(frozen=True)
class Notice:
    """What became of one declared name: existing, near (a warning) or new."""
    sheet: str
    row: int
    kind: str  # existing | near | new | warning
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text} ({self.sheet} row {self.row})"


@dataclass
class Declared:
    area: str | None = None  # the police area's key (names.slug), e.g. staffordshire
    area_name: str | None = None
    jurisdictions: list[str] = field(default_factory=list)  # the police area's jurisdiction(s), e.g. England
    partnership: str | None = None  # IRI of the partnership the Partnership sheet declares
    roles: dict[str, set[str]] = field(default_factory=dict)  # role -> IRIs ("self" is the partnership)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI prefix -> names.key -> IRI
    triples: set[ox.Triple] = field(default_factory=set)  # the new things, for the area file
    new: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    pcp: str | None = None  # the declared Police and Crime Plan's IRI
    notations: dict[str, str] = field(default_factory=dict)  # its priorities: number -> IRI

    def find(self, prefixes: tuple[str, ...], text: str) -> str | None:
        k = names.key(text)
        for prefix in prefixes:
            if k in self.names.get(prefix, {}):
                return self.names[prefix][k]
        return None


class Declarer:
    """Reads the who-is-who sheets; problems go to `problem(sheet, row, column_name, message)`."""

    def __init__(self, reader, register: Register, plan: str, today: dt.date | None = None):
        self.reader, self.reg, self.plan = reader, register, plan
        self.today = (today or dt.date.today()).isoformat()
        self.out = Declared()
        self.labels: dict[str, str] = {}  # new thing's IRI -> its name

    # --- helpers ---
    def rows(self, sheet: str):
        table = self.reader.tables.get(sheet)
        if table is None:
            return []
        s = self.reader.mapping.sheet(sheet)
        out = []
        for number, cells in table.rows:
            row = {c.name: self.reader.cell(s, cells, c.name) for c in s.columns}
            for c in s.columns:
                if c.required and not row[c.name] and c.name in self.reader.positions.get(sheet, {}):
                    self.reader.problem(sheet, number, c, "this column is required but the cell is empty")
            out.append((number, row))
        return out

    def problem(self, sheet: str, row: int, column: str | None, message: str) -> None:
        s = self.reader.mapping.sheet(sheet)
        self.reader.problem(sheet, row, s.column(column) if column else None, message)

    def place(self, iri: str) -> None:
        """The jurisdiction(s) of the declared police area, on a new body of that area."""
        for jurisdiction in self.out.jurisdictions:
            self.add(iri, CSP + "inJurisdiction", ox.NamedNode(jurisdiction))

    def add(self, s: str, p: str, o) -> None:
        self.out.triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o))

    def priority_scheme(self, plan: str) -> str:
        """The SKOS scheme of a plan's priorities, by the template the Priorities sheet's own plan uses."""
        mapping = self.reader.mapping
        return mapping.base + mapping.sheet("Priorities").scheme["iri"].format(plan=plan.rsplit("/", 1)[1])

    def remember(self, prefix: str, text: str, iri: str) -> None:
        self.out.names.setdefault(prefix, {})[names.key(text)] = iri

    def fresh(self, prefix: str, name: str, base: str | None = None) -> str:
        """A key for a new thing from its name; another area's or an existing thing's key gets the area added."""
        base = base or (names.partnership_slug(name) if prefix == ID + "partnership/" else names.slug(name))
        candidates = [base] + ([f"{base}-{self.out.area}"] if self.out.area and not base.endswith(self.out.area) else [])
        taken = self.reg.known | {t.subject.value for t in self.out.triples}
        for candidate in candidates + [f"{candidates[-1]}-{n}" for n in range(2, 100)]:
            if prefix + candidate not in taken:
                return prefix + candidate
        raise AssertionError("no free key")  # 100 things of one name in one area: not a plan

    def area_text(self, iri: str) -> str:
        area = self.reg.area_of(iri)
        return f" (of {self.reg.area_names.get(area, area)})" if area else ""

    def match(self, prefixes: tuple[str, ...], text: str) -> tuple[str | None, list[str]]:
        """The one existing thing a name means (or None) and, when none, the near candidates."""
        declared = self.out.find(prefixes, text)
        if declared:
            return declared, []
        found = self.reg.find(prefixes, text)
        if self.out.area is not None:
            other = {i for i in found if self.reg.area_of(i) not in (None, self.out.area) and not self.reg.by_preferred_name(i, text)}
            found -= other
        else:
            other = set()
        if len(found) == 1:
            return found.pop(), []
        candidates = [self.reg.names.get(i, i) + self.area_text(i) for i in sorted(found | other)]
        if not candidates:  # this workbook's own new things first: they are of its area
            candidates = sorted((n for i, n in self.labels.items() if i.startswith(prefixes) and names.similar(text, n) >= names.TYPO),
                                key=lambda n: -names.similar(text, n))
        if not candidates:
            near = self.reg.closest(prefixes, text, n=3, area=self.out.area)
            candidates = [n + self.area_text(next(iter(self.reg.find(prefixes, n)), "")) for n in near]
        return None, candidates

    def declare(self, sheet: str, row: int, prefixes: tuple[str, ...], name: str, alts: list[str], what: str,
                make, base: str | None = None) -> str:
        """Resolve a declared name to an existing thing, or make a new one with `make(iri)`; report which."""
        iri, candidates = self.match(prefixes, name)
        if iri is None:
            for alt in alts:  # an alternative name may be how the graph knows it
                iri, _ = self.match(prefixes, alt)
                if iri:
                    break
        if iri is not None:
            if iri not in self.out.new:
                self.out.notices.append(Notice(sheet, row, "existing", f"{what} '{name}' is {self.reg.names.get(iri, iri)} <{iri}>"))
        else:
            iri = self.fresh(prefixes[0], name, base)
            make(iri)
            self.add(iri, SKOS + "prefLabel", ox.Literal(name, language="en"))
            self.labels[iri] = name
            for alt in alts:
                self.add(iri, SKOS + "altLabel", ox.Literal(alt, language="en"))
            self.add(iri, DCT + "source", ox.NamedNode(f"{ID}plan/{self.plan}"))
            self.add(iri, DCT + "created", ox.Literal(self.today, datatype=XSD_DATE))
            self.out.new.append(iri)
            if candidates:
                self.out.notices.append(Notice(sheet, row, "near", f"{what} '{name}' is close to {'; '.join(candidates)}: "
                                               f"made a new {what} <{iri}>; if it is one of these, write that name instead"))
            self.out.notices.append(Notice(sheet, row, "new", f"{what} '{name}' <{iri}>"))
        for text in [name] + alts:
            self.remember(prefixes[0], text, iri)
        return iri

    def organisation(self, sheet: str, row: int, column: str, text: str, default_class: str | None = None) -> str | None:
        """An organisation named in a declaration: the plan's role, a declared or existing one, or (with a
        default class, as a role column gives) a new one."""
        role = names.generic_role(text)
        if role:
            hits = self.out.roles.get(role, set())
            if len(hits) == 1:
                return next(iter(hits))
            self.problem(sheet, row, column, f"'{text}' is a generic name; give the organisation's full name")
            return None
        iri, candidates = self.match(AGENCY_PREFIXES, text)
        if iri is not None:
            return iri
        if default_class is not None:
            return self.declare(sheet, row, AGENCY_PREFIXES, text, [], default_class_label(default_class),
                                lambda i: self.add(i, RDF_TYPE, ox.NamedNode(CSP + default_class)))
        self.problem(sheet, row, column, f"unknown organisation '{text}': add it to the Organisations sheet (name, kind)"
                     + (f". Near: {'; '.join(candidates)}" if candidates else ""))
        return None

    # --- the sheets ---
    def run(self) -> Declared:
        # the partnership (its area) first; then the organisations, so a role column may name one of
        # them with its kind; then the roles; then what teams and posts belong to (which may be a role)
        row = self.partnership()
        pending = self.organisations()
        if row is not None:
            self.partnership_roles(*row)
        self.belongings(pending)
        if self.out.partnership is None:  # no Partnership sheet: the plan's partnership, if the graph has it, gives the area
            written = self.reader.cell(self.reader.mapping.sheet("Plan"), self.reader.tables["Plan"].rows[0][1], "partnership")
            found = self.reg.find((ID + "partnership/",), written) if written else set()
            if len(found) == 1:
                iri = found.pop()
                self.out.area = self.reg.area_of(iri)
                self.out.area_name = self.reg.area_names.get(self.out.area or "", None)
                self.out.roles = {role: set(i) for role, i in self.reg.roles.get(iri, {}).items()} | {"self": {iri}}
        self.streams()
        self.strategies()
        self.police_and_crime_plan()
        if self.out.new and not self.out.area:
            self.problem("Partnership", 1, None, "the workbook declares new things ("
                         + ", ".join(self.reg.names.get(i, i.rsplit('/', 1)[1]) for i in self.out.new[:3])
                         + ") but says no police area to keep them in: fill in the Partnership sheet (Name, Police area)")
        return self.out

    def partnership(self) -> tuple[int, dict, str] | None:
        rows = self.rows("Partnership")
        if not rows:
            return None
        if len(rows) > 1:
            self.problem("Partnership", rows[1][0], None, "the Partnership sheet has more than one row: a plan has one partnership")
        number, row = rows[0]
        if not row["name"] or not row["police_area"]:
            return None  # required columns: reported by the header check and the required-cell check below
        self.out.area, self.out.area_name = names.slug(row["police_area"]), row["police_area"]
        police_area = self.reg.police_area(row["police_area"])
        self.out.jurisdictions = sorted(self.reg.jurisdictions.get(police_area or "", ()))
        if police_area is None:
            self.out.notices.append(Notice("Partnership", number, "warning", f"'{row['police_area']}' is not a police area of "
                                           "England and Wales (data/reference/police-areas.ttl lists them), so which duties apply in "
                                           "England only or Wales only cannot be checked: write the area's name as the list has it"))
        alts = split(row["alt_names"])
        prefixes = (ID + "partnership/",)

        def make(iri: str) -> None:
            self.add(iri, RDF_TYPE, ox.NamedNode(CSP + "CommunitySafetyPartnership"))
            self.add(iri, CSP + "policeArea", ox.Literal(row["police_area"]))
            self.place(iri)
            if row["website"]:
                self.website("Partnership", number, iri, row["website"])

        iri = self.declare("Partnership", number, prefixes, row["name"], alts, "partnership", make)
        self.out.partnership = iri
        known_area = self.reg.area_of(iri)
        if iri not in self.out.new and known_area and known_area != self.out.area:
            self.problem("Partnership", number, "police_area", f"the graph has {self.reg.names.get(iri, iri)} in the police area "
                         f"{self.reg.area_names.get(known_area, known_area)}, not {row['police_area']}")
        self.out.roles["self"] = {iri}
        return number, row, iri

    def partnership_roles(self, number: int, row: dict, iri: str) -> None:
        """The bodies the Partnership sheet names for each role: existing, on the Organisations sheet, or new."""
        existing = self.reg.roles.get(iri, {})
        for column, role in ROLE_COLUMNS.items():
            for text in split(row[column]):
                body = self.organisation("Partnership", number, column, text, ROLE_CLASS[role])
                if body is None:
                    continue
                self.out.roles.setdefault(role, set()).add(body)
                if body in self.out.new and self.out.area_name:  # a new force, service, council or PCC is of this area
                    self.add(body, CSP + "policeArea", ox.Literal(self.out.area_name))
                    self.place(body)
                if iri in self.out.new:
                    self.add(iri, ROLE_PROPERTY[role], ox.NamedNode(body))
                elif existing.get(role) and body not in existing[role]:
                    self.problem("Partnership", number, column, f"the graph gives {self.reg.names.get(iri, iri)} "
                                 f"{', '.join(self.reg.names.get(i, i) for i in sorted(existing[role]))} here, not '{text}'")
        for role, bodies in existing.items():
            self.out.roles.setdefault(role, set()).update(bodies)

    def organisations(self) -> list:
        rows = self.rows("Organisations")
        pending = []
        for number, row in rows:  # every name first, so a team may belong to an organisation on a later row
            if not row["name"] or not row["kind"]:
                continue
            cls = KINDS.get(" ".join(names.words(row["kind"])))
            if cls is None:
                self.problem("Organisations", number, "kind", f"'{row['kind']}' is not a kind; write one of: {', '.join(KINDS)}")
                continue
            prefixes = (ID + "partnership/",) + AGENCY_PREFIXES if cls == "CommunitySafetyPartnership" else AGENCY_PREFIXES

            def make(iri: str, cls=cls, number=number, row=row) -> None:
                self.add(iri, RDF_TYPE, ox.NamedNode(CSP + cls))
                if cls == "CommunitySafetyPartnership" and self.out.area_name:
                    self.add(iri, CSP + "policeArea", ox.Literal(self.out.area_name))
                    self.place(iri)
                if row["website"]:
                    self.website("Organisations", number, iri, row["website"])
                pending.append((iri, cls, number, row))

            self.declare("Organisations", number, prefixes, row["name"], split(row["alt_names"]), kind_label(cls), make)
        return pending

    def belongings(self, pending: list) -> None:
        for iri, cls, number, row in pending:
            link = {"Unit": ORG + "unitOf", "Post": ORG + "postIn"}.get(cls)
            if row["belongs_to"]:
                parent = self.organisation("Organisations", number, "belongs_to", row["belongs_to"])
                if parent:
                    self.add(iri, link or ORG + "subOrganizationOf", ox.NamedNode(parent))
            elif link:
                self.problem("Organisations", number, "belongs_to", f"a {row['kind']} belongs to an organisation: name it here")

    def streams(self) -> None:
        for number, row in self.rows("Funding streams"):
            if not row["name"]:
                continue

            def make(iri: str, number=number, row=row) -> None:
                self.add(iri, RDF_TYPE, ox.NamedNode(CSP + "FundingStream"))
                if row["funder"]:
                    funder = self.organisation("Funding streams", number, "funder", row["funder"])
                    if funder:
                        self.add(iri, CSP + "streamFunder", ox.NamedNode(funder))

            self.declare("Funding streams", number, (ID + "funding-stream/",), row["name"], split(row["alt_names"]), "funding stream", make)

    def strategies(self) -> None:
        for number, row in self.rows("Strategies"):
            if not row["name"]:
                continue

            def make(iri: str, number=number, row=row) -> None:
                self.add(iri, RDF_TYPE, ox.NamedNode(CSP + "Strategy"))
                if row["period"]:
                    self.add(iri, CSP + "periodAsStated", ox.Literal(row["period"]))
                if row["publisher"]:
                    publisher = self.organisation("Strategies", number, "publisher", row["publisher"])
                    if publisher:
                        self.add(iri, CSP + "partnership", ox.NamedNode(publisher))

            self.declare("Strategies", number, (ID + "strategy/",), row["name"], split(row["alt_names"]), "strategy", make)

    def police_and_crime_plan(self) -> None:
        rows = [(n, r) for n, r in self.rows("Police and Crime Plan") if r["plan"]]
        if not rows:
            return
        titles = {r["plan"] for _, r in rows}
        if len(titles) > 1:
            self.problem("Police and Crime Plan", rows[0][0], "plan", f"the rows name more than one plan ({'; '.join(sorted(titles))}): "
                         "a workbook declares its area's one Police and Crime Plan")
            return
        number, first = rows[0]
        made = []

        def make(iri: str) -> None:
            made.append(iri)
            self.add(iri, RDF_TYPE, ox.NamedNode(CSP + "PoliceAndCrimePlan"))
            self.add(iri, CSP + "priorityScheme", ox.NamedNode(self.priority_scheme(iri)))  # the plan is not a scheme itself
            self.add(self.priority_scheme(iri), RDF_TYPE, ox.NamedNode(SKOS + "ConceptScheme"))
            self.add(self.priority_scheme(iri), SKOS + "prefLabel", ox.Literal(f"Priorities: {first['plan']}", language="en"))
            self.add(iri, DCT + "title", ox.Literal(first["plan"], language="en"))
            if first["period"]:
                self.add(iri, CSP + "periodAsStated", ox.Literal(first["period"]))
            for body in self.out.roles.get("pcc", ()):
                self.add(iri, CSP + "partnership", ox.NamedNode(body))
            if self.out.area_name:
                self.add(iri, CSP + "policeArea", ox.Literal(self.out.area_name))

        pcp = self.declare("Police and Crime Plan", number, (ID + "plan/",), first["plan"], [], "Police and Crime Plan", make,
                           names.plan_slug(self.out.area or "area", first["plan"], first["period"]))
        self.out.pcp = pcp
        scheme = pcp.rsplit("/", 1)[1]
        for number, row in rows:
            if not row["number"] or not row["priority"]:
                continue
            if row["number"] in self.out.notations:
                self.problem("Police and Crime Plan", number, "number", f"the number '{row['number']}' is given twice")
                continue
            if not made:  # an existing plan: its priorities are the graph's, found by number or title
                hit = self.reg.notations.get(pcp, {}).get(row["number"])
                if hit:
                    self.out.notations[row["number"]] = hit
                    continue
                self.problem("Police and Crime Plan", number, "number", f"{self.reg.names.get(pcp, pcp)} is in the graph "
                             f"and has no priority numbered '{row['number']}'")
                continue
            iri = f"{ID}priority/{scheme}/{names.slug(row['priority'])}"
            if iri in self.out.notations.values():
                iri += f"-{names.slug(row['number'])}"
            self.out.notations[row["number"]] = iri
            self.add(iri, RDF_TYPE, ox.NamedNode(CSP + "PCPPriority"))
            self.add(iri, SKOS + "inScheme", ox.NamedNode(self.priority_scheme(pcp)))
            self.add(iri, SKOS + "notation", ox.Literal(row["number"]))
            self.add(iri, SKOS + "prefLabel", ox.Literal(row["priority"], language="en"))
            self.add(pcp, CSP + "hasPriority", ox.NamedNode(iri))

    def website(self, sheet: str, row: int, iri: str, url: str) -> None:
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            self.problem(sheet, row, "website", f"'{url}' is not a web address; write it as https://...")
            return
        self.add(iri, RDFS_SEE_ALSO, ox.NamedNode(url))


def split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def kind_label(cls: str) -> str:
    return {"Unit": "team", "Post": "post", "Partnership": "forum", "CommunitySafetyPartnership": "partnership"}.get(cls, "organisation")


def default_class_label(cls: str) -> str:
    return {"PoliceForce": "police force", "FireAndRescueAuthority": "fire and rescue service", "CountyCouncil": "county council",
            "DistrictCouncil": "council", "LocalPolicingBody": "police and crime commissioner"}.get(cls, "organisation")
