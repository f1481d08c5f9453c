"""The area files, data/reference/areas/<area>.ttl: what plan workbooks declared as new, one file per police area.

One place a person reviews and corrects an area's organisations, funding streams, strategies and
Police and Crime Plan; the area's next plan finds them there. The file is rewritten whole at each
import that adds to it, sorted (kind, then key), each thing headed by a comment saying which plan
introduced it and when (from its dct:source and dct:created, so the comment survives a rewrite).
Corrections belong in its statements (a better skos:prefLabel, an skos:altLabel, an
skos:editorialNote); free comments a person adds are not kept by a rewrite.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import durable
from ..errors import BadInput
from ..namespaces import ID, reference_graph

FOLDER = "areas"
AREA_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PREFIXES = {"csp": "https://w3id.org/cspkg/def/", "ag": ID + "agency/", "pt": ID + "partnership/", "fs": ID + "funding-stream/",
            "strat": ID + "strategy/", "plan": ID + "plan/", "pr": ID + "priority/", "org": "http://www.w3.org/ns/org#",
            "skos": "http://www.w3.org/2004/02/skos/core#", "dct": "http://purl.org/dc/terms/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
ORDER = ("partnership/", "agency/", "funding-stream/", "strategy/", "plan/", "priority/")
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = PREFIXES["dct"]
SKOS = PREFIXES["skos"]


def path(data_dir: Path, area: str) -> Path:
    return data_dir / "reference" / FOLDER / f"{area}.ttl"


def graph(area: str) -> str:
    return reference_graph(f"{FOLDER}/{area}")


def staged_path(data_dir: Path, area: str) -> Path:
    """Where an area file's new version waits while the store is swapped (hidden: a build reads only *.ttl)."""
    return data_dir / "reference" / FOLDER / f".{area}.staged"


def read(file: Path) -> set[ox.Triple]:
    if not file.is_file():
        return set()
    try:
        return {q.triple for q in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)}
    except SyntaxError as err:
        raise BadInput(f"{file}:{err.lineno}:{err.offset}: Turtle syntax error: {err.msg}; correct the area file and import again") from None


def _term(term) -> str:
    if isinstance(term, ox.NamedNode):
        if term.value == RDF_TYPE:
            return "a"
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns) and LOCAL_NAME.match(term.value[len(ns):]):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal) and term.datatype.value == PREFIXES["xsd"] + "date":
        return f'"{term.value}"^^xsd:date'
    return str(term)


def render(triples: set[ox.Triple], area_name: str) -> bytes:
    """The area file's text: prefixes, a header, then one block per thing in a stable order."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject), []).append(t)

    def order(iri: str):
        rest = iri.removeprefix(ID)
        group = next((i for i, head in enumerate(ORDER) if rest.startswith(head)), len(ORDER))
        return group, iri

    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    if area_name == "Withdrawn plans":
        lines += ["", "# Withdrawn plans (cspkg withdraw): the plan and each item it described, with when it was withdrawn, where its",
                  "# last version is kept and what replaced it, so a published IRI still answers. Rewritten whole at each withdrawal.", ""]
    else:
        lines += ["", f"# {area_name}: organisations, funding streams, strategies and plans that plan workbooks of this police area",
                  "# declared as new (cspkg import). Review and correct here, one place for the area; each thing says which plan",
                  "# introduced it and when. The file is rewritten whole when a plan adds to it: put corrections in statements",
                  "# (skos:prefLabel, skos:altLabel, skos:editorialNote), not in comments.", ""]
    for subject in sorted(by_subject, key=order):
        block = sorted(by_subject[subject], key=lambda t: (t.predicate.value != RDF_TYPE, _term(t.predicate), _term(t.object)))
        name = next((t.object.value for t in block if t.predicate.value == SKOS + "prefLabel"), None)
        source = next((t.object.value.rsplit("/", 1)[1] for t in block if t.predicate.value == DCT + "source"), None)
        created = next((t.object.value for t in block if t.predicate.value == DCT + "created"), None)
        if name or source:
            lines.append(f"# {name or subject}" + (f": introduced by plan {source}" if source else "") + (f" on {created}" if created else ""))
        subject_text = _term(block[0].subject)
        parts: list[str] = []
        for t in block:
            p, o = _term(t.predicate), _term(t.object)
            if parts and parts[-1].startswith(p + " "):
                parts[-1] += f", {o}"
            else:
                parts.append(f"{p} {o}")
        lines.append(subject_text + " " + " ;\n    ".join(parts) + " .")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


@dataclass
class AreaChange:
    """An area file to write with a plan: its area, its whole new text, the things new in it, and
    the declared statements it was made from (so a writer can make it again under the lock, from
    the file as it is then: refresh)."""
    data_dir: Path
    area: str
    body: bytes
    new: list[str]
    declared: frozenset = frozenset()
    area_name: str = ""

    def refresh(self) -> None:
        """Make the text again from the area file as it is now (the caller holds the writer lock)."""
        self.body = render(read(self.target) | set(self.declared), self.area_name or self.area)

    @property
    def target(self) -> Path:
        return path(self.data_dir, self.area)

    @property
    def triples(self) -> set[ox.Triple]:
        return {q.triple for q in ox.parse(self.body, format=ox.RdfFormat.TURTLE)}

    def intent(self) -> dict:
        same = self.target.exists() and self.target.read_bytes() == self.body
        return {"area": self.area, "target": str(self.target.resolve()),
                "staged": None if same else str(staged_path(self.data_dir, self.area).resolve())}

    def stage(self, intent: dict) -> None:
        if intent["staged"]:
            staged = Path(intent["staged"])
            staged.parent.mkdir(parents=True, exist_ok=True)
            durable.write(staged, self.body)

    def write(self) -> None:
        """Write the file now (an import: the caller holds the data folder's writer lock)."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.target.with_name(f".{self.area}.{os.getpid()}.tmp")
        durable.write(tmp, self.body)
        os.replace(tmp, self.target)
        durable.sync_dir(self.target.parent)


def move_into_place(intent: dict | None) -> None:
    """Commit step: rename a staged area file over the area file (done already, or none: nothing to do)."""
    if intent and intent.get("staged") and Path(intent["staged"]).exists():
        os.replace(intent["staged"], intent["target"])
        durable.sync_dir(Path(intent["target"]).parent)


def unstage(intent: dict | None) -> bool:
    if intent and intent.get("staged") and Path(intent["staged"]).exists():
        os.unlink(intent["staged"])
        return True
    return False


def change(data_dir: Path, declared) -> AreaChange | None:
    """The area file with a workbook's new things added (None when it declares nothing new)."""
    if not declared.new or not declared.area:
        return None
    if not AREA_KEY.match(declared.area):
        raise BadInput(f"'{declared.area_name}' is not a police area name that can name a file; write it in letters, e.g. Staffordshire")
    file = path(data_dir, declared.area)
    triples = read(file) | declared.triples
    return AreaChange(data_dir, declared.area, render(triples, declared.area_name or declared.area), list(declared.new),
                      frozenset(declared.triples), declared.area_name or declared.area)


def for_plan(data_dir: Path, triples) -> AreaChange | None:
    """The area file whose things a plan names (`cspkg replace` of an imported plan carries it into the
    store with the plan, as an upload does); None when it names none. The file is written back in its
    sorted form in the same commit."""
    named = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    found = []
    for file in sorted((data_dir / "reference" / FOLDER).glob("*.ttl")):
        held = read(file)
        if named & {t.subject.value for t in held}:
            name = next((t.object.value for t in held if t.predicate.value == PREFIXES["csp"] + "policeArea"), file.stem)
            found.append(AreaChange(data_dir, file.stem, file.read_bytes(), [], frozenset(held), name))
    if len(found) > 1:
        raise BadInput(f"the plan names things of more than one area file ({', '.join(a.area for a in found)}); "
                       "run `cspkg build` to publish them all")
    return found[0] if found else None
