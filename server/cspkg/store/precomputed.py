"""National answers kept beside each embedded build: computed when the data change, not when asked.

A national question that reads the roll-ups still reads every plan's rows, and Oxigraph reads a
triple pattern in about 5-10 µs: at 2,000 plans `duties-without-funded-actions` is 16,000 rows of
nine columns, over a second. So a canned question whose header says `precomputed: <variable>` is
run when a build is committed, and its answer is kept as Oxigraph wrote it (SPARQL TSV) in an
SQLite file beside the build (`build-....answers.sqlite`). The query process serves a request for
it from there (answers/runner_child.py), read back and written in the format asked for by
Oxigraph's own results parser and writer, so the bytes are those the query itself gives.

The variable names the question's unit: the plan for a question answered plan by plan, the
partnership for one added up by partnership. A build writes every answer in full. A replace,
upload, withdrawal or return import (one changed plan) rewrites only the units that plan is in,
before the change and after it: their rows are the question run with the unit limited to them
(a VALUES block, the same text otherwise), and each is put where the question's own ORDER BY puts
it among the others, by a binary search whose every step is Oxigraph ordering two first rows by
that clause (a VALUES query), so the order is the engine's, not a copy of it. So a replace writes
a few units, not the whole answer: the rows are kept by unit only (the answer is their
concatenation in order of position). This holds when a unit's rows are contiguous in the answer,
which the full write checks: a question whose answer interleaves units is kept whole and rewritten
in full instead, as it is when the clause cannot be read.

A question with one required parameter, an IRI of a known kind (`actions-for-duty`'s duty), is
kept for each thing of that kind in the build, one answer per value, each kept by unit as above: a
replace rewrites the plan's rows in each (the question with the value written in and the plan as a
VALUES block, a few milliseconds each when every subquery projects the plan). Where a query answers
every value at once (queries/every-value/<name>.rq, store/every_value.py), a build runs it once
instead of the question once per value, and a replace runs it once for the units the plan is in.

A question whose every row adds up over many plans (`precomputed: shares`: `agency-workload`, an
organisation's actions in every plan naming it) is kept as each plan's share beside the answer,
and added up again after a change from the shares with the changed plan's asked again
(store/shares.py).

Nothing here decides what an answer is: a missing or unreadable file, or a question not kept,
means the question is run as written, as before. tests/test_precomputed.py checks that each kept
answer equals the question run over the store, after a build and after a replace.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from . import beside, every_value, shares
from ..answers.catalogue import PRECOMPUTED, QUERIES_DIR, CannedQuery, catalogue, members, prepared
from ..answers.sparqllex import VAR, WORD, tokenize
from ..answers.sparqltext import substitute, term_text, with_value_list

log = logging.getLogger(__name__)

SUFFIX = ".answers.sqlite"
TSV = ox.QueryResultsFormat.TSV
# The units an answer can be kept by: what a plan's rows fall in. A plan's rows are the plan's own
# unit; a partnership's rows are those of the plans that name it as their partnership.
UNITS = {"plan": None, "partnership": "https://w3id.org/cspkg/def/partnership"}
# `precomputed: whole`: an answer whose rows each add up over many plans (a duty's plans and
# actions), so no unit holds one plan's share. It is kept whole and run again in full after every
# change, beside the other writes: only for a question that runs in a tenth of a second or so, as
# every replace waits for it.
WHOLE = "whole"
# `precomputed: shares`: an answer whose rows add up over many plans, added up from each plan's share
# (store/shares.py) kept beside it: a replace asks the changed plan's share again, not the question.
SHARES = "shares"


def path_for(build: Path) -> Path:
    return beside.path_for(build, SUFFIX)


_read: dict[tuple, dict[str, CannedQuery]] = {}  # the catalogue as last read, by its files' names and times


def kept_questions(queries: dict[str, CannedQuery] | None = None) -> dict[str, CannedQuery]:
    """The canned questions whose answers are kept: a `precomputed` header naming a unit, and no
    required parameter (the answer kept is the one asked with none given) or one kept by value.
    The catalogue is read again only when a query file changed (reading its YAML headers costs a
    fifth of a second)."""
    if queries is None:
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(QUERIES_DIR.glob("*.rq")))
        if stamp not in _read:
            _read.clear()
            _read[stamp] = catalogue()
        queries = _read[stamp]
    return {name: q for name, q in queries.items()
            if q.precomputed in PRECOMPUTED and (q.kept_by_value or not any(p.required for p in q.params))}


@dataclass(frozen=True)
class Kept:
    """One kept answer: a kept question asked with no value, or with one value of its kind."""
    key: str  # the question's name, or "name parameter=IRI"
    query: CannedQuery
    bound: tuple = ()  # ((variable, term),): the value written into the question
    every: str | None = None  # the query answering every value at once (every_value), if any
    shares: str | None = None  # the query giving each plan's share of the answer (shares), if kept so

    @property
    def text(self) -> str:
        return prepared(self.query, dict(self.bound))

    @property
    def source(self) -> str:
        """What the kept answer is of: the question's text, and the query that answers every value
        when there is one (either changed, the answer is written again)."""
        if self.shares is not None:
            return f"{self.text}\n# each plan's share:\n{self.shares}"
        return self.text if self.every is None else f"{self.text}\n# every value:\n{self.every}"

    def limited(self, unit: str, units: list[str]) -> str:
        """The text with `unit` limited to these IRIs (a VALUES block), the value then written in:
        the same text as the other way round, but the question's own text is read (tokenized) once
        for all its values, not once per value."""
        return substitute(with_value_list(self.query.text, unit, [f"<{u}>" for u in units]),
                          {var: term_text(term) for var, term in self.bound})


def key(query: CannedQuery, bound: dict) -> str | None:
    """The key under which a build keeps the answer to `query` asked with `bound` (variable ->
    term, as catalogue.bind gives), or None when no answer is kept for it: a kept question asked
    with no value, or one kept by value asked with that value only."""
    if not query.precomputed:
        return None
    param = query.kept_by_value
    if param is None:
        return None if bound or any(p.required for p in query.params) else query.name
    value = bound.get(param.var)
    if set(bound) != {param.var} or not isinstance(value, ox.NamedNode):
        return None
    return f"{query.name} {param.name}={value.value}"


def kept_answers(store, queries: dict[str, CannedQuery] | None = None) -> dict[str, Kept]:
    """Every answer a build of this store keeps, by key: each kept question's, and for a question
    kept by value one for each thing of its kind in the store."""
    out = {}
    for name, query in kept_questions(queries).items():
        param = query.kept_by_value
        if param is None:
            out[name] = Kept(name, query, shares=shares.companion(query) if query.precomputed == SHARES else None)
            continue
        every = every_value.companion(query)
        for iri in members(store, param.kind[1]):
            bound = {param.var: ox.NamedNode(iri)}
            named = key(query, bound)
            out[named] = Kept(named, query, tuple(bound.items()), every)
    return out


# -- reading (the query process) ------------------------------------------------------------------

def read(build: Path, question: str, offset: int = 0, limit: int | None = None, units: list[str] | None = None,
         where: tuple[str, str] | None = None) -> bytes | None:
    """The kept answer (SPARQL TSV) of `question` in this build, rows offset..offset+limit; None
    when the build keeps none. With `units` (IRIs of the question's unit: plans, for a question kept
    by plan), an answer kept by unit gives only those units' rows, in the answer's order; an answer
    kept whole is given whole, so the reader keeps the rows it wants. With `where` (a column and an
    IRI), only the rows whose cell in that column is that IRI (`matching`)."""
    index = path_for(build)
    if not index.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            found = db.execute("SELECT head, body FROM answers WHERE question = ?", (question,)).fetchone()
            if found is not None and found[1] is None:  # kept by unit: the units' rows (those asked for) in order
                among = ""
                if units is not None:
                    db.execute("CREATE TEMP TABLE wanted (unit TEXT PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(u,) for u in units])
                    among = " JOIN wanted USING (unit)"
                lines = db.execute(f"SELECT lines FROM units{among} WHERE question = ? ORDER BY position", (question,)).fetchall()
                found = (found[0], b"".join(chunk for (chunk,) in lines))
        finally:
            db.close()
    except sqlite3.Error as err:
        log.warning("kept answers %s: %s (the question runs as written)", index, err)
        return None
    if found is None:
        return None
    head, rows = found
    if where is not None:
        rows = matching(head, rows, *where)
    if offset == 0 and limit is None:
        return head + b"\n" + rows
    lines = rows.split(b"\n")[:-1]  # every row ends with a line break (literals' are escaped)
    chosen = lines[offset:] if limit is None else lines[offset:offset + limit]
    return head + b"\n" + b"".join(line + b"\n" for line in chosen)


def matching(head: bytes, rows: bytes, column: str, iri: str) -> bytes:
    """The rows (TSV lines) whose cell in `column` is the IRI `iri`: a TSV cell holds no tab and
    Oxigraph writes an IRI as <...>, so each row's cells are split and the cell compared whole. A
    page wanting one duty's rows of a national answer then reads 200 rows, not 3,000. Every row
    when the answer has no such column (the reader keeps the rows it wants, as without `where`)."""
    names = [name[1:] for name in head.decode("utf-8").split("\t")]
    if column not in names:
        return rows
    at, wanted = names.index(column), f"<{iri}>".encode("utf-8")
    return b"".join(line + b"\n" for line in rows.split(b"\n")[:-1] if line.split(b"\t")[at] == wanted)


# -- writing (a build or a change being committed) --------------------------------------------------

def _create(db: sqlite3.Connection) -> None:
    # `source`: the text the answer is of (a question whose text changed since is written again);
    # `head`: the header line; `body`: the rows, or NULL when they are kept by unit (below)
    db.execute("CREATE TABLE IF NOT EXISTS answers (question TEXT PRIMARY KEY, source TEXT NOT NULL, head BLOB NOT NULL, body BLOB)")
    # each unit's rows, ordered by `position`: a change rewrites only its units, placed between
    # their neighbours (a position halfway; the positions are spread out again when no gap is left)
    db.execute("CREATE TABLE IF NOT EXISTS units (question TEXT NOT NULL, position REAL NOT NULL, unit TEXT NOT NULL,"
               " lines BLOB NOT NULL, PRIMARY KEY (question, unit))")
    db.execute("CREATE INDEX IF NOT EXISTS units_in_order ON units (question, position)")
    # which units each plan's rows fall in, for a question whose unit is not the plan
    db.execute("CREATE TABLE IF NOT EXISTS plan_units (question TEXT NOT NULL, plan TEXT NOT NULL, unit TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS plan_units_by_plan ON plan_units (question, plan)")
    shares.create(db)


SPACING = 1024.0  # between positions of a full write: room for ten insertions between two units


def _run(store, text: str) -> bytes:
    return store.query(text).serialize(format=TSV)


def _blocks(body: bytes, unit: str) -> list[tuple[str, bytes]] | None:
    """The answer's rows as (unit IRI, its lines) in answer order; None when a unit's rows are not
    contiguous or the unit is not an IRI in every row."""
    head, _, rows = body.partition(b"\n")
    lines = rows.split(b"\n")[:-1]
    solutions = ox.parse_query_results(body, format=TSV)
    out: list[tuple[str, list[bytes]]] = []
    seen = set()
    for line, solution in zip(lines, solutions):
        term = solution[unit]
        if not isinstance(term, ox.NamedNode):
            return None
        if out and out[-1][0] == term.value:
            out[-1][1].append(line)
            continue
        if term.value in seen:
            return None
        seen.add(term.value)
        out.append((term.value, [line]))
    return [(u, b"".join(line + b"\n" for line in ls)) for u, ls in out]


@cache
def _order_clause(text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(prologue, ORDER BY clause, variables it reads) of the query's top level, read from its
    tokens; None when it has none, or reads no variable. Cached: a replace reads it for each value
    of a question kept by value, all of one text."""
    tokens = tokenize(text)
    toks = tokens.tokens
    select = next((i for i, t in enumerate(toks) if t.depth == 0 and t.kind == WORD and t.value == "SELECT"), None)
    start = next((i for i, t in enumerate(toks) if t.depth == 0 and t.kind == WORD and t.value == "ORDER"
                  and i + 1 < len(toks) and toks[i + 1].kind == WORD and toks[i + 1].value == "BY"), None)
    if select is None or start is None:
        return None
    clause, names = [], []
    for t in toks[start + 2:]:
        if t.depth == 0 and t.kind == WORD and t.value in ("LIMIT", "OFFSET", "VALUES"):
            break
        if t.kind == VAR and t.value not in names:
            names.append(t.value)
        clause.append(t)
    if not names:
        return None
    original = tokens.original
    prologue = text[:original(toks[select].start)]
    return prologue, text[original(clause[0].start):original(clause[-1].end)], tuple(names)


def _precedes(prologue: str, clause: str, names: tuple[str, ...], first: ox.QuerySolution, second: ox.QuerySolution) -> bool | None:
    """Whether `first` comes before `second` in the order the clause gives, as Oxigraph orders
    them (a VALUES query of the two rows); a tie is not before. None when a row holds a blank
    node (VALUES cannot)."""
    rows = []
    for i, head in enumerate((first, second)):
        terms = [head[n] for n in names]
        if any(isinstance(t, ox.BlankNode) for t in terms):
            return None
        rows.append(f"({i} " + " ".join("UNDEF" if t is None else term_text(t) for t in terms) + ")")
    query = (f"{prologue}SELECT ?position WHERE {{ VALUES (?position {' '.join('?' + n for n in names)}) {{ {' '.join(rows)} }} }}"
             f" ORDER BY {clause} DESC(?position)")
    # ties come out second-first (DESC ?position), so `first` leads only if the clause puts it first
    return next(iter(ox.Store().query(query)))["position"].value == "0"


def _plan_units(store, unit: str, plan: str | None = None) -> list[tuple[str, str]]:
    """(plan, unit) for every plan, or one plan: the units its rows fall in (UNITS)."""
    where = f"VALUES ?plan {{ <{plan}> }} " if plan else ""
    text = f"SELECT DISTINCT ?plan ?unit WHERE {{ {where}?plan <{UNITS[unit]}> ?unit FILTER(isIRI(?unit)) }}"
    return [(s["plan"].value, s["unit"].value) for s in store.query(text)]


def _write_full(db: sqlite3.Connection, store, name: str, kept: Kept, body: bytes | None = None) -> None:
    """Keep the question's whole answer (`body`, when already run)."""
    unit = kept.query.precomputed
    body = _run(store, kept.text) if body is None else body
    head, _, rows = body.partition(b"\n")
    blocks = None if unit in (WHOLE, SHARES) else _blocks(body, unit)
    db.execute("INSERT INTO answers (question, source, head, body) VALUES (?, ?, ?, ?)",
               (name, kept.source, head, rows if blocks is None else None))
    if blocks is not None:
        db.executemany("INSERT INTO units (question, position, unit, lines) VALUES (?, ?, ?, ?)",
                       [(name, i * SPACING, u, lines) for i, (u, lines) in enumerate(blocks)])
    if UNITS.get(unit):  # a unit other than the plan: which units each plan's rows fall in
        db.executemany("INSERT INTO plan_units (question, plan, unit) VALUES (?, ?, ?)",
                       [(name, p, u) for p, u in _plan_units(store, unit)])


def _touched(db: sqlite3.Connection, store, name: str, kept: Kept, plan: str) -> list[str] | None:
    """The units `plan` is in, before the change and after it (for a unit other than the plan, the
    plan's units are recorded anew); None when the answer cannot be rewritten unit by unit (the full
    write found interleaved units, or there is no clause to order by)."""
    unit = kept.query.precomputed
    kept_by_unit = db.execute("SELECT body IS NULL FROM answers WHERE question = ?", (name,)).fetchone()
    if _order_clause(kept.query.text) is None or not kept_by_unit or not kept_by_unit[0]:
        return None
    if unit == "plan":
        return [plan]
    touched = {u for (u,) in db.execute("SELECT unit FROM plan_units WHERE question = ? AND plan = ?", (name, plan))}
    now = _plan_units(store, unit, plan)
    touched |= {u for _, u in now}
    db.execute("DELETE FROM plan_units WHERE question = ? AND plan = ?", (name, plan))
    db.executemany("INSERT INTO plan_units (question, plan, unit) VALUES (?, ?, ?)", [(name, p, u) for p, u in now])
    return sorted(touched)


def _ask_units(pool: ThreadPoolExecutor, store, kept: Kept, units: list[str], asked: dict):
    """Start computing these units' rows of the answer on the pool; gives a function that waits for
    them. The question limited to the units (a VALUES block); for a question with a query answering
    every value, that query limited to the units, run once for all of the question's values (kept in
    `asked`) and split by value."""
    unit = kept.query.precomputed
    if kept.every is None:
        future = pool.submit(_run, store, kept.limited(unit, units))
        return future.result
    ask = (kept.every, tuple(units))
    if ask not in asked:
        text = with_value_list(kept.every, unit, [f"<{u}>" for u in units])
        asked[ask] = pool.submit(lambda: _split(_run(store, text), kept))

    def rows() -> bytes:
        parts = asked[ask].result()
        if parts is None:  # the rows could not be split by value: the question for this value
            return _run(store, kept.limited(unit, units))
        return parts.get(_value(kept), parts[None])
    return rows


def _write_unit(db: sqlite3.Connection, store, name: str, kept: Kept, units: list[str], fresh_body: bytes) -> None:
    """Rewrite these units of the answer with their rows as the question now gives them
    (`fresh_body`), or the whole answer when they cannot be placed."""
    unit, order = kept.query.precomputed, _order_clause(kept.query.text)
    fresh = _blocks(fresh_body, unit)
    head = fresh_body.partition(b"\n")[0]
    if fresh is None or not set(order[2]) <= {v.decode()[1:] for v in head.split(b"\t")}:  # or ordered by a column not given
        _rewrite(db, store, name, kept)
        return
    db.executemany("DELETE FROM units WHERE question = ? AND unit = ?", [(name, u) for u in units])
    for u, lines in fresh:
        if not _place(db, name, head, order, u, lines):
            _rewrite(db, store, name, kept)
            return


def _place(db: sqlite3.Connection, name: str, head: bytes, order: tuple, unit: str, lines: bytes) -> bool:
    """Insert one unit's rows where the question's ORDER BY puts its first row among the units kept
    (a binary search, each step Oxigraph's comparison of two rows; after any units it ties with).
    False when a row cannot be compared."""
    kept = db.execute("SELECT position, unit, substr(lines, 1, instr(lines, x'0a') - 1) FROM units WHERE question = ? ORDER BY position",
                      (name,)).fetchall()

    def row(line: bytes) -> ox.QuerySolution:
        return next(iter(ox.parse_query_results(head + b"\n" + line + b"\n", format=TSV)))

    new = row(lines.partition(b"\n")[0])
    low, high = 0, len(kept)
    while low < high:  # the first kept unit the new one comes before
        middle = (low + high) // 2
        before = _precedes(*order, new, row(kept[middle][2]))
        if before is None:
            return False
        if before:
            high = middle
        else:
            low = middle + 1
    after = kept[low - 1][0] if low > 0 else (kept[0][0] - 2 * SPACING if kept else 0.0)
    ahead = kept[low][0] if low < len(kept) else after + 2 * SPACING
    position = (after + ahead) / 2
    if not after < position < ahead:  # no gap left: spread the positions out again
        db.executemany("UPDATE units SET position = ? WHERE question = ? AND unit = ?",
                       [(i * SPACING, name, u) for i, (_, u, _) in enumerate(kept)])
        return _place(db, name, head, order, unit, lines)
    db.execute("INSERT INTO units (question, position, unit, lines) VALUES (?, ?, ?, ?)", (name, position, unit, lines))
    return True


def _rewrite(db: sqlite3.Connection, store, name: str, kept: Kept, body: bytes | None = None) -> None:
    for table in ("answers", "units", "plan_units"):
        db.execute(f"DELETE FROM {table} WHERE question = ?", (name,))
    _write_full(db, store, name, kept, body)


def write(store, build: Path, previous: Path | None = None, plan: str | None = None) -> Path | None:
    """Keep the answers of the new build `build` (its store open as `store`): the previous build's,
    with the units of `plan` (an IRI) rewritten, when both are given; else each in full. A failure
    costs only the kept answers (the questions then run as written) and is logged."""
    target = path_for(build)
    try:
        target, incremental = beside.start(build, SUFFIX, previous, plan)
        with sqlite3.connect(target) as db:
            if incremental and "head" not in {c[1] for c in db.execute("PRAGMA table_info(answers)")}:
                for table in ("answers", "units", "plan_units"):  # kept by an older cspkg: written again in full
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            _create(db)
            kept = kept_answers(store)
            for gone in {q for (q,) in db.execute("SELECT question FROM answers")} - set(kept):
                for table in ("answers", "units", "plan_units"):
                    db.execute(f"DELETE FROM {table} WHERE question = ?", (gone,))
                shares.forget(db, gone)
            texts = {name: answer.text for name, answer in kept.items()}
            known = dict(db.execute("SELECT question, source FROM answers"))
            added = [name for name in kept if kept[name].shares is not None]
            by_unit = [name for name in kept if incremental and known.get(name) == kept[name].source
                       and kept[name].query.precomputed not in (WHOLE, SHARES)]
            # Every query runs on a pool of as many threads as there are cores (Oxigraph lets go of
            # Python's lock while it answers: at 3M, 16 s of a build's store stage on one core): the
            # answers run whole first (the longest), then a replace's units, which this thread places
            # as they come. Only this thread writes to the file. A question with a query answering
            # every value is run once for all of its values written whole.
            touched = {name: _touched(db, store, name, kept[name], plan) for name in by_unit}
            whole = [name for name in kept if name not in added and (name not in by_unit or touched[name] is None)]
            # an answer added up from shares: only the changed plan's share is asked again, unless
            # the shares were kept with other text or another belonging of teams and posts
            basis = shares.belonging(store) if added else b""
            one_plan = {name: plan if incremental and plan is not None and known.get(name) == kept[name].source
                        and shares.up_to_date(db, name, basis) else None for name in added}
            shared = _shared(kept, whole)
            alone = [name for name in whole if name not in shared]
            with ThreadPoolExecutor(max_workers=max(1, min(len(alone) + len(shared) + len(by_unit) + len(added), os.cpu_count() or 1))) as pool:
                everys = {every: pool.submit(_run, store, every) for every in set(shared.values())}  # the longest first
                bodies = {name: pool.submit(_run, store, texts[name]) for name in alone}
                summed = {name: pool.submit(shares.ask, store, kept[name].shares, one_plan[name]) for name in added}
                asked: dict = {}
                rows = {name: _ask_units(pool, store, kept[name], units, asked) for name, units in touched.items() if units is not None}
                for name, fresh in rows.items():
                    _write_unit(db, store, name, kept[name], touched[name], fresh())
                for name, future in summed.items():
                    shares.keep(db, name, future.result(), basis, one_plan[name])
                    order = _order_clause(kept[name].query.text)
                    _rewrite(db, store, name, kept[name], None if order is None else shares.answer(db, store, kept[name].query, order))
                for name, body in bodies.items():
                    _rewrite(db, store, name, kept[name], body.result())
                split = {every: _split(future.result(), kept[next(n for n in shared if shared[n] == every)])
                         for every, future in everys.items()}
                for name, every in shared.items():
                    parts = split[every]
                    _rewrite(db, store, name, kept[name], None if parts is None else parts.get(_value(kept[name]), parts[None]))
        db.close()
        return target
    except (sqlite3.Error, OSError, SyntaxError, ValueError) as err:
        log.warning("kept answers %s not written: %s (the questions run as written)", target, err)
        target.unlink(missing_ok=True)
        return None


def _value(kept: Kept) -> str:
    """The IRI a kept-by-value answer is kept for."""
    return kept.bound[0][1].value


def _shared(kept: dict[str, Kept], whole: list[str]) -> dict[str, str]:
    """The answers among `whole` to take from a query answering every value (name -> its text):
    those of a question with one, when more than one of its values is to be written whole (a
    replace that finds one new value runs the question for that value alone)."""
    counts: dict[str, int] = {}
    for name in whole:
        if kept[name].every is not None:
            counts[kept[name].every] = counts.get(kept[name].every, 0) + 1
    return {name: kept[name].every for name in whole if counts.get(kept[name].every, 0) > 1}


def _split(body: bytes, kept: Kept) -> dict | None:
    """Each value's answer from the rows of every value (every_value.split), and under None the
    answer with no rows (a value none of the rows has); None when they cannot be split."""
    order = _order_clause(kept.query.text)
    parts = None if order is None else every_value.split(body, kept.query.kept_by_value.name, order)
    if parts is not None:
        parts[None] = body[:body.find(b"\n") + 1]  # the header line (not partition: a copy of every row)
    return parts


def remove(build: Path) -> None:
    path_for(build).unlink(missing_ok=True)
