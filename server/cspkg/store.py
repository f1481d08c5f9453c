"""The store interface, and the embedded backend: an on-disk Oxigraph store.

The interface is a handful of verbs (query, update, load, dump, graphs). A build never
writes into the store that is being served: it writes a fresh store beside it and swaps a
`current` link to it atomically, so a failed build leaves the previous store intact.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Iterable, Protocol

import pyoxigraph as ox

from .errors import BadInput, StoreMissing

CURRENT = "current"
KEEP_PREVIOUS = 1  # builds kept besides the current one, so a rollback is one link away


class Store(Protocol):
    def query(self, sparql: str, *, union: bool = True, substitutions: dict | None = None): ...

    def update(self, sparql: str) -> None: ...

    def load(self, triples: Iterable[ox.Triple], graph: str) -> None: ...

    def load_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        """Load many graphs in one bulk load: one call per graph costs a flush each."""
        self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs for t in triples)

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes: ...

    def graphs(self) -> list[str]: ...


class EmbeddedStore:
    """An Oxigraph store on disk. Opened read-only by default, so many processes can serve it."""

    def __init__(self, store: ox.Store, path: Path):
        self._store = store
        self.path = path

    @classmethod
    def open(cls, root: Path, *, read_only: bool = True) -> "EmbeddedStore":
        link = root / CURRENT
        if not link.exists():
            raise StoreMissing(f"{root}: no built store here; run `cspkg build` first")
        target = link.resolve()
        store = ox.Store.read_only(str(target)) if read_only else ox.Store(str(target))
        return cls(store, target)

    def query(self, sparql: str, *, union: bool = True, substitutions: dict | None = None):
        try:
            return self._store.query(sparql, use_default_graph_as_union=union, substitutions=substitutions)
        except SyntaxError as err:
            raise BadInput(f"SPARQL syntax error: {err.msg if hasattr(err, 'msg') else err}") from None

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def load(self, triples: Iterable[ox.Triple], graph: str) -> None:
        g = ox.NamedNode(graph)
        self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)

    def load_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        """Load many graphs in one bulk load: one call per graph costs a flush each."""
        self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs for t in triples)

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        if graph is None:
            return self._store.dump(format=format)
        return self._store.dump(format=format, from_graph=ox.NamedNode(graph))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def triples(self, graph: str) -> list[ox.Triple]:
        return [q.triple for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def clear_graph(self, graph: str) -> None:
        g = ox.NamedNode(graph)
        if g in self._store.named_graphs():
            self._store.remove_graph(g)

    def flush(self, optimize: bool = True) -> None:
        self._store.flush()
        if optimize:
            self._store.optimize()


class StoreBuilder:
    """Writes a new store beside the current one and swaps it in only when asked to."""

    def __init__(self, root: Path, copy_of: EmbeddedStore | None = None):
        """A new, empty store; or, with copy_of, a copy of that store to change (an Oxigraph
        backup: hard links to its immutable files, so the copy is cheap whatever its size)."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        now = time.time()  # names sort in time order: pruning keeps the newest
        self.target = root / f"build-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now * 1e6) % 10**6:06d}-{os.getpid()}"
        if copy_of is not None:
            copy_of._store.backup(str(self.target))
        self.store = EmbeddedStore(ox.Store(str(self.target)), self.target)
        self.optimize = copy_of is None  # a small change is not worth a full compaction

    def commit(self) -> Path:
        """Make the new store current (an atomic rename of a link), then prune old builds."""
        self.store.flush(self.optimize)
        del self.store  # close the files before readers open them
        tmp = self.root / f".{CURRENT}-{os.getpid()}"
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(self.target.name)
        os.replace(tmp, self.root / CURRENT)
        self._prune()
        return self.target

    def abandon(self) -> None:
        del self.store
        shutil.rmtree(self.target, ignore_errors=True)

    def _prune(self) -> None:
        builds = sorted(p for p in self.root.glob("build-*") if p.is_dir() and p != self.target)
        for old in builds[: max(0, len(builds) - KEEP_PREVIOUS)]:
            shutil.rmtree(old, ignore_errors=True)
