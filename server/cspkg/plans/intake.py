"""Taking in a plan (a workbook, a CSV folder or Turtle): read it, reason and validate it against the
reference data, and report in an officer's words where each problem is. Writes nothing itself.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import areas, files as planfiles
from ..errors import BadInput
from ..namespaces import ID
from ..sources import Source
from ..pipeline.validation import Finding
from .workbook import mapping as workbook_mapping
from .workbook import register as workbook_register
from .workbook import tables as workbook_tables
from .workbook.importer import Imported, Problem, read_tables

PLAN_CLASS = "https://w3id.org/cspkg/def/PartnershipPlan"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SEVERITY_ORDER = ("violation", "warning", "info")


@dataclass
class Intake:
    plan: str
    triples: set[ox.Triple]
    turtle: bytes = b""
    problems: list[Problem] = field(default_factory=list)  # the file could not be read as a plan
    findings: list[Finding] = field(default_factory=list)  # SHACL results about the plan
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    notices: list = field(default_factory=list)  # declarations.Notice: what each declared name became
    area: "areas.AreaChange | None" = None  # the area file with the new things the workbook declares

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    def where(self, finding: Finding) -> str:
        """'Actions row 12, column F (Lead agency)' for a finding, when it came from a workbook."""
        place = self.rows.get(finding.focus)
        if place is None:
            return f'{finding.kind} "{finding.label}"'
        sheet, row = place
        mapping = workbook_mapping.load()
        columns = mapping.sheet(sheet).columns if sheet in {s.name for s in mapping.sheets} else ()
        col = next((c for c in columns if finding.path and c.property == finding.path), None)
        where = f"{sheet} row {row}"
        return where + (f", column {col.title}" if col else "")

    def order(self, finding: Finding):
        sheet, row = self.rows.get(finding.focus, ("~", 0))
        return sheet, row, finding.message

    def report(self, verbose: bool = False) -> str:
        if self.problems:
            lines = [f"The workbook could not be read ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}); nothing was changed:"]
            return "\n".join(lines + [f"  - {p}" for p in self.problems])
        lines = []
        near = [n for n in self.notices if n.kind in ("near", "warning")]
        if near:
            lines.append(f"Warnings about declared names ({len(near)}):")
            lines += [f"  - {n.sheet} row {n.row}: {n.text} (warning)" for n in near]
        for kind, title in (("existing", "Declared names already in the graph"), ("new", "New things declared")):
            group = [n for n in self.notices if n.kind == kind]
            if group:
                lines.append(f"{title} ({len(group)}):")
                lines += [f"  {kind}: {n.text} ({n.sheet} row {n.row})" for n in group]
        if self.area is not None:
            lines.append(f"The new things are kept in {self.area.target} (the area file: review them there).")
        for severity in SEVERITY_ORDER:
            group = sorted((f for f in self.findings if f.severity == severity), key=self.order)
            if not group:
                continue
            lines.append(f"{severity.capitalize()}s ({len(group)}):")
            if severity == "info" and not verbose:  # notes are many and mild: counted, listed with --verbose
                counts: dict[str, int] = {}
                for f in group:
                    counts[f.message] = counts.get(f.message, 0) + 1
                lines += [f"  - {n} × {message}" for message, n in sorted(counts.items(), key=lambda kv: -kv[1])]
            else:
                lines += [f"  - {self.where(f)}: {f.message} ({severity})" for f in group]
        counts = f"{len(self.violations)} violation(s), {sum(f.severity == 'warning' for f in self.findings)} warning(s)"
        verdict = "does not conform: nothing was changed" if self.violations else "conforms"
        return "\n".join(lines + [f"Plan {self.plan} {verdict} ({counts})."])


def from_workbook(path: Path | None = None, data: bytes | None = None, name: str = "upload", data_dir: Path | None = None) -> Intake:
    mapping = workbook_mapping.load()
    tables = workbook_tables.read(path, mapping) if path is not None else workbook_tables.read_xlsx(data, name)
    register = workbook_register.load(data_dir) if data_dir else workbook_register.load()
    imported: Imported = read_tables(tables, mapping, register, Path(name if path is None else path).name)
    intake = Intake(imported.plan, imported.triples, problems=imported.problems, rows=imported.rows,
                    notices=imported.declared.notices)
    if not intake.problems:
        from ..sources import DEFAULT_DATA

        intake.area = areas.change(data_dir or DEFAULT_DATA, imported.declared)
    return intake


def from_turtle(data: bytes, name: str = "upload") -> Intake:
    try:
        triples = {q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)}
    except SyntaxError as err:
        raise BadInput(f"{name}:{getattr(err, 'lineno', '?')}:{getattr(err, 'offset', '?')}: Turtle syntax error: {getattr(err, 'msg', err)}") from None
    plans = sorted(t.subject.value for t in triples
                   if t.predicate.value == RDF_TYPE and t.object.value == PLAN_CLASS and isinstance(t.subject, ox.NamedNode))
    keys = [p.removeprefix(ID + "plan/") for p in plans if p.startswith(ID + "plan/")]
    if len(keys) != 1 or not planfiles.PLAN_KEY.match(keys[0]):
        raise BadInput(f"{name}: a plan file must describe exactly one csp:PartnershipPlan named {ID}plan/<key> (found {len(plans)})")
    return Intake(keys[0], triples)


def check(intake: Intake, data_dir: Path) -> Intake:
    """Reason and validate the plan with the reference data (and the plan's editorial file, if any)."""
    from ..pipeline.build import run

    if intake.problems:
        return intake
    intake.turtle = planfiles.turtle(intake.triples, intake.plan)
    with tempfile.TemporaryDirectory(prefix="cspkg-intake-") as tmp:
        path = Path(tmp) / f"{intake.plan}.ttl"
        path.write_bytes(intake.turtle)
        extra = [Source(path, "plan")]
        if intake.area is not None:  # the area file as it will be, in place of the one the data folder has
            area_file = Path(tmp) / "reference" / areas.FOLDER / f"{intake.area.area}.ttl"
            area_file.parent.mkdir(parents=True)
            area_file.write_bytes(intake.area.body)
            extra.append(Source(area_file, "reference"))
        result = run(data_dir, None, extra)
    new = set(intake.area.new) if intake.area is not None else set()
    intake.findings = [f for f in result.findings if f.scope == intake.plan or f.focus in new]
    return intake
