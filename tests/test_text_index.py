"""The text index the search questions use (store/textindex.py) gives exactly the SPARQL answer:
on the seed data, for the words of the plans themselves, pieces of them, short and odd texts and
many generated ones, `search` and `search-actions` narrowed to the index's candidates answer
byte for byte what the questions as written answer; the index puts `search`'s items in the
question's own order, so each page run over its items alone is that page of the whole answer
(on the seed data and a synthetic corpus, whose plans share wording); an item the question would
list twice is left to the question; an index updated by a replace holds what an index built in
full holds; and the server answers through it, page by page."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from cspkg.answers.catalogue import bind, catalogue, prepared
from cspkg.answers.sparqltext import with_value_list
from cspkg.pipeline import build
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import replace_plan
from cspkg.sources import DEFAULT_DATA, Source, parse
from cspkg.synth.generate import synthesise
from cspkg.store import textindex
from cspkg.store.embedded import EmbeddedStore

FIXED = ["knife", "KNIFE", "violence", "Violence Against Women", "domestic abuse", "essex police", "ECFRS", "a", "e", "ab",
         "zzzz-not-there", '"quoted"', "it's", "%", "_", "100%", "£", "Café", "ﬁ", "İstanbul", "  ", "-", "asb", "S17"]


QUERIES = {name: catalogue()[name] for name in textindex.SERVES}


def ask(store: EmbeddedStore, name: str, text: str, narrowed: bool) -> bytes | None:
    query = QUERIES[name]
    bound = bind(query, {"text": text}, lambda s, subs: bool(store.query(s, substitutions={ox.Variable(k): v for k, v in subs.items()})))
    sparql = prepared(query, bound)
    if narrowed:
        variable, kinds = textindex.SERVES[name]
        found = textindex.candidates(store.path, bound["_text"].value, kinds)  # the text as bound (trimmed), as the server asks
        if found is None:
            return None
        sparql = with_value_list(sparql, variable, [f"<{i}>" for i in found])
    return store.query(sparql).serialize(format=ox.QueryResultsFormat.JSON)


def same(store: EmbeddedStore, text: str, pages: bool = True) -> None:
    for name in textindex.SERVES:
        indexed = ask(store, name, text, narrowed=True)
        assert indexed is not None, f"the index could not answer {text!r}"
        assert indexed == ask(store, name, text, narrowed=False), f"{name} for {text!r}: the index's answer differs"
    same_order(store, text, pages)


def same_order(store: EmbeddedStore, text: str, pages: bool = True) -> int:
    """The index's order of each question's items is the question's, and (with `pages`) each page
    of 50 run over its items and the look-ahead one is the question's page, LIMIT and OFFSET, byte
    for byte. Returns the number of `search`'s items."""
    for name in textindex.ORDERS:
        query = QUERIES[name]
        variable = textindex.SERVES[name][0]
        bound = bind(query, {"text": text}, lambda s, subs: bool(store.query(s, substitutions={ox.Variable(k): v for k, v in subs.items()})))
        sparql = prepared(query, bound)
        expected = [row[variable].value for row in store.query(sparql)]
        order = textindex.ordered(store.path, bound["_text"].value, name)
        assert order is not None, f"{name} for {text!r}: the index cannot order it"
        assert [item for _, item in order] == expected, f"{name} for {text!r}: the index's order differs from the question's"
        if name == "search":
            count = len(order)
        if pages:
            size = query.pagination
            for start in range(0, len(order) + 1, size):
                items = [f"<{item}>" for _, item in order[start:start + size + 1]]
                paged = store.query(with_value_list(sparql, variable, items)).serialize(format=ox.QueryResultsFormat.JSON)
                plain = store.query(f"{sparql}\nLIMIT {size + 1} OFFSET {start}").serialize(format=ox.QueryResultsFormat.JSON)
                assert paged == plain, f"{name} for {text!r}: the page from item {start + 1} differs from the question's"
    return count


def contents(path: Path) -> list[tuple]:
    """Every indexed text with its item, the item's plan and whether it is the item's name."""
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("SELECT kind, items.item, plan, text, name FROM texts JOIN items ON items.id = texts.item"))
    finally:
        db.close()


def keys(path: Path) -> tuple[list, list]:
    """Every item's sort keys, and the titles table."""
    db = sqlite3.connect(path)
    try:
        return (sorted(db.execute("SELECT kind, item, plan, names, label, titles, title, plan_titles, plan_title, lines, line"
                                  " FROM items")), sorted(db.execute("SELECT * FROM titles")))
    finally:
        db.close()


def from_the_store(store: EmbeddedStore, folder: Path) -> Path:
    """The index written from the store alone (not from what a build's workers read), in `folder`."""
    folder.mkdir()
    textindex.write(store, folder / store.path.name)
    return textindex.path_for(folder / store.path.name)


@pytest.fixture(scope="module")
def seed(store_root) -> EmbeddedStore:
    store = EmbeddedStore.open(store_root)
    assert textindex.path_for(store.path).exists(), "the build writes the text index beside the store"
    return store


@pytest.fixture(scope="module")
def words(seed) -> list[str]:
    """Pieces of the seed data's own wording: whole labels, words, and slices across word breaks."""
    db = sqlite3.connect(textindex.path_for(seed.path))
    texts = [t for (t,) in db.execute("SELECT text FROM texts ORDER BY id")]
    out = []
    for i, text in enumerate(texts[::20]):
        out += [text[:40], text.split()[0] if text.split() else text, text[i % max(1, len(text) - 6):][:6]]
    return [w for w in out if w.strip()]


@pytest.mark.parametrize("text", FIXED)
def test_fixed_texts_give_the_sparql_answer(seed, text):
    if not text.strip():
        pytest.skip("blank text is refused as a parameter")
    same(seed, text)


def test_the_plans_own_words_give_the_sparql_answer(seed, words):
    assert len(words) > 30
    for text in words:
        same(seed, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8))
def test_generated_texts_give_the_sparql_answer(seed, text):
    if not text.strip():
        return
    same(seed, text, pages=False)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> EmbeddedStore:
    """Twenty plans of ten partnerships: the same wording in many plans and plan titles, so the
    order's later keys (the plan's title, the label, the item) decide. Built by worker processes,
    as a national build is (each reads its chunk's texts for the index)."""
    data = tmp_path_factory.mktemp("search-data")
    synthesise(data, 10, 2, seed=7, force=True)
    root = tmp_path_factory.mktemp("search-store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "PARALLEL_FROM", 2)
        assert not run(data, root).violations
    return EmbeddedStore.open(root)


@pytest.mark.parametrize("text", ["violence", "knife", "abuse", "police", "partnership", "e", "of", "safe", "Essex", "duty"])
def test_a_synthetic_corpus_is_paged_in_the_question_order(synthetic, text):
    same(synthetic, text)


def test_every_page_of_a_long_answer_is_the_question_page(synthetic):
    assert same_order(synthetic, "a") > 200, "a text most items contain: many pages"


def test_an_item_with_two_names_titles_lines_or_plans_is_left_to_the_question(synthetic, tmp_path):
    """The question lists an item under the least of its names, and once for each title of its
    plans (or source line), which the index does not order: it says it cannot (the API then runs
    the question over the candidates)."""
    db = sqlite3.connect(textindex.path_for(synthetic.path))
    item, label = db.execute("SELECT item, label FROM items WHERE kind = 'action' AND names = 1 AND titles = 1 AND lines = 1"
                             " LIMIT 1").fetchone()
    db.close()
    assert textindex.ordered(synthetic.path, label, "search") and textindex.ordered(synthetic.path, label, "search-actions")
    copy = tmp_path / synthetic.path.name
    changes = {"UPDATE items SET names = 2 WHERE item = ?": ("search", "search-actions"),
               "UPDATE items SET titles = 2 WHERE item = ?": ("search",),
               "UPDATE items SET plan_titles = 2 WHERE item = ?": ("search-actions",),
               "UPDATE items SET lines = 2 WHERE item = ?": ("search-actions",),
               "UPDATE items SET line = NULL WHERE item = ?": ("search-actions",),  # a source line that is not an integer
               "INSERT INTO items (kind, item, plan, names, label, plan_titles, plan_title) SELECT kind, item, 'https://example.org/plan', 1,"
               " label, 1, 'A plan' FROM items WHERE item = ?": ("search", "search-actions")}
    for change, questions in changes.items():
        shutil.copyfile(textindex.path_for(synthetic.path), textindex.path_for(copy))
        db = sqlite3.connect(textindex.path_for(copy))
        with db:
            db.execute(change, (item,))
            if change.startswith("INSERT"):  # the other plan's copy of the item has the same text
                db.execute("INSERT INTO texts (item, name, text) VALUES (last_insert_rowid(), 1, ?)", (label.lower(),))
                db.execute("INSERT INTO words (rowid, text) VALUES (last_insert_rowid(), ?)", (label.lower(),))
        db.close()
        for question in ("search", "search-actions"):
            assert (textindex.ordered(copy, label, question) is None) == (question in questions), (change, question)


def test_a_build_indexes_what_its_workers_read_as_the_store_would_give_it(seed, synthetic, tmp_path):
    """A build's workers read each chunk's texts from the chunk's plans (textindex.of_plans); the
    index they make is the one the built store gives on its own, text for text and key for key."""
    for name, store in (("seed", seed), ("synthetic", synthetic)):
        alone = from_the_store(store, tmp_path / name)
        built = textindex.path_for(store.path)
        assert contents(built) and contents(built) == contents(alone), name
        assert keys(built) == keys(alone), name


def test_a_plan_a_build_leaves_out_is_indexed_from_the_store(tmp_path):
    """A plan the build leaves out (here, its file no longer parses) keeps its version from the
    previous build; no worker reads it, so its words are read from the new store: the index holds
    them, and is the one the store gives on its own."""
    data, root = tmp_path / "data", tmp_path / "store"
    shutil.copytree(DEFAULT_DATA, data)
    assert run(data, root).store_path is not None
    first = EmbeddedStore.open(root)
    plan = "https://w3id.org/cspkg/id/plan/tendring-2021-22"
    before = [row for row in contents(textindex.path_for(first.path)) if row[2] == plan]
    assert before, "the plan's actions and priorities are indexed"
    del first
    (data / "plans" / "tendring-2021-22.ttl").write_text("this is not Turtle", encoding="utf-8")
    result = run(data, root)
    assert set(result.left_out) == {"tendring-2021-22"}
    store = EmbeddedStore.open(root)
    built = textindex.path_for(store.path)
    assert [row for row in contents(built) if row[2] == plan] == before
    alone = from_the_store(store, tmp_path / "alone")
    assert contents(built) == contents(alone) and keys(built) == keys(alone)
    same(store, "tendring")


def test_an_index_of_an_earlier_layout_is_written_anew_by_a_replace(tmp_path):
    """An index of an earlier layout (its version in PRAGMA user_version) is not read: the questions
    run as written until a replace, which starting from it writes the index in full."""
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = tmp_path / "store"
    assert not run(data, root).violations
    store = EmbeddedStore.open(root)
    index = textindex.path_for(store.path)
    db = sqlite3.connect(index)
    with db:
        db.execute("DROP TABLE items")
        db.execute("PRAGMA user_version = 1")
    db.close()
    assert textindex.ordered(store.path, "knife", "search") is None
    assert textindex.candidates(store.path, "knife", ("action",)) is None
    plan = data / "plans" / "thurrock-2023-24.ttl"
    result = replace_plan(root, plan.stem, set(parse(Source(plan, "plan"))))
    assert result.store_path is not None
    store = EmbeddedStore.open(root)
    same(store, "knife")


def test_a_replace_updates_the_index_to_what_a_full_build_writes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = tmp_path / "store"
    assert not run(data, root).violations
    plan = data / "plans" / "thurrock-2023-24.ttl"
    triples = set(parse(Source(plan, "plan")))
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    # A changed action title: the replace must index the new words and forget the old.
    changed = next(t for t in sorted(triples, key=str) if t.predicate == label and "/action/" in t.subject.value)
    triples = (triples - {changed}) | {ox.Triple(changed.subject, label, ox.Literal("Quokka patrols at the seafront", language="en"))}
    assert any(t.predicate == title for t in triples)
    result = replace_plan(root, plan.stem, triples)
    assert result.store_path is not None
    store = EmbeddedStore.open(root)

    updated = contents(textindex.path_for(store.path))
    full = from_the_store(store, tmp_path / "full")
    assert updated == contents(full)
    assert keys(textindex.path_for(store.path)) == keys(full)
    assert textindex.candidates(store.path, "quokka", ("action",)) == [changed.subject.value]
    # the action's name is now the new one alone (its description may still hold the old words)
    assert {t for (_, item, _, t, name) in updated if item == changed.subject.value and name} == {"quokka patrols at the seafront"}
    same(store, "quokka")
    same(store, changed.object.value[:12])
    kept = {p.name for p in root.glob("build-*.search.sqlite")}
    assert kept == {p.name + textindex.SUFFIX for p in root.glob("build-*") if p.is_dir()}, "an index goes with its build"


def test_the_server_answers_search_through_the_index(server, seed):
    import json

    for text in ("knife", "violence", "ab", "e"):
        for name in textindex.SERVES:
            whole = json.loads(ask(seed, name, text, narrowed=False))["results"]["bindings"]
            for page in (1, 2, 3):
                got = requests.get(f"{server}/queries/{name}.json", params={"text": text, "page": page}, timeout=30)
                assert got.status_code == 200, (name, text, page)
                assert got.json()["results"]["bindings"] == whole[(page - 1) * 50: page * 50], (name, text, page)
                assert ('rel="next"' in got.headers["Link"]) == (len(whole) > page * 50), (name, text, page)


def test_the_search_page_shows_each_page_of_the_question(server, seed):
    import json

    whole = json.loads(ask(seed, "search", "e", narrowed=False))["results"]["bindings"]
    assert len(whole) > 100
    for page in (1, 2, 3):
        got = requests.get(f"{server}/search.json", params={"text": "e", "page": page}, timeout=30).json()["data"]
        assert got["count"] == len(whole)
        assert got["counts"] == {kind: sum(r["kind"]["value"] == kind for r in whole) for kind in ("action", "priority", "agency", "duty")}
        shown = [row["item"] for kind in got["results"] for row in got["results"][kind]]
        assert shown == [r["item"]["value"] for r in whole[(page - 1) * 50: page * 50]], page
