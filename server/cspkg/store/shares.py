"""A national answer added up from each plan's share, for a question whose every row adds up over
many plans (`precomputed: shares`): `agency-workload`.

Each of its rows is an organisation, and counts that organisation's actions in every plan that names
it: the largest is named by about 400 of 2,000 plans at 3M quads. So no unit holds one plan's share
of the rows (store/precomputed.py's units), and running the question again after every change
costs 0.7 s. But its counts add up over plans (an action is in one plan), and its lists are the
union of each plan's. So a build keeps each plan's share (queries/plan-shares/<name>.rq, run once
for every plan: 1.6 s at 3M), a replace asks that query again for the one plan it changed (2-4 ms)
and the answer is added up from the shares here:

- leads, supports: the sum of each plan's; viaRow: leads less those led by the organisation itself;
- partnershipCount: how many partnerships the plans that name it belong to;
- partnerships, namedAs: the labels of those partnerships and of the teams and posts it is named
  as, distinct, in the order Oxigraph orders them, joined as the question joins them.

The labels are read from the store each time, as the question reads them (an area's labels can
change without the plan changing). What a share records that another plan's data can change is
which organisation a team or post belongs to (reference data): when that differs from what the
shares were computed with, every plan's share is computed again. The rows are then ordered by the
question's own ORDER BY and written as SPARQL TSV by Oxigraph (a VALUES query), so the bytes are
those the question gives: tests/test_precomputed.py compares them after a build and after replaces.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pyoxigraph as ox

from . import every_value
from ..answers.catalogue import QUERIES_DIR, SHARES_FOLDER, CannedQuery
from ..answers.sparqltext import term_text, with_value_list

SHARES_DIR = QUERIES_DIR / SHARES_FOLDER
TSV = ox.QueryResultsFormat.TSV
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# which organisation each team or post belongs to, at the top: what a share depends on beyond its plan
# (in order: compared as bytes with what the shares were computed with, by whichever store read it)
BELONGING = ("PREFIX org: <http://www.w3.org/ns/org#> SELECT ?name ?top WHERE {"
             " ?name (org:unitOf|org:postIn)+ ?top FILTER NOT EXISTS { ?top org:unitOf|org:postIn ?above } } ORDER BY ?name ?top")
# the question's columns, as the add-up gives them
COLUMNS = ("agency", "agencyLabel", "leads", "viaRow", "supports", "partnershipCount", "partnerships", "namedAs")


def companion(query: CannedQuery) -> str | None:
    """The text of the query giving each plan's share of `query`'s answer, if any."""
    path = SHARES_DIR / f"{query.name}.rq"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def create(db: sqlite3.Connection) -> None:
    # one row per plan and organisation: its counts there, and the teams and posts of it named
    db.execute("CREATE TABLE IF NOT EXISTS shares (question TEXT NOT NULL, plan TEXT NOT NULL, agency TEXT NOT NULL,"
               " leads INTEGER NOT NULL, led_itself INTEGER NOT NULL, supports INTEGER NOT NULL, named TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS shares_by_plan ON shares (question, plan)")
    db.execute("CREATE TABLE IF NOT EXISTS share_partnerships (question TEXT NOT NULL, plan TEXT NOT NULL, partnership TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS share_partnerships_by_plan ON share_partnerships (question, plan)")
    # what the shares were computed with (BELONGING's answer)
    db.execute("CREATE TABLE IF NOT EXISTS share_basis (question TEXT PRIMARY KEY, belonging BLOB NOT NULL)")


def forget(db: sqlite3.Connection, name: str) -> None:
    for table in ("shares", "share_partnerships", "share_basis"):
        db.execute(f"DELETE FROM {table} WHERE question = ?", (name,))


def belonging(store) -> bytes:
    return store.query(BELONGING).serialize(format=TSV)


def up_to_date(db: sqlite3.Connection, name: str, basis: bytes) -> bool:
    """Whether the kept shares were computed with this belonging of teams and posts."""
    found = db.execute("SELECT belonging FROM share_basis WHERE question = ?", (name,)).fetchone()
    return found is not None and found[0] == basis


def ask(store, text: str, plan: str | None = None) -> list[tuple]:
    """Each plan's share (every plan's, or one plan's), as rows of terms: run on a pool thread."""
    if plan is not None:
        text = with_value_list(text, "plan", [f"<{plan}>"])
    names = ("plan", "agency", "leads", "ledItself", "supports", "named", "partnership")
    return [tuple(s[n] for n in names) for s in store.query(text)]


def keep(db: sqlite3.Connection, name: str, rows: list[tuple], basis: bytes, plan: str | None = None) -> None:
    """Record the shares `ask` gave: every plan's (the others are dropped), or one plan's."""
    if plan is None:
        forget(db, name)
    else:
        for table in ("shares", "share_partnerships"):
            db.execute(f"DELETE FROM {table} WHERE question = ? AND plan = ?", (name, plan))
    counts, partnerships = [], []
    for p, agency, leads, led_itself, supports, named, partnership in rows:
        if agency is not None:
            counts.append((name, p.value, agency.value, int(leads.value), int(led_itself.value), int(supports.value), "" if named is None else named.value))
        elif partnership is not None:
            partnerships.append((name, p.value, partnership.value))
    db.executemany("INSERT INTO shares VALUES (?, ?, ?, ?, ?, ?, ?)", counts)
    db.executemany("INSERT INTO share_partnerships VALUES (?, ?, ?)", partnerships)
    db.execute("INSERT OR REPLACE INTO share_basis VALUES (?, ?)", (name, basis))


def answer(db: sqlite3.Connection, store, query: CannedQuery, order: tuple) -> bytes:
    """The question's answer (SPARQL TSV) added up from the kept shares; `order` is its ORDER BY
    (prologue, clause, variables)."""
    name = query.name
    totals = db.execute("SELECT agency, SUM(leads), SUM(led_itself), SUM(supports) FROM shares WHERE question = ? GROUP BY agency",
                        (name,)).fetchall()
    named: dict[str, set[str]] = defaultdict(set)
    for agency, parts in db.execute("SELECT agency, named FROM shares WHERE question = ? AND named != ''", (name,)):
        named[agency].update(p for p in parts.split(" ") if p)  # IRIs, which hold no space
    among: dict[str, set[str]] = defaultdict(set)
    for agency, partnership in db.execute("SELECT DISTINCT s.agency, p.partnership FROM shares s JOIN share_partnerships p"
                                          " ON p.question = s.question AND p.plan = s.plan WHERE s.question = ?", (name,)):
        among[agency].add(partnership)
    labels = _labels(store, {a for a, *_ in totals} | {i for s in named.values() for i in s} | {i for s in among.values() for i in s})
    rank = _ranks(order[0], {label for found in labels.values() for label in found})
    rows = []
    for agency, leads, led_itself, supports in totals:
        listed = [_joined(labels, rank, among[agency]), _joined(labels, rank, named[agency])]
        for label in labels.get(agency, []):  # one row per label, as the question's join gives
            rows.append((ox.NamedNode(agency), label, _integer(leads), _integer(leads - led_itself), _integer(supports),
                         _integer(len(among[agency])), *listed))
    return _ordered_tsv(order, rows)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=INTEGER)


def _labels(store, iris: set[str]) -> dict[str, list[ox.Literal]]:
    """Each IRI's skos:prefLabel values, as many as the question's join gives."""
    if not iris:
        return {}
    text = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {' '.join(f'<{i}>' for i in sorted(iris))} }} ?s <{LABEL}> ?label }}"
    out: dict[str, list] = defaultdict(list)
    for s in store.query(text):
        out[s["s"].value].append(s["label"])
    return out


def _ranks(prologue: str, labels: set) -> dict:
    """Each label's place in the order Oxigraph sorts them (the question's ORDER BY of a label)."""
    first = sorted(labels, key=lambda t: (t.value, t.language or ""))  # a first order, for a stable VALUES block
    return {first[i]: place for place, i in enumerate(every_value.ordered(prologue, "?label", ("label",), [(t,) for t in first]))}


def _joined(labels: dict, rank: dict, iris: set[str]) -> ox.Literal | None:
    """The distinct labels of these IRIs, in order, joined as the question's GROUP_CONCAT joins
    them (as English); None (unbound) when there are none."""
    found = sorted({label for i in iris for label in labels.get(i, [])}, key=rank.__getitem__)  # distinct terms
    return ox.Literal("; ".join(label.value for label in found), language="en") if found else None


def _ordered_tsv(order: tuple, rows: list[tuple]) -> bytes:
    """The rows in the order the question's clause gives, written by Oxigraph as SPARQL TSV."""
    prologue, clause, _ = order
    columns = " ".join("?" + c for c in COLUMNS)
    values = " ".join("(" + " ".join("UNDEF" if t is None else term_text(t) for t in row) + ")" for row in rows)
    text = f"{prologue}SELECT {columns} WHERE {{ VALUES ({columns}) {{ {values} }} }} ORDER BY {clause}"
    return ox.Store().query(text).serialize(format=TSV)
