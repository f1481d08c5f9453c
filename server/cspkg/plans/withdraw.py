"""Withdrawing a plan: `cspkg withdraw PLAN [--replaced-by KEY]`.

The plan's file (and its editorial file and progress returns) leave data/ for data/history/, so the
next build no longer publishes it; its IRIs do not vanish: data/reference/withdrawn.ttl records, for
the plan and every item it described, that it was withdrawn, when, where its last version is kept,
and (with --replaced-by) the plan that replaced it (dct:isReplacedBy), so a published link still
answers.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import durable
from ..errors import BadInput
from ..namespaces import plan_iri
from . import areas, files as planfiles
from .ownership import own_iris

WITHDRAWN = "withdrawn.ttl"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"


@dataclass
class Withdrawn:
    key: str
    kept: Path
    items: int
    record: Path


def withdraw(data_dir: Path, plan: str, replaced_by: str | None = None) -> Withdrawn:
    """Do it in the data folder (the caller holds its writer lock)."""
    key, path = planfiles.locate(data_dir, plan)
    if path.parent != data_dir / "plans":
        raise BadInput(f"{path}: only a plan of the data folder ({data_dir / 'plans'}) can be withdrawn")
    if replaced_by is not None:
        replaced_by = planfiles.locate(data_dir, replaced_by)[0]
        if replaced_by == key:
            raise BadInput(f"plan '{key}' cannot replace itself")
    triples = planfiles.read_plan(path)
    exact, prefixes = own_iris(key)
    items = sorted({t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)
                    and (t.subject.value in exact or t.subject.value.startswith(prefixes))})
    kept = planfiles.history_name(data_dir, key)
    kept.parent.mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    record_file = data_dir / "reference" / WITHDRAWN
    record = areas.read(record_file)
    note = f"Withdrawn on {today} (cspkg withdraw); the last version of plan {key} is kept as {kept.relative_to(data_dir)}."
    for item in items:
        s = ox.NamedNode(item)
        record.add(ox.Triple(s, ox.NamedNode(SKOS + "historyNote"), ox.Literal(note, language="en")))
        if replaced_by is not None:
            record.add(ox.Triple(s, ox.NamedNode(DCT + "isReplacedBy"), ox.NamedNode(plan_iri(replaced_by))))
    # the record first: a crash after it leaves a published plan with a note, never a vanished one without
    change = areas.AreaChange(data_dir, "withdrawn", areas.render(record, "Withdrawn plans"), [])
    tmp = record_file.with_name(f".withdrawn.{os.getpid()}.tmp")
    tmp.write_bytes(change.body)
    os.replace(tmp, record_file)
    os.link(path, kept)
    os.unlink(path)
    editorial = data_dir / "editorial" / f"{key}.ttl"
    if editorial.exists():
        target = data_dir / "history" / "editorial" / key / kept.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(editorial, target)
    # its progress returns go with it, each kept as an earlier return of its period is (returns/files.py)
    returns = data_dir / "returns" / key
    for ret in sorted(returns.glob("*.ttl")):
        target = data_dir / "history" / "returns" / key / ret.stem / kept.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(ret, target)
    if returns.is_dir() and not any(returns.iterdir()):
        returns.rmdir()
    durable.sync_dir(path.parent)
    return Withdrawn(key, kept, len(items), record_file)
