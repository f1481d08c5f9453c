"""Committing a write to the store and the data folder together: the writer lock, the commit order,
its intent record, and the recovery that completes or undoes a commit a crash interrupted.

Every writer (`cspkg build`, `cspkg replace`, `cspkg import`, an upload) holds the writer lock from
before it reads its input until its commit is done. The lock is a file, `.writer.lock`, in the data
folder and in the store folder; a writer takes the data folder's first, then the store's (a fixed
order, so two writers never wait on each other). `cspkg import` writes only the data folder and
takes only its lock. A read-only data folder (which no one can import into) is not locked.

The commit order (swap_in), each step named for the crash hook below:
  store-written    the new store is written and closed beside the current one (not yet current)
  intent-recorded  the intent record store/.pending.json (the new build, the previous link as it
                   was, and the plan file change) is written, fsync'd and renamed into place
  plan-staged      the new plan file is written, fsync'd, as data/plans/.<key>.staged
  previous-linked  the `previous` link is pointed at the build that is current now (the rollback)
  swapped          the `current` link is swapped to the new build: THE COMMIT POINT
  history-kept     the old plan file is linked under data/history/plans/<key>/
  plan-renamed     the staged file is renamed over data/plans/<key>.ttl
  intent-cleared   the intent record is deleted; then every build folder that is neither current
                   nor previous is deleted
Recovery (each time the lock is taken, and when `cspkg serve` starts): with an intent record, if
`current` names its build, the commit happened: finish the plan file (steps history-kept and
plan-renamed can each be redone); if not, undo it: delete the staged file and the new build, and
put the `previous` link back. Either way the record goes, and so do build folders that are neither
current nor previous (a build that crashed before its record). Each thing it did is reported.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..plans import files as planfiles
from .. import durable
from ..errors import CspkgError, StoreMissing

CURRENT = "current"
PREVIOUS = "previous"  # the build that was current before this one: the rollback, set at each commit
KEEP_PREVIOUS = 1  # builds kept besides the current one (the `previous` link's), so a rollback is one link away
LOCK = ".writer.lock"  # one writer at a time (in the data folder, and in the store folder)
PENDING = ".pending.json"  # the intent record of a commit under way

STEPS = ("store-written", "intent-recorded", "plan-staged", "previous-linked", "swapped", "history-kept", "plan-renamed",
         "intent-cleared")


def crash_point(step: str) -> None:
    """A testing aid: with CSPKG_CRASH_AT=<step> in its environment the process kills itself
    (SIGKILL: no clean-up runs) at that step of the commit order, as a power cut or an OOM kill
    would. The kill tests (tests/test_durability.py) use it; nothing else sets it."""
    if os.environ.get("CSPKG_CRASH_AT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


class WriterBusy(CspkgError):
    """Another writer held the lock for longer than this writer would wait."""


def _flock(path: Path, stack: ExitStack, *, required: bool, wait: bool | float = True) -> None:
    """Take the lock in the file at path: wait True waits as long as it takes, False not at all
    (BlockingIOError), a number of seconds that long (WriterBusy)."""
    try:
        handle = stack.enter_context(open(path, "a"))
    except OSError:
        if required:
            raise
        return  # a read-only data folder: no one can write it, so there is nothing to serialise
    # released when the file is closed, or the process dies
    if wait is True:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + (0 if wait is False else wait)
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                if wait is False:
                    raise
                raise WriterBusy(f"another write (a build, replace, import or upload) holds the writer lock {path} for "
                                 "longer than this one can wait; nothing was changed: try again when it is done") from None
            time.sleep(0.05)


def read_pending(root: Path) -> dict | None:
    try:
        return json.loads((root / PENDING).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:  # written whole and renamed into place: only a hand edit gets here
        raise CspkgError(f"{root / PENDING}: unreadable intent record ({err}); compare `current` with the data "
                         "folder, delete the file and run `cspkg build`") from None


def _record_data_dir(root: Path | None) -> Path | None:
    record = read_pending(root) if root is not None else None
    change = (record or {}).get("change")
    return Path(change["data"]) if change else None


@contextmanager
def writer_lock(store_root: Path | None, data_dir: Path | None = None, *, wait: bool | float = True):
    """Hold the writer lock of the data folder and of the store (either may be None), recover an
    interrupted commit, and yield what the recovery did (a list of sentences, empty if nothing).
    With wait False, a lock another writer holds raises BlockingIOError at once; with a number of
    seconds, WriterBusy once the locks have been waited for that long in all."""
    want = {data_dir.resolve()} if data_dir is not None else set()
    deadline = time.monotonic() + wait if not isinstance(wait, bool) else None
    for _ in range(10):  # an interrupted commit may name another data folder: lock it too, in order
        stack = ExitStack()
        extra = _record_data_dir(store_root)
        folders = sorted(want | ({extra} if extra else set()))
        try:
            for folder in folders:
                if folder in want:
                    folder.mkdir(parents=True, exist_ok=True)
                _flock(folder / LOCK, stack, required=False, wait=_left(wait, deadline))
            if store_root is not None:
                store_root.mkdir(parents=True, exist_ok=True)
                _flock(store_root / LOCK, stack, required=True, wait=_left(wait, deadline))
            extra = _record_data_dir(store_root)
        except BaseException:
            stack.close()
            raise
        if extra is None or extra in folders:
            break
        stack.close()
    else:
        raise CspkgError(f"{store_root}: could not take the writer locks (writers kept changing the intent record)")
    with stack:
        yield recover(store_root) if store_root is not None else []


def _left(wait: bool | float, deadline: float | None) -> bool | float:
    """What is left of a wait in seconds (one deadline for every lock a writer takes)."""
    return wait if deadline is None else max(0.0, deadline - time.monotonic())


def recover_at_start(store_root: Path, data_dir: Path | None) -> list[str]:
    """The recovery `cspkg serve` runs as it starts. If a writer holds the lock, it has recovered
    already (each writer does as it takes the lock), so this does not wait for it."""
    if not store_root.is_dir():
        return []
    try:
        with writer_lock(store_root, data_dir if data_dir is not None and data_dir.is_dir() else None, wait=False) as done:
            return done
    except BlockingIOError:
        return []


def _read_link(root: Path, name: str) -> str | None:
    try:
        return os.readlink(root / name)
    except (FileNotFoundError, OSError):
        return None


def _link(root: Path, name: str, target: str | None, sync: bool = True) -> None:
    """Point root/name at target atomically (a new link renamed over the old); None removes it.
    sync makes it durable at once (a power cut, not a kill, could otherwise lose it)."""
    if target is None:
        (root / name).unlink(missing_ok=True)
    else:
        tmp = root / f".{name}-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        os.replace(tmp, root / name)
    if sync:
        durable.sync_dir(root)


def _write_pending(root: Path, record: dict) -> None:
    tmp = root / f"{PENDING}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, root / PENDING)
    durable.sync_dir(root)


def _clear_pending(root: Path) -> None:
    (root / PENDING).unlink(missing_ok=True)  # not synced: a record that came back would be finished again, harmlessly


def swap_in(root: Path, build: str, plan: "planfiles.PlanChange | None" = None, what: str = "build") -> dict:
    """Commit the closed store root/build (and the plan file change, if any) in the order above.
    Returns the intent record (its `change` says where the plan's old version was kept)."""
    crash_point("store-written")
    record = {"what": what, "build": build, "current": _read_link(root, CURRENT), "previous": _read_link(root, PREVIOUS),
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "change": plan.intent() if plan is not None else None}
    _write_pending(root, record)
    crash_point("intent-recorded")
    if plan is not None:
        plan.stage(record["change"])
        crash_point("plan-staged")
    if record["current"] is not None:  # made durable with `current` (recovery sets it again if it was lost)
        _link(root, PREVIOUS, record["current"], sync=False)
    crash_point("previous-linked")
    _link(root, CURRENT, build)
    crash_point("swapped")
    if plan is not None:
        planfiles.keep_history(record["change"])
        crash_point("history-kept")
        planfiles.move_into_place(record["change"])
        crash_point("plan-renamed")
    _clear_pending(root)
    crash_point("intent-cleared")
    prune(root)
    return record


def prune(root: Path) -> list[str]:
    """Delete every build folder that is neither current nor previous; return their names. Called
    with the writer lock held (or by a lone writer), so no build is being written meanwhile."""
    keep = {_read_link(root, CURRENT), _read_link(root, PREVIOUS)}
    gone = sorted(p.name for p in root.glob("build-*") if p.is_dir() and p.name not in keep)
    for name in gone:
        shutil.rmtree(root / name, ignore_errors=True)
    # a build's text index (textindex.py) and kept answers (precomputed.py) go with it
    for suffix in (".search.sqlite", ".answers.sqlite"):
        for index in root.glob("build-*" + suffix):
            if index.name.removesuffix(suffix) not in keep:
                index.unlink(missing_ok=True)
    return gone


def recover(root: Path) -> list[str]:
    """Complete or undo a commit a crash interrupted, and clear what it left; say what was done."""
    if not root.is_dir():
        return []
    done = []
    record = read_pending(root)
    current = _read_link(root, CURRENT)
    if record is not None:
        change = record.get("change")
        label = record["what"] + (f" of plan '{change['plan']}'" if change else "")
        if current == record["build"]:
            if record["current"] is not None:
                _link(root, PREVIOUS, record["current"])  # the build it replaced is the rollback
            if change is not None:
                planfiles.finish(change)
            said = f"finished an interrupted {label}: its store {record['build']} had been made current"
            if change is not None and change["staged"]:
                said += f", so {change['target']} now holds the new version"
                said += f" (the old one is kept as {change['history']})" if change["history"] else ""
            done.append(said)
        else:
            unstaged = planfiles.unstage(change) if change is not None else False
            _link(root, PREVIOUS, record["previous"])  # as it was before the interrupted commit began
            if record["build"] not in (current, record["previous"]):
                shutil.rmtree(root / record["build"], ignore_errors=True)
            done.append(f"undid an interrupted {label}: its store {record['build']} was never made current, so it was "
                        f"removed{' with its staged plan file' if unstaged else ''}; the store and the data folder are as they were")
        _clear_pending(root)
    for tmp in [*root.glob(f".{CURRENT}-*"), *root.glob(f".{PREVIOUS}-*"), *root.glob(f"{PENDING}.*.tmp")]:
        tmp.unlink(missing_ok=True)
    gone = prune(root)
    if gone:
        done.append(f"removed {len(gone)} build folder(s) that were neither current nor previous (left by an interrupted "
                    f"write): {', '.join(gone)}")
    return done


def current_build(root: Path) -> Path:
    link = root / CURRENT
    if not link.exists():
        raise StoreMissing(f"{root}: no built store here; run `cspkg build` first")
    return link.resolve()
