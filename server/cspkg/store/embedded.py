"""The embedded backend: an on-disk Oxigraph store (the interface it gives is in interface.py).

A build never writes into the store that is being served: it writes a
fresh store beside it (builder.py) and swaps a `current` link to it atomically, so a failed build
leaves the previous store intact; a `previous` link names the rollback (commits.py: the writer
lock, the commit order and the recovery after a crash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ..errors import BadInput, StoreMissing
from .commits import CURRENT
from .interface import LABELS, ROLLUPS, pick_label


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

    def query(self, sparql: str, *, union: bool = True, substitutions: dict | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None, base: str | None = None):
        kwargs = {"substitutions": substitutions, "base_iri": base}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = union
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)
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

    def load_nquads(self, data) -> None:
        """Bulk-load N-Quads (bytes or a binary file) as they are: a build's plans come so from its workers."""
        self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)

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
        if self._store.contains_named_graph(g):  # a lookup, not a scan of every graph
            self._store.remove_graph(g)

    def replace_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        """Replace a few small graphs in place: clear each, then add all their triples in one
        transaction. The writes go to the write-ahead log and memtable, so the next flush makes one
        small file per index, whatever the store's size (a bulk load ingests files of its own)."""
        graphs = [(graph, list(triples)) for graph, triples in graphs]
        for graph, _ in graphs:
            self.clear_graph(graph)
        self._store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs for t in triples])

    def graph_names(self, keep) -> list[str]:
        """The names of the named graphs for which keep(name) is true, unsorted."""
        return [g.value for g in self._store.named_graphs() if keep(g.value)]

    def describe(self, iri: str, cap: int) -> tuple[list[ox.Quad], list[ox.Quad], int]:
        """The resource's statements in every graph (closed over blank nodes), and the first `cap`
        statements that point at it, with their total (the roll-ups' rows left out)."""
        node = ox.NamedNode(iri)
        own = list(self._store.quads_for_pattern(node, None, None, None))
        seen, queue = set(), [q.object for q in own if isinstance(q.object, ox.BlankNode)]
        while queue:
            blank = queue.pop()
            if blank in seen:
                continue
            seen.add(blank)
            more = list(self._store.quads_for_pattern(blank, None, None, None))
            own += more
            queue += [q.object for q in more if isinstance(q.object, ox.BlankNode)]
        incoming, total = [], 0
        for quad in self._store.quads_for_pattern(None, None, node, None):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(ROLLUPS):
                continue  # a roll-up row names the plan it is about; it is a copy of an answer, not a statement
            total += 1
            if len(incoming) < cap:
                incoming.append(quad)
        return own, incoming, total

    def labels(self, iris: set[ox.NamedNode]) -> dict[str, str]:
        out = {}
        for iri in iris:
            for prop in LABELS:
                values = [q.object for q in self._store.quads_for_pattern(iri, prop, None, None) if isinstance(q.object, ox.Literal)]
                if values:
                    out[iri.value] = pick_label(values)
                    break
        return out

    def build_id(self) -> str:
        return self.path.name

    def flush(self, optimize: bool = True) -> None:
        self._store.flush()
        if optimize:
            self._store.optimize()

