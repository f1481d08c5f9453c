"""Merging a mistaken new thing into the one it should have been: `cspkg merge OLD NEW`.

OLD must be a thing a plan workbook declared (it lives in an area file, data/reference/areas/);
hand-kept reference data is corrected by hand. Every plan file and area file that names OLD names
NEW instead (each plan's old version kept under history, as an import keeps it). OLD's IRI never
vanishes: the area file keeps it, with dct:isReplacedBy NEW and its old name, so a published link
to it answers with what replaced it (and a skos:historyNote with its old name); its name becomes an alternative name of NEW, so the next
workbook that writes it finds NEW.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadInput
from ..namespaces import ID
from . import areas, files as planfiles

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
KEPT = {DCT + "source", DCT + "created"}  # where OLD came from stays on it


@dataclass
class Merged:
    old: str
    new: str
    area_files: list[Path] = field(default_factory=list)
    plans: list[tuple[str, Path | None]] = field(default_factory=list)  # plan key, where its old version was kept


def iri(text: str) -> str:
    """A thing named as a full IRI or as type/key (agency/staffordshire-police)."""
    text = text.strip()
    return text if text.startswith(("http://", "https://")) else ID + text.strip("/")


def _swap(triples: set[ox.Triple], old: ox.NamedNode, new: ox.NamedNode) -> set[ox.Triple]:
    return {ox.Triple(t.subject, t.predicate, new if t.object == old else t.object) for t in triples}


def merge(data_dir: Path, old_text: str, new_text: str) -> Merged:
    """Do the merge in the data folder (the caller holds its writer lock)."""
    from .workbook import register

    old, new = ox.NamedNode(iri(old_text)), ox.NamedNode(iri(new_text))
    if old == new:
        raise BadInput(f"{old.value}: OLD and NEW are the same thing")
    area_files = sorted((data_dir / "reference" / areas.FOLDER).glob("*.ttl"))
    holding = [p for p in area_files if any(t.subject == old for t in areas.read(p))]
    if not holding:
        raise BadInput(f"{old.value} is not in an area file (data/reference/areas/*.ttl): only a thing a plan workbook declared "
                       "can be merged; correct hand-kept reference data by hand")
    reg = register.load(data_dir)
    if new.value not in reg.known:
        raise BadInput(f"{new.value} is not in the reference data; name the thing OLD should have been (e.g. agency/essex-police)")
    if old.value.split(ID, 1)[-1].split("/", 1)[0] != new.value.split(ID, 1)[-1].split("/", 1)[0]:
        raise BadInput(f"{old.value} and {new.value} are not of the same type (agency, partnership, funding-stream, ...)")
    done = Merged(old.value, new.value)
    for path in area_files:
        triples = areas.read(path)
        changed = _swap(triples, old, new)
        if path in holding:
            about = {t for t in changed if t.subject == old}
            names = [t.object for t in about if t.predicate.value in (SKOS + "prefLabel", SKOS + "altLabel")]
            changed -= {t for t in about if t.predicate.value not in KEPT}
            changed.add(ox.Triple(old, ox.NamedNode(DCT + "isReplacedBy"), new))
            for name in names:  # a note, not a label: the name now finds NEW alone
                changed.add(ox.Triple(old, ox.NamedNode(SKOS + "historyNote"),
                                      ox.Literal(f"Was '{name.value}', a new thing a plan workbook declared; merged into {new.value} "
                                                 f"on {dt.date.today().isoformat()}.", language="en")))
                if name.value not in {t.object.value for t in changed if t.subject == new}:
                    changed.add(ox.Triple(new, ox.NamedNode(SKOS + "altLabel"), name))
        if changed != triples:
            area_name = path.stem.replace("-", " ").title()
            change = areas.AreaChange(data_dir, path.stem, areas.render(changed, area_name), [])
            change.write()
            done.area_files.append(path)
    for path in sorted((data_dir / "plans").glob("*.ttl")):
        triples = planfiles.read_plan(path)
        changed = _swap(triples, old, new)
        if changed != triples:
            kept = planfiles.write_plan(data_dir, path.stem, planfiles.turtle(changed, path.stem))
            done.plans.append((path.stem, kept))
    return done
