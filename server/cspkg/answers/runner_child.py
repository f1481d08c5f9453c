"""The query child process: sandboxes itself, opens the store (read-only, or the remote one), runs one
query at a time, serialises it."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadInput, CspkgError, StoreMissing
from ..store import precomputed
from ..store.embedded import EmbeddedStore
from .results import RESULT_FORMATS, serialize_graph


def term(text: str):
    """A term given as N-Triples text (produced by pyoxigraph on the other side)."""
    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object


def execute(store, request):
    from .messages import Answer

    if request.precomputed and request.store != "remote":
        answer = kept(request)
        if answer is not None:
            return answer
    result = store.query(request.sparql, union=request.union, base=request.base,
                         substitutions={ox.Variable(k): term(v) for k, v in request.substitutions.items()} or None,
                         default_graphs=request.default_graphs, named_graphs=request.named_graphs)
    if isinstance(result, ox.QueryBoolean):
        fmt = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}.get(request.format, ox.QueryResultsFormat.JSON)
        return Answer("ask", result.serialize(format=fmt), 1, False)
    if isinstance(result, ox.QuerySolutions):
        return select(result, request)
    rows = list(islice(result, request.max_rows + 1))  # one more than the cap tells a cut answer
    truncated = len(rows) > request.max_rows
    del rows[request.max_rows:]
    return Answer("graph", serialize_graph(rows, request.format), len(rows), truncated)


def kept(request):
    """The answer the build keeps for this question (store/precomputed.py), or None: its rows are
    counted as lines, cut at the cap, and written in the format asked for by Oxigraph, so the bytes
    are those the query gives, without reading the answer back to count it."""
    from .messages import Answer

    limit = request.max_rows + 1 if request.limit is None else min(request.limit, request.max_rows + 1)
    where = tuple(request.where) if request.where else None
    body = precomputed.read(Path(request.store), request.precomputed, request.offset, limit, request.units, where)
    if body is None:
        return None
    rows = body.count(b"\n") - 1  # a row is a line (line breaks in literals are escaped)
    truncated = rows > request.max_rows
    if truncated:
        body = cut(body, "tsv", request.max_rows)
        rows = request.max_rows
    if request.format == "tsv":  # as kept: the bytes Oxigraph wrote
        return Answer("select", body, rows, truncated)
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    if request.format == "csv":  # Oxigraph's CSV, unless a one-column answer has an empty row (see select_csv)
        answer = select_csv(result, request)
        return Answer("select", answer.body, answer.rows, truncated or answer.truncated)
    return Answer("select", result.serialize(format=RESULT_FORMATS[request.format]), rows, truncated)


# The fewest bytes a row takes in each format Oxigraph writes: `{}` and a comma in JSON,
# `<result></result>` in XML, a line break in TSV. An answer no longer than the cap times this
# has no more rows than the cap, and is passed on without being read.
ROW_BYTES = {"json": 3, "xml": 17, "tsv": 1}


def json_rows_at_most(body: bytes) -> int:
    """At most how many rows an answer Oxigraph wrote in JSON holds, found without reading it.
    Oxigraph writes no space between tokens, so every row is an object that opens right after the
    bindings' `[` or after the `,` that ends the row before it, while each value's object opens
    after its name's `:`. Text in a literal can only add to the count, never take from it.
    tests/test_query_child.py checks that the writer still writes rows so."""
    return body.count(b"[{") + body.count(b",{")


def count_rows(body: bytes, format: str) -> int:
    """Rows in an answer Oxigraph wrote, read without making terms of them: JSON with the C JSON
    parser; in XML a `<result>` tag cannot occur inside text (`<` is escaped); in TSV a row is a line
    (newlines in literals are escaped), after the header line."""
    if format == "json":
        return len(json.loads(body)["results"]["bindings"])
    if format == "xml":
        return body.count(b"<result>")
    return max(body.count(b"\n") - 1, 0)


def select(result: ox.QuerySolutions, request):
    """Oxigraph serialises the whole answer (fast); an answer over the cap is cut from those bytes."""
    from .messages import Answer

    if request.format == "csv":
        return select_csv(result, request)
    body = result.serialize(format=RESULT_FORMATS[request.format])
    if len(body) <= ROW_BYTES[request.format] * request.max_rows:
        return Answer("select", body, None, False)
    # Reading a JSON answer to count its rows costs 24-35 ms at 2,000 rows of 18 columns (`plans` at
    # 3M quads): a bound from two byte counts (under 1 ms) passes on every answer within the cap.
    if request.format == "json" and json_rows_at_most(body) <= request.max_rows:
        return Answer("select", body, None, False)
    if request.format == "json":  # read once: to count, and to cut if it must be cut
        answer = json.loads(body)
        rows = answer["results"]["bindings"]
        if len(rows) <= request.max_rows:
            return Answer("select", body, len(rows), False)
        answer["results"]["bindings"] = rows[: request.max_rows]
        return Answer("select", json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                      request.max_rows, True)
    rows = count_rows(body, request.format)
    if rows <= request.max_rows:
        return Answer("select", body, rows, False)
    return Answer("select", cut(body, request.format, request.max_rows), request.max_rows, True)


def cut(body: bytes, format: str, max_rows: int) -> bytes:
    """The first max_rows rows of an XML or TSV answer Oxigraph wrote, in its own bytes: in XML a
    row starts at `<result>` (which cannot occur in text, where `<` is escaped) and the document
    closes after the last one; in TSV a row is a line after the header line."""
    if format == "xml":
        at = -1
        for _ in range(max_rows + 1):  # the start of the first row past the cap
            at = body.index(b"<result>", at + 1)
        return body[:at] + b"</results></sparql>"
    at = body.index(b"\n")  # the end of the header line
    for _ in range(max_rows):
        at = body.index(b"\n", at + 1)
    return body[: at + 1]


def select_csv(result: ox.QuerySolutions, request):
    """Oxigraph's CSV as it wrote it, when it is within the cap and reads as the CSV writer of
    results.serialize_solutions would write it; otherwise its records, read back as text (CSV is
    plain values: nothing else is needed to cut or re-write it), cut at the cap and written again.
    The two writers differ only where a one-column row is empty: Oxigraph writes an empty line,
    Python's csv module `""` (an empty line reads as no row at all)."""
    import csv
    import io

    from .messages import Answer

    width = len(result.variables)
    body = result.serialize(format=RESULT_FORMATS["csv"])
    # Every row ends a line (a quoted value may hold more line breaks): no more rows than lines.
    if body.count(b"\n") - 1 <= request.max_rows and (width > 1 or b"\r\n\r\n" not in body):
        return Answer("select", body, None, False)
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    kept = [row or [""] * width for row in rows[: request.max_rows]]  # an empty line: one empty value
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(kept)
    return Answer("select", out.getvalue().encode("utf-8"), len(kept), len(rows) > request.max_rows)


GRAPH_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
                 "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


def describe(store, request) -> dict:
    """What the store says about one resource: its statements in every graph (closed over blank
    nodes), the statements that point at it (capped), and labels for every IRI they mention."""
    own, incoming, total = store.describe(request.sparql, request.max_rows)
    iris = {t for q in own + incoming for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode)}
    return {
        "own": ox.serialize(own, format=ox.RdfFormat.N_QUADS),
        "incoming": ox.serialize(incoming, format=ox.RdfFormat.N_QUADS),
        "incoming_total": total,
        "labels": store.labels(iris),
    }


def dump(store, request) -> bytes:
    return store.dump(GRAPH_FORMATS[request.format], request.sparql or None)


def open_store(request, stores: dict, settings):
    """The embedded store of the request's build (reopened when a build swaps in), or the remote one."""
    if request.store not in stores:
        stores.clear()
        if settings.backend == "remote":
            from ..store.remote import RemoteStore

            # The parent stops a query at the time limit; this only keeps a stuck socket from lingering.
            stores[request.store] = RemoteStore(settings, timeout=settings.query_timeout + 5)
        else:
            stores[request.store] = EmbeddedStore(ox.Store.read_only(request.store), Path(request.store))
    return stores[request.store]


def serve(conn, settings, stderr: str | None = None) -> None:
    import os

    from .sandbox import install

    if stderr:  # the parent reads it if this process dies (see runner.Child)
        fd = os.open(stderr, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    try:
        install(settings)  # before any store is opened or any request read
    except Exception as err:
        conn.send(("failed", f"its sandbox could not be set up: {err}"))
        return
    conn.send(("ready", None))
    stores: dict = {}
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            store = open_store(request, stores, settings)
            handler = {"query": execute, "describe": describe, "dump": dump}[request.kind]
            conn.send(("ok", handler(store, request)))
        except MemoryError:
            conn.send(("memory", ""))  # the parent words the message
            return  # the parent starts a fresh process: this one may be short of memory for good
        except PermissionError:  # the sandbox refused a connection: a SERVICE query got this far
            conn.send(("bad", "this service does not run federated (SERVICE) queries: its query processes have no network access"))
        except StoreMissing as err:
            conn.send(("missing", str(err)))
        except BadInput as err:
            conn.send(("bad", str(err)))
        except SyntaxError as err:
            conn.send(("bad", f"SPARQL syntax error: {getattr(err, 'msg', err)}"))
        except (ValueError, TypeError) as err:
            conn.send(("bad", f"the query cannot be evaluated: {err}"))
        except CspkgError as err:
            conn.send(("error", str(err)))
        except Exception as err:  # reported to the caller as an internal error
            conn.send(("error", f"{type(err).__name__}: {err}"))
