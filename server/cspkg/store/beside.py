"""Files kept beside a build (`build-<id><suffix>`): its text index and its kept answers.

Each is written when its build is committed: in full by a build, or, when the change is one plan's,
from the previous build's copy updated for that plan. It goes with its build when the build is
pruned (commits.prune).
"""

from __future__ import annotations

import shutil
from pathlib import Path


def path_for(build: Path, suffix: str) -> Path:
    return build.with_name(build.name + suffix)


def start(build: Path, suffix: str, previous: Path | None, plan: str | None) -> tuple[Path, bool]:
    """The new build's file, and whether it starts as the previous build's copy (a change to one
    plan, with a previous file to copy) rather than empty."""
    target = path_for(build, suffix)
    target.unlink(missing_ok=True)
    earlier = path_for(previous, suffix) if previous is not None else None
    incremental = plan is not None and earlier is not None and earlier.exists()
    if incremental:
        shutil.copyfile(earlier, target)
    return target, incremental
