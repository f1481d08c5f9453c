"""A full-text index of the words the search questions read, kept with each embedded build.

`search` and `search-actions` find items whose wording contains a piece of text. In SPARQL that
is a CONTAINS over every action, priority, organisation and duty: at national size, seconds. The
index is an SQLite FTS5 table (trigram tokenizer: it finds any substring of three or more
characters) holding, per item, each of the texts those questions read, lower-cased as SPARQL's
LCASE does. It is written beside the build (`build-....search.sqlite`) when the build is
committed: in full by a build, and by a replace or withdrawal for its one plan (its actions and
priorities, and the organisations and duties, which a plan can declare; actions and priorities tied
to no plan are reference data, which only a build changes).

The index only narrows: the question is still run as written, with its items limited to the
candidates the index finds (a VALUES block, `sparqltext.with_value_list`), so its answer is the
SPARQL answer by construction as long as the candidates include every match; tests check that
they do. With no index (a remote store, an older build, SQLite without FTS5) or too many
candidates, the question runs over everything, as before.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from . import beside
from ..answers.sparqltext import with_value_list

log = logging.getLogger(__name__)

SUFFIX = ".search.sqlite"
MAX_CANDIDATES = 5000  # past this, a VALUES block costs more than the scan it saves
# The questions the index serves: the variable their items are in, and the kinds of item they read.
SERVES = {"search": ("item", ("action", "priority", "agency", "duty")), "search-actions": ("action", ("action",))}
PLAN_TEXTS = Path(__file__).with_name("textindex-plan.rq").read_text(encoding="utf-8")
SHARED_TEXTS = Path(__file__).with_name("textindex-shared.rq").read_text(encoding="utf-8")
UNPLANNED_TEXTS = Path(__file__).with_name("textindex-unplanned.rq").read_text(encoding="utf-8")
DECLARABLE = ("agency", "duty")  # the kinds of SHARED_TEXTS: what a plan file can declare


def path_for(build: Path) -> Path:
    return beside.path_for(build, SUFFIX)


def _rows(store, query: str):
    """(kind, item, plan, text) for each row of one of the extraction queries, the text lower-cased
    as SPARQL's LCASE does (both follow Unicode's default case mapping)."""
    for row in store.query(query):
        plan = row["plan"]
        yield row["kind"].value, row["item"].value, plan.value if plan is not None else None, row["text"].value.lower()


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(text, kind UNINDEXED, item UNINDEXED, plan UNINDEXED,"
               " tokenize = 'trigram case_sensitive 1')")


def write(store, build: Path, previous: Path | None = None, plan: str | None = None) -> Path | None:
    """Write the index of the new build `build` (its store open as `store`): from the previous
    build's index, updated for `plan` (an IRI), when both are given; else in full. A failure costs
    only the index (the search questions then run over everything) and is logged."""
    target = path_for(build)
    try:
        target, incremental = beside.start(build, SUFFIX, previous, plan)
        with sqlite3.connect(target) as db:
            _create(db)
            if incremental:  # the plan's texts, and the organisations and duties it may declare
                db.execute(f"DELETE FROM words WHERE plan = ? OR plan IS NULL AND kind IN ({','.join('?' * len(DECLARABLE))})",
                           (plan, *DECLARABLE))
                fresh = [*_rows(store, with_value_list(PLAN_TEXTS, "plan", [f"<{plan}>"])), *_rows(store, SHARED_TEXTS)]
            else:
                fresh = [*_rows(store, PLAN_TEXTS), *_rows(store, SHARED_TEXTS), *_rows(store, UNPLANNED_TEXTS)]
            db.executemany("INSERT INTO words (kind, item, plan, text) VALUES (?, ?, ?, ?)", fresh)
        db.close()
        return target
    except (sqlite3.Error, OSError) as err:
        log.warning("text index %s not written: %s (search runs without it)", target, err)
        target.unlink(missing_ok=True)
        return None


def candidates(build: Path, text: str, kinds: tuple[str, ...]) -> list[str] | None:
    """Items of these kinds with a text containing `text` (any case), or None when the index cannot
    say (no index, or more than MAX_CANDIDATES)."""
    index = path_for(build)
    if not index.exists():
        return None
    needle = text.lower()
    marks = ",".join("?" * len(kinds))
    try:
        db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            if len(needle) >= 3:  # the trigram index answers a phrase; instr() keeps it an exact substring test
                phrase = '"' + needle.replace('"', '""') + '"'
                found = db.execute(f"SELECT DISTINCT item FROM words WHERE words MATCH ? AND instr(text, ?) > 0 AND kind IN ({marks})"
                                   f" LIMIT {MAX_CANDIDATES + 1}", (phrase, needle, *kinds)).fetchall()
            else:  # too short for a trigram: a scan of the index, still faster than the store's
                found = db.execute(f"SELECT DISTINCT item FROM words WHERE instr(text, ?) > 0 AND kind IN ({marks})"
                                   f" LIMIT {MAX_CANDIDATES + 1}", (needle, *kinds)).fetchall()
        finally:
            db.close()
    except sqlite3.Error as err:
        log.warning("text index %s: %s (search runs without it)", index, err)
        return None
    return None if len(found) > MAX_CANDIDATES else sorted(item for (item,) in found)


def remove(build: Path) -> None:
    path_for(build).unlink(missing_ok=True)
