"""Plan files in the data folder: finding one, reading it, and writing a new version safely.

The data folder is the source of truth. A new version of a plan is written to a temporary file
and renamed into place (a crash leaves the old file whole); the version it replaces is kept
under data/history/plans/<key>/<UTC time>.ttl, where `cspkg history` and the API find it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyoxigraph as ox

from .errors import BadInput
from .namespaces import ID, PREFIXES
from .sources import Source, parse

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


def write_plan(data_dir: Path, key: str, body: bytes) -> Path | None:
    """Write a plan's new version; return where the version it replaced was kept (None if new)."""
    target = plan_path(data_dir, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if target.exists():
        if target.read_bytes() == body:
            return None
        history = history_dir(data_dir, key)
        history.mkdir(parents=True, exist_ok=True)
        kept = history / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{time.time_ns() % 1_000_000:06d}.ttl"
        os.link(target, kept)  # the old file stays reachable under history before the new one replaces it
    tmp = target.with_name(f".{key}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return kept


def versions(data_dir: Path, key: str) -> list[Path]:
    """Earlier versions of a plan, oldest first."""
    return sorted(history_dir(data_dir, key).glob("*.ttl"))
