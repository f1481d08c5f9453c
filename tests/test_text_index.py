"""The text index the search questions use (store/textindex.py) gives exactly the SPARQL answer:
on the seed data, for the words of the plans themselves, pieces of them, short and odd texts and
many generated ones, `search` and `search-actions` narrowed to the index's candidates answer
byte for byte what the questions as written answer; an index updated by a replace holds what an
index built in full holds; and the server answers through it."""

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
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import replace_plan
from cspkg.sources import DEFAULT_DATA, Source, parse
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


def same(store: EmbeddedStore, text: str) -> None:
    for name in textindex.SERVES:
        indexed = ask(store, name, text, narrowed=True)
        assert indexed is not None, f"the index could not answer {text!r}"
        assert indexed == ask(store, name, text, narrowed=False), f"{name} for {text!r}: the index's answer differs"


@pytest.fixture(scope="module")
def seed(store_root) -> EmbeddedStore:
    store = EmbeddedStore.open(store_root)
    assert textindex.path_for(store.path).exists(), "the build writes the text index beside the store"
    return store


@pytest.fixture(scope="module")
def words(seed) -> list[str]:
    """Pieces of the seed data's own wording: whole labels, words, and slices across word breaks."""
    db = sqlite3.connect(textindex.path_for(seed.path))
    texts = [t for (t,) in db.execute("SELECT text FROM words ORDER BY rowid")]
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
    same(seed, text)


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

    def contents(path: Path) -> list[tuple]:
        db = sqlite3.connect(path)
        try:
            return sorted(db.execute("SELECT kind, item, plan, text FROM words"))
        finally:
            db.close()

    updated = contents(textindex.path_for(store.path))
    full = tmp_path / "full"
    full.mkdir()
    textindex.write(store, full / store.path.name)
    assert updated == contents(textindex.path_for(full / store.path.name))
    assert textindex.candidates(store.path, "quokka", ("action",)) == [changed.subject.value]
    assert changed.object.value.lower() not in {t for (_, _, _, t) in updated if _ == changed.subject.value}
    same(store, "quokka")
    same(store, changed.object.value[:12])
    kept = {p.name for p in root.glob("build-*.search.sqlite")}
    assert kept == {p.name + textindex.SUFFIX for p in root.glob("build-*") if p.is_dir()}, "an index goes with its build"


def test_the_server_answers_search_through_the_index(server, seed):
    for text in ("knife", "violence", "ab"):
        for name in textindex.SERVES:
            got = requests.get(f"{server}/queries/{name}.json", params={"text": text}, timeout=30).json()
            plain = ask(seed, name, text, narrowed=False)
            import json

            assert got["results"]["bindings"][:50] == json.loads(plain)["results"]["bindings"][:50], (name, text)
