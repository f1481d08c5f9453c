"""Plan files in the data folder: finding one, reading it, and writing a new version safely.

The data folder is the source of truth. A new version of a plan is written to a temporary file
and renamed into place (a crash leaves the old file whole); the version it replaces is kept
under data/history/plans/<key>/<UTC time>.ttl, where `cspkg history` and the API find it.
When a plan file changes together with the store (`cspkg replace`, an upload), the change is a
PlanChange: staged as data/plans/.<key>.staged before the store's swap and moved into place
after it, following the intent record of commits.py, so that a crash leaves the two agreeing.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import durable
from ..errors import BadInput
from . import areas
from ..namespaces import ID, PREFIXES
from ..sources import Source, parse

PLAN_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Plan-local prefixes, so a written plan reads like the hand-written ones.
LOCAL = {"plan": "plan/", "doc": "document/", "pri": "priority/{k}/", "obj": "objective/{k}/", "act": "action/{k}/",
         "part": "action-part/{k}/", "out": "outcome/{k}/", "meas": "measure/{k}/", "tgt": "target/{k}/",
         "upd": "update/{k}/", "fund": "funding/{k}/", "num": "numbering/{k}/", "ag": "agency/", "pt": "partnership/",
         "duty": "duty/", "strat": "strategy/", "fs": "funding-stream/", "th": "theme/"}


def plan_path(data_dir: Path, key: str) -> Path:
    return data_dir / "plans" / f"{key}.ttl"


def history_dir(data_dir: Path, key: str) -> Path:
    return data_dir / "history" / "plans" / key


def locate(data_dir: Path, plan: str) -> tuple[str, Path]:
    """A plan named by key (found in the data folder) or by its file."""
    path = Path(plan)
    if path.suffix == ".ttl" or os.sep in plan:
        if not path.is_file():
            raise BadInput(f"{path}: plan file not found")
        return path.stem, path
    if not PLAN_KEY.match(plan):
        raise BadInput(f"'{plan}' is neither a plan key (such as tendring-2021-22) nor a .ttl file")
    path = plan_path(data_dir, plan)
    if not path.is_file():
        known = sorted(p.stem for p in (data_dir / "plans").glob("*.ttl"))
        raise BadInput(f"no plan '{plan}' in {data_dir / 'plans'} (known: {', '.join(known) or 'none'})")
    return plan, path


def read_plan(path: Path) -> set[ox.Triple]:
    return {q.triple for q in parse(Source(path, "plan"))}


def prefixes(key: str) -> dict[str, str]:
    local = {p: ID + v.format(k=key) for p, v in LOCAL.items()}
    return {**{p: v for p, v in PREFIXES.items() if p not in ("cspsh", "sh", "owl", "p-plan", "time", "schema", "eli")}, **local}


def turtle(triples: set[ox.Triple], key: str) -> bytes:
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate.value != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                             str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes(key))


def jsonld(triples: set[ox.Triple], key: str) -> bytes:
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph.serialize(format="json-ld", context=prefixes(key), auto_compact=True).encode()


def history_name(data_dir: Path, key: str) -> Path:
    return history_dir(data_dir, key) / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{time.time_ns() % 1_000_000:06d}.ttl"


def write_plan(data_dir: Path, key: str, body: bytes) -> Path | None:
    """Write a plan's new version; return where the version it replaced was kept (None if new).
    The caller holds the data folder's writer lock (commits.writer_lock)."""
    target = plan_path(data_dir, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if target.exists():
        if target.read_bytes() == body:
            return None
        kept = history_name(data_dir, key)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.link(target, kept)  # the old file stays reachable under history before the new one replaces it
    tmp = target.with_name(f".{key}.{os.getpid()}.tmp")
    durable.write(tmp, body)
    os.replace(tmp, target)
    durable.sync_dir(target.parent)
    return kept


def staged_path(data_dir: Path, key: str) -> Path:
    """Where a plan's new version waits while the store is swapped (hidden: a build reads only *.ttl)."""
    return data_dir / "plans" / f".{key}.staged"


@dataclass
class PlanChange:
    """A plan file to write together with a store commit (commits.swap_in)."""

    data_dir: Path
    key: str
    body: bytes
    area: "areas.AreaChange | None" = None  # the area file with the new things the plan declares, in the same commit

    def intent(self) -> dict:
        """What the commit will do to the data folder, for the intent record: the plan file, where
        its new version is staged (None: the file already says this), and where the old one is kept."""
        target = plan_path(self.data_dir, self.key)
        same = target.exists() and target.read_bytes() == self.body
        return {"data": str(self.data_dir.resolve()), "plan": self.key, "target": str(target.resolve()),
                "staged": None if same else str(staged_path(self.data_dir, self.key).resolve()),
                "history": str(history_name(self.data_dir, self.key).resolve()) if target.exists() and not same else None,
                "existed": target.exists(), "area": self.area.intent() if self.area is not None else None}

    def stage(self, intent: dict) -> None:
        if self.area is not None:  # first, so a staged plan never names things its area file lacks
            self.area.stage(intent["area"])
        if intent["staged"]:
            staged = Path(intent["staged"])
            staged.parent.mkdir(parents=True, exist_ok=True)
            durable.write(staged, self.body)


def keep_history(intent: dict) -> None:
    """Commit step: link the plan file's old version under history (done already: nothing to do)."""
    staged, target, kept = intent["staged"], Path(intent["target"]), intent["history"]
    if staged and kept and Path(staged).exists() and not Path(kept).exists():
        Path(kept).parent.mkdir(parents=True, exist_ok=True)
        os.link(target, kept)
        durable.sync_dir(Path(kept).parent)


def move_into_place(intent: dict) -> None:
    """Commit step: rename the staged area file, then the staged version over the plan file (done already: nothing to do)."""
    areas.move_into_place(intent.get("area"))
    staged = intent["staged"]
    if staged and Path(staged).exists():
        os.replace(staged, intent["target"])
        durable.sync_dir(Path(intent["target"]).parent)


def finish(intent: dict) -> None:
    """Roll a committed plan change forward, from wherever it stopped (every step can be redone)."""
    keep_history(intent)
    move_into_place(intent)


def unstage(intent: dict) -> bool:
    """Undo a plan change that never committed: its staged file goes; the plan file was not touched."""
    area = areas.unstage(intent.get("area"))
    staged = intent.get("staged")
    if staged and Path(staged).exists():
        os.unlink(staged)
        return True
    return area


def versions(data_dir: Path, key: str) -> list[Path]:
    """Earlier versions of a plan, oldest first."""
    return sorted(history_dir(data_dir, key).glob("*.ttl"))
