"""Return files in the data folder: data/returns/<plan>/<period>.ttl, one per plan and period.

A return for a period that already has one replaces it: the earlier file is first linked into
data/history/returns/<plan>/<period>/<UTC time>.ttl (outside what the build loads, so the store
holds the latest return for each period, and every earlier one stays on disk, in order), then the
new file is written to a temporary name, flushed and renamed into place (durable.py), so a crash
leaves either the old return or the new one, whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


from .. import durable
from ..plans.files import history_name
from ..sources import Source, parse
from .model import statuses_in
from .periods import KEY


def return_path(data_dir: Path, plan: str, period: str) -> Path:
    return data_dir / "returns" / plan / f"{period}.ttl"


def history_dir(data_dir: Path, plan: str, period: str) -> Path:
    return data_dir / "history" / "returns" / plan / period


def versions(data_dir: Path, plan: str, period: str) -> list[Path]:
    """The earlier returns for the period, oldest first."""
    return sorted(history_dir(data_dir, plan, period).glob("*.ttl"))


def write(data_dir: Path, plan: str, period: str, body: bytes) -> Path | None:
    """Write the return; return where the one it replaced was kept (None if it is the first).
    The caller holds the data folder's writer lock."""
    target = return_path(data_dir, plan, period)
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if target.exists():
        if target.read_bytes() == body:
            return None
        # history_name is the plans' own naming (UTC time, then a tie-breaker), under this period's folder
        kept = history_dir(data_dir, plan, period) / history_name(data_dir, plan).name
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.link(target, kept)
        durable.sync_dir(kept.parent)
    tmp = target.with_name(f".{period}.{os.getpid()}.tmp")
    durable.write(tmp, body)
    os.replace(tmp, target)
    durable.sync_dir(target.parent)
    return kept


@dataclass
class ReturnChange:
    """A return file written together with a store commit (commits.swap_in), as a plan file is
    (plans/files.PlanChange): its new version is staged under a hidden name before the store's swap
    and renamed into place after it, the earlier return for the period linked under history first.
    The commit's intent record names all three, so after a crash the writer lock's recovery either
    finishes the change (the swap happened) or removes the staged file (it did not): the return file
    and the store never disagree. Used by `POST /plans/<key>/returns`, which imports into the store."""

    data_dir: Path
    plan: str
    period: str
    body: bytes

    def intent(self) -> dict:
        target = return_path(self.data_dir, self.plan, self.period)
        same = target.exists() and target.read_bytes() == self.body
        kept = history_dir(self.data_dir, self.plan, self.period) / history_name(self.data_dir, self.plan).name
        return {"data": str(self.data_dir.resolve()), "plan": self.plan, "return": self.period,
                "target": str(target.resolve()),
                "staged": None if same else str(target.with_name(f".{self.period}.staged").resolve()),
                "history": str(kept.resolve()) if target.exists() and not same else None,
                "existed": target.exists(), "area": None}

    def stage(self, intent: dict) -> None:
        if intent["staged"]:
            staged = Path(intent["staged"])
            staged.parent.mkdir(parents=True, exist_ok=True)
            durable.write(staged, self.body)


def last_statuses(data_dir: Path, plan: str, before: str) -> tuple[str | None, dict[str, str]]:
    """The latest return of the plan for a period before `before` (a period key): its period and
    each action's status in it."""
    earlier = sorted(p.stem for p in (data_dir / "returns" / plan).glob("*.ttl") if KEY.match(p.stem) and p.stem < before)
    if not earlier:
        return None, {}
    path = return_path(data_dir, plan, earlier[-1])
    return earlier[-1], statuses_in(parse(Source(path, "return")))


