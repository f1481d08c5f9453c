"""A full-text index of the words the search questions read, kept with each embedded build.

`search` and `search-actions` find items whose wording contains a piece of text. In SPARQL that
is a CONTAINS over every action, priority, organisation and duty: at national size, seconds. The
index is an SQLite FTS5 table (trigram tokenizer: it finds any substring of three or more
characters) holding, per item, each of the texts those questions read, lower-cased as SPARQL's
LCASE does. It is written beside the build (`build-....search.sqlite`) when the build is
committed: in full by a build, and by a replace or withdrawal for its one plan (its actions and
priorities, and the organisations and duties, which a plan can declare; actions and priorities tied
to no plan are reference data, which only a build changes). A build's worker processes read each
chunk's plans' texts as they roll the plans up (`of_plans`), so the build asks its store only for
the texts of plans no worker read (those kept from the previous build, and the reference data's).

The index narrows: the question is still run as written, with its items limited to the
candidates the index finds (a VALUES block, `sparqltext.with_value_list`), so its answer is the
SPARQL answer by construction as long as the candidates include every match; tests check that
they do. With no index (a remote store, an older build, SQLite without FTS5) or too many
candidates, the question runs over everything, as before.

Both questions are read a page at a time, so the index also puts the items in each question's
order (`ordered`): it keeps what their ORDER BY clauses read (an item's name, the titles of the
plans `search` names beside it; an action's plan, that plan's title and the action's source line),
so a page's items can be chosen here and the question run over those alone: 51 items instead of
thousands. `_search_key` and `_search_actions_key` mirror the two ORDER BY clauses; tests compare
every page with the question's own. An item the question would list more than once, or under the
least of several names, is not ordered here: the question then runs over every candidate.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from . import beside
from ..answers.sparqltext import with_value_list

log = logging.getLogger(__name__)

SUFFIX = ".search.sqlite"
VERSION = 3  # PRAGMA user_version of the index's layout: a replace starting from another writes the index in full
MAX_CANDIDATES = 5000  # past this, a VALUES block costs more than the scan it saves
MAX_ORDERED = 200_000  # items `ordered` sorts in Python (at 3M quads every item: about 57,000, in 0.4 s)
# The questions the index serves: the variable their items are in, and the kinds of item they read.
SERVES = {"search": ("item", ("action", "priority", "agency", "duty")), "search-actions": ("action", ("action",))}
_KIND_RANK = {"action": 0, "priority": 1, "agency": 2, "duty": 3}  # search.rq's first sort key
PLAN_TEXTS = Path(__file__).with_name("textindex-plan.rq").read_text(encoding="utf-8")
SHARED_TEXTS = Path(__file__).with_name("textindex-shared.rq").read_text(encoding="utf-8")
UNPLANNED_TEXTS = Path(__file__).with_name("textindex-unplanned.rq").read_text(encoding="utf-8")
TITLES = Path(__file__).with_name("textindex-titles.rq").read_text(encoding="utf-8")
ACTIONS = Path(__file__).with_name("textindex-actions.rq").read_text(encoding="utf-8")
DECLARABLE = ("agency", "duty")  # the kinds of SHARED_TEXTS: what a plan file can declare


def path_for(build: Path) -> Path:
    return beside.path_for(build, SUFFIX)


def _rows(store, query: str):
    """(text, kind, item, plan, name) for each row of one of the extraction queries: the text
    lower-cased as SPARQL's LCASE does (both follow Unicode's default case mapping), and `name` the
    text as written when it is the item's name, else None."""
    for row in store.query(query):
        plan, text = row["plan"], row["text"].value
        yield (text.lower(), row["kind"].value, row["item"].value, plan.value if plan is not None else None,
               text if row["part"].value == "name" else None)


def _titles(store, query: str) -> list[tuple[str, str, str]]:
    return [(row["item"].value, row["plan"].value, row["title"].value) for row in store.query(query)]


INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _actions(store, query: str) -> dict[tuple[str, str], tuple[int, str | None, int, int | None]]:
    """For each (action, plan): how many titles the plan has and the least, and how many source
    lines the action has and the one, if it is one xsd:integer (None if it is another kind of
    value, which the question compares in ways `_search_actions_key` does not follow)."""
    titles: dict[tuple, set] = {}  # the terms (two titles may differ only in their language)
    lines: dict[tuple, set] = {}
    for row in store.query(query):
        key = (row["item"].value, row["plan"].value)
        titles.setdefault(key, set())
        lines.setdefault(key, set())
        if row["title"] is not None:
            titles[key].add(row["title"])
        if row["line"] is not None:
            lines[key].add(row["line"])

    def number(terms: set) -> int | None:
        term = next(iter(terms), None)
        return int(term.value) if term is not None and term.datatype.value == INTEGER else None

    return {key: (len(titles[key]), min((t.value for t in titles[key]), default=None), len(lines[key]), number(lines[key]))
            for key in titles}


class Texts(NamedTuple):
    """What the index keeps of some plans' items (`of_plans`): read by a build's workers, each from
    its chunk of plans, so the build's store is asked only for the rest."""
    plans: frozenset[str]  # the plans' IRIs
    rows: list[tuple]  # as `_rows` gives them
    titles: list[tuple[str, str, str]]  # as `_titles` gives them
    actions: dict[tuple[str, str], tuple]  # as `_actions` gives them


def of_plans(store, plans: set[str]) -> Texts:
    """The texts, titles and sort keys of these plans' items (the rows of PLAN_TEXTS, TITLES and
    ACTIONS about them), from a store that holds the plans' graphs as the built store does and the
    reference data. An item's words are its own plan's (a plan describes no other plan's items:
    plans/ownership.py), as each plan's roll-ups are, so a worker holding a chunk of plans reads
    what the whole store would give for them."""
    return Texts(frozenset(plans), [row for row in _rows(store, PLAN_TEXTS) if row[3] in plans],
                 [row for row in _titles(store, TITLES) if row[1] in plans],
                 {key: keys for key, keys in _actions(store, ACTIONS).items() if key[1] in plans})


PLANS_WITH_ITEMS = """PREFIX csp: <https://w3id.org/cspkg/def/>
SELECT DISTINCT ?plan WHERE { { ?item csp:actionOf ?plan } UNION { ?item csp:priorityOf ?plan } }"""


def _full(store, texts: list[Texts] | None) -> tuple[list, list, dict]:
    """Every plan's texts, titles and action keys: those given (`texts`), and from the store those
    of any other plan (one a build kept from the previous store, or one in the reference data)."""
    if texts is None:
        return list(_rows(store, PLAN_TEXTS)), _titles(store, TITLES), _actions(store, ACTIONS)
    covered = frozenset().union(*(t.plans for t in texts))
    rows = [row for t in texts for row in t.rows]
    titles = [row for t in texts for row in t.titles]
    actions = {key: keys for t in texts for key, keys in t.actions.items()}
    others = sorted(f"<{row['plan'].value}>" for row in store.query(PLANS_WITH_ITEMS)
                    if isinstance(row["plan"], ox.NamedNode) and row["plan"].value not in covered)
    if others:
        rows += _rows(store, with_value_list(PLAN_TEXTS, "plan", others))
        titles += _titles(store, with_value_list(TITLES, "plan", others))
        actions.update(_actions(store, with_value_list(ACTIONS, "plan", others)))
    return rows, titles, actions


def _create(db: sqlite3.Connection) -> None:
    # items: one row per item and the plan whose texts hold it, with the sort keys `search` reads
    # (its names: how many and the least; the titles of the plans it is listed with: how many and
    # the least) and, for an action, those `search-actions` reads (its plan's titles, its source
    # lines); texts: every text the questions read, the item's name marked; words: the trigram
    # index of the texts (external content, so a match gives row ids alone: joins by whole numbers,
    # not IRIs); titles: each (item, plan, title), by plan, for a replace to know which items'
    # titles it changes.
    db.executescript(f"""
        CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, item TEXT NOT NULL, plan TEXT,
            names INTEGER NOT NULL, label TEXT, titles INTEGER NOT NULL DEFAULT 0, title TEXT,
            plan_titles INTEGER NOT NULL DEFAULT 0, plan_title TEXT, lines INTEGER NOT NULL DEFAULT 0, line INTEGER);
        CREATE INDEX IF NOT EXISTS items_item ON items (item);
        CREATE INDEX IF NOT EXISTS items_plan ON items (plan);
        CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, item INTEGER NOT NULL REFERENCES items, name INTEGER NOT NULL,
            text TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS texts_item ON texts (item);
        CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(text, content = 'texts', content_rowid = 'id',
            tokenize = 'trigram case_sensitive 1');
        CREATE TABLE IF NOT EXISTS titles (item TEXT NOT NULL, plan TEXT NOT NULL, title TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS titles_item ON titles (item);
        CREATE INDEX IF NOT EXISTS titles_plan ON titles (plan);
        PRAGMA user_version = {VERSION};""")


def _version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def _forget(db: sqlite3.Connection, plan: str) -> set[str]:
    """Take out a plan's items and texts, and the organisations and duties (which a plan can
    declare), and the titles the plan gives; returns the items those titles were given to."""
    scope = f"plan = ? OR plan IS NULL AND kind IN ({','.join('?' * len(DECLARABLE))})"
    gone = f"SELECT id FROM items WHERE {scope}"
    # an external-content index forgets a text when told the text it indexed
    db.execute(f"INSERT INTO words (words, rowid, text) SELECT 'delete', id, text FROM texts WHERE item IN ({gone})", (plan, *DECLARABLE))
    db.execute(f"DELETE FROM texts WHERE item IN ({gone})", (plan, *DECLARABLE))
    db.execute(f"DELETE FROM items WHERE {scope}", (plan, *DECLARABLE))
    titled = {item for (item,) in db.execute("SELECT item FROM titles WHERE plan = ?", (plan,))}
    db.execute("DELETE FROM titles WHERE plan = ?", (plan,))
    return titled


NO_KEYS = (0, None, 0, None)  # an item that is no plan's action: no plan titles or source lines


def _add(db: sqlite3.Connection, fresh, actions: dict) -> set[str]:
    """Index these texts (from `_rows`): their items, with each item's names and, for an action of
    a plan, its keys from `_actions`; then the texts. Returns the items' IRIs."""
    first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM items").fetchone()[0]
    items: dict[tuple, list] = {}  # (kind, item, plan) -> [id, how many names, the least name]
    texts = []
    for text, kind, item, plan, name in fresh:
        entry = items.setdefault((kind, item, plan), [first + len(items), 0, None])
        if name is not None:
            entry[1] += 1
            entry[2] = name if entry[2] is None else min(entry[2], name)
        texts.append((entry[0], int(name is not None), text))
    db.executemany("INSERT INTO items (id, kind, item, plan, names, label, plan_titles, plan_title, lines, line)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   ((i, kind, item, plan, names, label, *(actions.get((item, plan), NO_KEYS) if kind == "action" else NO_KEYS))
                    for (kind, item, plan), (i, names, label) in items.items()))
    after = db.execute("SELECT COALESCE(MAX(id), 0) FROM texts").fetchone()[0]
    db.executemany("INSERT INTO texts (item, name, text) VALUES (?, ?, ?)", texts)
    db.execute("INSERT INTO words (rowid, text) SELECT id, text FROM texts WHERE id > ?", (after,))
    return {item for _, item, _ in items}


def _retitle(db: sqlite3.Connection, items: set[str] | None) -> None:
    """Each item's title keys from the titles table: for these items (IRIs), or for all."""
    keys = ("titles = (SELECT COUNT(*) FROM titles WHERE titles.item = items.item),"
            " title = (SELECT MIN(title) FROM titles WHERE titles.item = items.item)")
    if items is None:
        db.execute(f"UPDATE items SET {keys}")
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS retitled (item TEXT PRIMARY KEY)")
    db.execute("DELETE FROM retitled")
    db.executemany("INSERT OR IGNORE INTO retitled VALUES (?)", ((item,) for item in items))
    db.execute(f"UPDATE items SET {keys} WHERE items.item IN (SELECT retitled.item FROM retitled)")


def write(store, build: Path, previous: Path | None = None, plan: str | None = None,
          texts: list[Texts] | None = None) -> Path | None:
    """Write the index of the new build `build` (its store open as `store`): from the previous
    build's index, updated for `plan` (an IRI), when both are given; else in full, starting from
    `texts` when a build's workers read them. A failure costs only the index (the search questions
    then run over everything) and is logged."""
    target = path_for(build)
    try:
        target, incremental = beside.start(build, SUFFIX, previous, plan)
        if incremental and _version(target) != VERSION:  # an index of an earlier layout: written anew
            target.unlink()
            incremental = False
        with sqlite3.connect(target) as db:
            _create(db)
            if incremental:  # the plan's texts, and the organisations and duties it may declare
                titled = _forget(db, plan)
                fresh = [*_rows(store, with_value_list(PLAN_TEXTS, "plan", [f"<{plan}>"])), *_rows(store, SHARED_TEXTS)]
                titles = _titles(store, with_value_list(TITLES, "plan", [f"<{plan}>"]))
                actions = _actions(store, with_value_list(ACTIONS, "plan", [f"<{plan}>"]))
            else:
                titled = None
                fresh, titles, actions = _full(store, texts)
                fresh += [*_rows(store, SHARED_TEXTS), *_rows(store, UNPLANNED_TEXTS)]
            db.executemany("INSERT INTO titles (item, plan, title) VALUES (?, ?, ?)", titles)
            added = _add(db, fresh, actions)
            # the items indexed now, and every item whose titles the plan gave or gives
            _retitle(db, None if titled is None else titled | added | {item for item, _, _ in titles})
        db.close()
        return target
    except (sqlite3.Error, OSError) as err:
        log.warning("text index %s not written: %s (search runs without it)", target, err)
        target.unlink(missing_ok=True)
        return None


def _matching(needle: str, kinds: tuple[str, ...], columns: str, group: str, limit: int) -> tuple[str, tuple]:
    """The SQL (and its parameters) of the indexed texts containing `needle` (lower-cased), each
    joined to its item (`texts` and `items`), of these kinds."""
    marks = ",".join("?" * len(kinds))
    if len(needle) >= 3:  # the trigram index answers a phrase; instr() keeps it an exact substring test
        phrase = '"' + needle.replace('"', '""') + '"'
        source, match, parameters = "words JOIN texts ON texts.id = words.rowid", "words MATCH ? AND ", (phrase,)
    else:  # too short for a trigram: a scan of the texts, still faster than the store's
        source, match, parameters = "texts", "", ()
    return (f"SELECT {columns} FROM {source} JOIN items ON items.id = texts.item"
            f" WHERE {match}instr(texts.text, ?) > 0 AND items.kind IN ({marks}) {group} LIMIT {limit}", (*parameters, needle, *kinds))


def _read(build: Path, sql: str, parameters: tuple) -> list[tuple] | None:
    index = path_for(build)
    if not index.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:  # written by an earlier release: the next build's is read
                return None
            return db.execute(sql, parameters).fetchall()
        finally:
            db.close()
    except sqlite3.Error as err:
        log.warning("text index %s: %s (search runs without it)", index, err)
        return None


def candidates(build: Path, text: str, kinds: tuple[str, ...]) -> list[str] | None:
    """Items of these kinds with a text containing `text` (any case), or None when the index cannot
    say (no index, or more than MAX_CANDIDATES)."""
    found = _read(build, *_matching(text.lower(), kinds, "DISTINCT items.item", "", MAX_CANDIDATES + 1))
    return None if found is None or len(found) > MAX_CANDIDATES else sorted(item for (item,) in found)


class Hit(NamedTuple):
    """A matching item, as `ordered` reads it from the index."""
    kind: str
    item: str
    in_name: int  # whether the text was found in its name
    names: int
    label: str | None
    titles: int  # the titles of the plans `search` lists it with
    title: str | None
    plan: str | None  # the plan whose texts hold it (an action's csp:actionOf)
    plan_titles: int  # that plan's titles, for `search-actions`
    plan_title: str | None
    lines: int  # an action's source lines
    line: int | None


def _search_key(hit: Hit) -> tuple | None:
    """search.rq's ORDER BY: the kind (actions first), found in the name before found only in the
    rest of the wording, the plan's title (none first), the label, the item. Oxigraph compares
    strings by code point, as Python does. None for an item the question would list more than
    once or under the least of several names."""
    if hit.names > 1 or hit.titles > 1:
        return None
    return _KIND_RANK[hit.kind], 1 if hit.in_name else 2, hit.title is not None, hit.title or "", hit.label, hit.item


def _search_actions_key(hit: Hit) -> tuple | None:
    """search-actions.rq's ORDER BY: the plan's title, the plan, the source line (a number; none
    first), the action. None for an action the question would list more than once, or whose source
    line is not one xsd:integer."""
    if hit.names > 1 or hit.plan_titles > 1 or hit.lines > 1 or (hit.lines == 1 and hit.line is None):
        return None
    return hit.plan_title, hit.plan, hit.line is not None, hit.line or 0, hit.item


# The questions whose order `ordered` gives: what an item needs to be listed, and its sort key.
ORDERS = {"search": (lambda hit: hit.names > 0, _search_key),
          "search-actions": (lambda hit: hit.names > 0 and hit.plan is not None and hit.plan_titles > 0, _search_actions_key)}


def ordered(build: Path, text: str, question: str) -> list[tuple[str, str]] | None:
    """(kind, item) of every item the question (one of ORDERS) lists for `text`, in its order;
    None when the index cannot say (no index, more than MAX_ORDERED matches, or an item the
    question would list more than once, or under the least of several names)."""
    listed, key = ORDERS[question]
    found = _read(build, *_matching(text.lower(), SERVES[question][1],
                                    "items.kind, items.item, MAX(texts.name), items.names, items.label, items.titles, items.title,"
                                    " items.plan, items.plan_titles, items.plan_title, items.lines, items.line",
                                    "GROUP BY items.id", MAX_ORDERED + 1))
    if found is None or len(found) > MAX_ORDERED:
        return None
    hits = [hit for hit in map(Hit._make, found) if listed(hit)]
    keys = [key(hit) for hit in hits]
    if None in keys or len({(hit.kind, hit.item) for hit in hits}) < len(hits):  # irregular, or an item in two plans' texts
        return None
    return [(hit.kind, hit.item) for _, hit in sorted(zip(keys, hits), key=lambda pair: pair[0])]


def remove(build: Path) -> None:
    path_for(build).unlink(missing_ok=True)
