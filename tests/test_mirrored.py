"""A full build's store is written on disk and in memory alike, and read from memory until committed
(store/mirrored.py): both copies hold the same quads after every kind of write, a build that reads its
copy keeps the answers and text index a build reading the disk keeps, and only a new store that fits
the memory budget is copied."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from cspkg.pipeline import validation
from cspkg.pipeline.build import run
from cspkg.settings import Settings
from cspkg.sources import DEFAULT_DATA
from cspkg.store import mirrored, precomputed, textindex
from cspkg.store.builder import StoreBuilder
from cspkg.store.commits import current_build
from cspkg.store.embedded import EmbeddedStore
from cspkg.store.mirrored import FileView, MirroredStore

EX = "http://example.org/"


def quad(s: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), ox.NamedNode(EX + g))


def triples(*pairs: tuple[str, str]) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o)) for s, o in pairs]


def canonical(store: ox.Store) -> dict[str, set[str]]:
    """Each graph's triples, blank nodes relabelled canonically: Oxigraph names the blank nodes of
    each load afresh, so two stores loaded from the same text hold the same graphs up to their labels."""
    from rdflib.compare import to_canonical_graph

    graphs: dict[str, list[ox.Triple]] = {}
    for q in store:
        graphs.setdefault(q.graph_name.value, []).append(q.triple)
    return {g: {" ".join(term.n3() for term in t) for t in to_canonical_graph(validation.to_rdflib(ts))} for g, ts in graphs.items()}


def on_disk(store: MirroredStore) -> dict[str, set[str]]:
    return canonical(store.disk._store)


def in_memory(store: MirroredStore) -> dict[str, set[str]]:
    return canonical(store.memory._store)


@pytest.fixture
def mirror(tmp_path):
    return MirroredStore(EmbeddedStore(ox.Store(str(tmp_path / "disk")), tmp_path / "disk"))


def test_every_write_reaches_both_copies_and_reads_come_from_memory(mirror):
    blank = ox.BlankNode("b1")
    nquads = ox.serialize([quad("a", "1", "g1"), ox.Quad(blank, ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(EX + "g1"))],
                          format=ox.RdfFormat.N_QUADS)
    with tempfile.TemporaryFile() as spool:
        spool.write(nquads)
        spool.seek(3)  # each copy reads the file from its start, whatever the file's own position
        mirror.load_nquads(spool)
    assert on_disk(mirror) == in_memory(mirror) and len(on_disk(mirror)[EX + "g1"]) == 2
    mirror.load_nquads(ox.serialize([quad("c", "3", "g3")], format=ox.RdfFormat.N_QUADS))
    mirror.load_graphs([(EX + "g2", triples(("b", "2"))), (EX + "g4", triples(("d", "4")))])
    mirror.load(triples(("e", "5")), EX + "g5")
    mirror.replace_graphs([(EX + "g2", triples(("b", "two")))])
    mirror.clear_graph(EX + "g4")
    assert on_disk(mirror) == in_memory(mirror)
    assert {(q.subject.value, q.object.value) for q in mirror.memory._store if isinstance(q.subject, ox.NamedNode)} == \
        {(EX + "a", "1"), (EX + "c", "3"), (EX + "b", "two"), (EX + "e", "5")}
    with pytest.raises(TypeError, match="no SPARQL Update"):
        mirror.update(f"INSERT DATA {{ GRAPH <{EX}g6> {{ <{EX}f> <{EX}p> 'x' }} }}")
    assert on_disk(mirror) == in_memory(mirror)
    # reads go to the copy in memory: a quad put there alone is seen, one put on disk alone is not
    mirror.memory._store.add(quad("m", "memory only", "g7"))
    mirror.disk._store.add(quad("n", "disk only", "g8"))
    assert EX + "g7" in mirror.graphs() and EX + "g8" not in mirror.graphs()
    assert [r["o"].value for r in mirror.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o")] == \
        ["1", "3", "5", "memory only", "two", "x"]


def test_a_file_view_reads_the_whole_file_at_its_own_offset(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as f:
        f.seek(7)
        one, two = FileView(f.fileno()), FileView(f.fileno())
        assert one.read(4) == b"0123" and two.read(2) == b"01"
        assert one.read() == b"456789" and two.read(100) == b"23456789"
        assert one.read(5) == b"" and f.read() == b"789"  # the file's own position is untouched


def test_only_a_new_store_that_fits_the_budget_is_copied(tmp_path, monkeypatch):
    spool = tmp_path / "spool.nq"
    spool.write_bytes(ox.serialize([quad("a", "1", "g1")], format=ox.RdfFormat.N_QUADS))
    assert mirrored.fits(spool.stat().st_size, 1) and not mirrored.fits(spool.stat().st_size, 0)
    assert not mirrored.fits(600 * 1024 * 1024, 1024), "about two bytes of memory for each byte of N-Quads"
    monkeypatch.setattr(precomputed, "write", lambda *a, **k: None)  # this test is about the store alone
    monkeypatch.setattr(textindex, "write", lambda *a, **k: None)
    stores = {}
    for budget in (0, 64):
        builder = StoreBuilder(tmp_path / f"budget-{budget}", memory_mb=budget)
        with open(spool, "rb") as f:
            builder.load_plans(f)
        stores[budget] = builder.store
        assert isinstance(builder.store, MirroredStore) == (budget > 0)
        committed = builder.commit()
        assert {q.subject.value for q in ox.Store.read_only(str(committed))} >= {EX + "a"}
    copy = StoreBuilder(tmp_path / "budget-64", copy_of=EmbeddedStore.open(tmp_path / "budget-64"), memory_mb=64)
    with open(spool, "rb") as f:
        copy.load_plans(f)
    assert not isinstance(copy.store, MirroredStore), "a change of one plan reads its copy on disk (a few small queries)"
    copy.abandon()


def kept(root: Path) -> dict[str, bytes]:
    """Every kept answer of the current build, whole."""
    build = current_build(root)
    with sqlite3.connect(f"file:{precomputed.path_for(build)}?mode=ro", uri=True) as db:
        names = [name for (name,) in db.execute("SELECT question FROM answers")]
    db.close()
    return {name: precomputed.read(build, name) for name in names}


def index(root: Path) -> list[list[tuple]]:
    """The text index's items, texts and titles, by content (their row ids follow the order they were read in)."""
    with sqlite3.connect(f"file:{textindex.path_for(current_build(root))}?mode=ro", uri=True) as db:
        out = [sorted(db.execute("SELECT kind, item, plan, names, label, titles, title, plan_titles, plan_title, lines, line FROM items"), key=repr),
               sorted(db.execute("SELECT i.kind, i.item, i.plan, t.name, t.text FROM texts t JOIN items i ON i.id = t.item"), key=repr),
               sorted(db.execute("SELECT item, plan, title FROM titles"))]
    db.close()
    return out


def test_a_build_read_from_memory_keeps_what_a_build_read_on_disk_keeps(built, tmp_path, monkeypatch):
    copies = []
    made = MirroredStore.__init__
    monkeypatch.setattr(MirroredStore, "__init__", lambda self, disk: (copies.append(disk.path), made(self, disk))[1])
    root = tmp_path / "on-disk"
    assert not run(DEFAULT_DATA, root, settings=Settings(store=root, build_memory=0)).violations
    assert not copies, "with CSPKG_BUILD_MEMORY=0 the build reads its store on disk"
    seed = built[1].path.parent  # built with the default budget: read from its copy in memory
    assert len(kept(root)) > 50
    assert kept(root) == kept(seed)
    assert index(root) == index(seed)
    assert not run(DEFAULT_DATA, tmp_path / "in-memory").violations
    assert len(copies) == 1, "a build with the default budget reads its copy in memory"
