"""A new embedded store, written beside the current one and swapped in only when committed.

A build (or a change of one plan: replace, upload, withdrawal, return import) writes its store
here; commits.py makes it current. A full build's store is read from an in-memory copy while it
is finished (mirrored.py), when the copy fits the build's memory budget (CSPKG_BUILD_MEMORY).
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import precomputed, textindex
from .commits import swap_in
from .embedded import EmbeddedStore
from .interface import BUILD_GRAPH, build_record
from .mirrored import MirroredStore, fits


class StoreBuilder:
    """Writes a new store beside the current one and swaps it in only when asked to.
    Its writer holds the writer lock (commits.writer_lock) from before it reads its input until
    the commit is done."""

    def __init__(self, root: Path, copy_of: EmbeddedStore | None = None, changed_plan: str | None = None,
                 memory_mb: int = 0):
        """A new, empty store; or, with copy_of, a copy of that store to change (an Oxigraph
        backup: hard links to its immutable files, so the copy is cheap whatever its size).
        A copy is not compacted at commit: a compaction rewrites the whole store, so its cost
        grows with the store; RocksDB compacts the few small files a change adds on its own.
        changed_plan (an IRI), with copy_of, is the one plan the change touches: the text index
        (textindex.py) is then the copy's, updated for that plan. memory_mb: the megabytes a
        new store's in-memory copy may take (load_plans)."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        now = time.time()  # names sort in time order (for people reading the folder; pruning goes by the links)
        self.name = f"build-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now * 1e6) % 10**6:06d}-{os.getpid()}"
        self.target = root / self.name
        if copy_of is not None:
            copy_of._store.backup(str(self.target))
        self.store = EmbeddedStore(ox.Store(str(self.target)), self.target)
        self.optimize = copy_of is None  # a new store is compacted once, a copy never
        self.previous, self.changed_plan = (copy_of.path if copy_of is not None else None), changed_plan
        self.memory_mb = memory_mb

    def load_plans(self, spool: BinaryIO) -> None:
        """A build's first write: the plans' graphs as its workers wrote them (N-Quads, an open
        file), in one bulk load. A new store whose copy fits `memory_mb` is loaded into memory
        too, and read from there until committed (mirrored.py)."""
        size = os.fstat(spool.fileno()).st_size
        if self.previous is None and fits(size, self.memory_mb):
            self.store = MirroredStore(self.store)
        spool.seek(0)
        self.store.load_nquads(spool)

    def commit(self, plan=None, what: str = "build", texts: list[textindex.Texts] | None = None):
        """Make the new store current (commits.swap_in: an intent record, then an atomic rename of
        a link), with the plan file change `plan` (a planfiles.PlanChange) if given, then prune old
        builds. `texts`: what a build's workers read for the text index (textindex.of_plans).
        Returns the new store's path; self.record is the commit's intent record."""
        # the build's id (a copy of an earlier store holds that store's record)
        self.store.replace_graphs([(BUILD_GRAPH, build_record(self.name))])
        # before the swap, so a served build has them: its text index and its kept answers. A change
        # of one plan writes the index on a thread beside the answers (a few small queries each,
        # which wait on each other's reads). A full build writes them one after the other: the
        # answers keep every core busy, and at 3M quads a third thread beside them cost more than
        # it saved (36.4 s side by side, 30.9 s in turn, with the index read by the workers).
        if self.previous is None:
            textindex.write(self.store, self.target, None, self.changed_plan, texts)
            precomputed.write(self.store, self.target, None, self.changed_plan)
        else:
            with ThreadPoolExecutor(max_workers=1) as side:
                index = side.submit(textindex.write, self.store, self.target, self.previous, self.changed_plan, texts)
                precomputed.write(self.store, self.target, self.previous, self.changed_plan)
                index.result()
        self.store.flush(self.optimize)  # one flush for the whole change
        del self.store  # close the files before readers open them
        self.record = swap_in(self.root, self.name, plan, what)
        return self.target

    def abandon(self) -> None:
        del self.store
        shutil.rmtree(self.target, ignore_errors=True)
        textindex.remove(self.target)
        precomputed.remove(self.target)
