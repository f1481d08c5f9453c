"""A question kept for each value of its parameter, answered for every value by one query.

A question kept by value (store/precomputed.py) is kept once for each thing of its kind: run once
per value, `theme-across-partnerships` would read every action 34 times at 3M quads (about 100
CPU-seconds a build). Where queries/every-value/<name>.rq exists it answers every value at once:
the same columns, the parameter's value in the column named as the parameter, and no ORDER BY.
Its rows are split by that column, and each value's rows put in the question's own order by
Oxigraph (a VALUES query of the columns the question orders by), so the bytes kept are the
question's (tests/test_precomputed.py compares them). A replace asks the same query limited to the
units one plan is in, so it is written to start from the unit (see the file's comment).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..answers.catalogue import QUERIES_DIR, CannedQuery
from ..answers.sparqltext import term_text

EVERY_VALUE_DIR = QUERIES_DIR / "every-value"
TSV = ox.QueryResultsFormat.TSV


def companion(query: CannedQuery) -> str | None:
    """The text of the query answering `query` for every value of its kept parameter, if any."""
    path = EVERY_VALUE_DIR / f"{query.name}.rq"
    return path.read_text(encoding="utf-8") if query.kept_by_value and path.is_file() else None


def split(body: bytes, column: str, order: tuple[str, str, tuple[str, ...]]) -> dict[str, bytes] | None:
    """Each value's answer (SPARQL TSV: the header line, then its rows) from the rows of every value
    (`body`), by the IRI in `column`; each value's rows in the order the question's ORDER BY gives
    (`order`: prologue, clause and the variables it reads), ties in the order they came. None when
    a row cannot be placed: no IRI in the column, a blank node to order by, or a column missing."""
    head, _, rows = body.partition(b"\n")
    columns = [name.decode()[1:] for name in head.split(b"\t")] if head else []
    prologue, clause, names = order
    if column not in columns or not set(names) <= set(columns):
        return None
    at, keys = columns.index(column), [columns.index(n) for n in names]
    lines = rows.split(b"\n")[:-1]  # every row ends with a line break (literals' are escaped)
    # A TSV cell holds no tab (a literal's are escaped), so each row's cells are its fields, and
    # equal cells are equal terms: rows are grouped by their cells, and only the distinct cells
    # are read as terms. The same terms to order by recur under many values (an action is under
    # each theme it is about): each distinct set is ordered once, each value's rows by its place.
    by_value: dict[bytes, list[tuple[bytes, tuple]]] = {}
    for line in lines:
        cells = line.split(b"\t")
        by_value.setdefault(cells[at], []).append((line, tuple(cells[i] for i in keys)))
    values = _terms([(cell,) for cell in by_value], (column,))
    distinct = list(dict.fromkeys(cells for found in by_value.values() for _, cells in found))
    terms = _terms(distinct, names)
    if any(not isinstance(v[0], ox.NamedNode) for v in values) or any(isinstance(t, ox.BlankNode) for row in terms for t in row):
        return None
    rank = {distinct[i]: place for place, i in enumerate(ordered(prologue, clause, names, terms))}
    return {value[0].value: head + b"\n" + b"".join(line + b"\n" for line, _ in sorted(found, key=lambda row: rank[row[1]]))
            for value, found in zip(values, by_value.values())}


def _terms(rows: list[tuple[bytes, ...]], names: tuple[str, ...]) -> list[tuple]:
    """The terms in these TSV cells (None for an empty one), read by Oxigraph's results parser."""
    table = "\t".join("?" + n for n in names).encode() + b"\n" + b"".join(b"\t".join(row) + b"\n" for row in rows)
    return [tuple(solution[i] for i in range(len(names))) for solution in ox.parse_query_results(table, format=TSV)]


def ordered(prologue: str, clause: str, names: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """The rows' indices in the order the clause puts them, as Oxigraph orders them; ties first come
    first."""
    if len(rows) < 2:
        return list(range(len(rows)))
    values = " ".join(f"({i} " + " ".join("UNDEF" if t is None else term_text(t) for t in terms) + ")"
                      for i, terms in enumerate(rows))
    query = (f"{prologue}SELECT ?position WHERE {{ VALUES (?position {' '.join('?' + n for n in names)}) {{ {values} }} }}"
             f" ORDER BY {clause} ?position")
    return [int(s["position"].value) for s in ox.Store().query(query)]
