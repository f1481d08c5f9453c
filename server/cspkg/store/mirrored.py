"""A new build's store written twice, on disk and in memory, and read from memory until it is committed.

A full build's commit asks its new store whole-store questions: every kept national answer
(precomputed.py), the shares of `agency-workload` (shares.py) and the texts of the plans no worker
read (textindex.py). Oxigraph on RocksDB reads a triple pattern in about 5 µs, in a scan too; its
in-memory store is several times faster. At 3M quads the kept answers' queries take 10.5 CPU-seconds
in memory against 44 on disk. The copy costs a second bulk load, on a thread beside the disk's
(24.7 s for both against 20.8 s for the disk's alone), and about 1.9 bytes of memory per byte of
N-Quads loaded.

So while a build writes its new store, it writes the same quads into an in-memory Oxigraph store,
and every read goes to that copy; the store on disk is the one served, and the copy is dropped with
the builder. Oxigraph names the blank nodes of each load afresh, in either store, so the copies
hold the same graphs up to the labels of their blank nodes: no kept answer and no text in the index
holds a blank node (tests/test_precomputed.py compares every kept answer, byte for byte, with its
question run over the store on disk). tests/test_mirrored.py checks that both copies hold the same
graphs after each kind of write, and that a build read from its copy keeps the answers and index
a build read on disk keeps.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Callable, Iterable

import pyoxigraph as ox

from .embedded import EmbeddedStore

# Bytes of memory the in-memory copy takes per byte of N-Quads loaded (measured at 3M quads: 680 MB
# of N-Quads, 1.25 GB of memory), rounded up: what decides whether a build's copy fits its budget.
MEMORY_PER_NQUADS_BYTE = 2.0


def fits(nquads_bytes: int, budget_mb: int) -> bool:
    """Whether an in-memory copy of that much N-Quads fits a budget of `budget_mb` megabytes (0: none)."""
    return nquads_bytes * MEMORY_PER_NQUADS_BYTE <= budget_mb * 1024 * 1024


class FileView:
    """An open file read from its start at an offset of its own (os.pread), so that two loaders
    can read one file side by side."""

    def __init__(self, fd: int):
        self.fd, self.offset = fd, 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(os.fstat(self.fd).st_size - self.offset, 0)
        data = os.pread(self.fd, size, self.offset)
        self.offset += len(data)
        return data


class MirroredStore(EmbeddedStore):
    """An EmbeddedStore whose reads (every method of EmbeddedStore that only reads) go to an
    in-memory copy, and whose writes (the methods below) go to the store on disk and to the copy."""

    def __init__(self, disk: EmbeddedStore):
        super().__init__(ox.Store(), disk.path)  # reads: the copy in memory
        self.disk, self.memory = disk, EmbeddedStore(self._store, disk.path)

    def _both(self, write: Callable[[EmbeddedStore], None]) -> None:
        """The same write on the store on disk and, on a thread beside it, on the copy (Oxigraph
        lets go of Python's lock while it loads)."""
        with ThreadPoolExecutor(max_workers=1) as side:
            memory = side.submit(write, self.memory)
            write(self.disk)
            memory.result()

    def load_nquads(self, data: bytes | BinaryIO) -> None:
        """Bulk-load N-Quads: bytes, or an open file, which each store reads from its start for itself."""
        self._both(lambda store: store.load_nquads(data if isinstance(data, (bytes, bytearray)) else FileView(data.fileno())))

    def load(self, triples: Iterable[ox.Triple], graph: str) -> None:
        self.load_graphs([(graph, triples)])

    def load_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        graphs = [(graph, list(triples)) for graph, triples in graphs]
        self._both(lambda store: store.load_graphs(graphs))

    def clear_graph(self, graph: str) -> None:
        self.disk.clear_graph(graph)
        self.memory.clear_graph(graph)

    def replace_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        graphs = [(graph, list(triples)) for graph, triples in graphs]
        self.disk.replace_graphs(graphs)
        self.memory.replace_graphs(graphs)

    def update(self, sparql: str) -> None:
        # A build writes no updates; one that makes blank nodes would make different ones in each copy.
        raise TypeError("a build's mirrored store takes no SPARQL Update: load or replace graphs instead")

    def flush(self, optimize: bool = True) -> None:
        self.disk.flush(optimize)  # the copy in memory has nothing to flush
