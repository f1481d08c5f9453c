"""The query child process: opens the store read-only, runs one query at a time, serialises it."""

from __future__ import annotations

import pyoxigraph as ox

from .results import RESULT_FORMATS, serialize_graph, serialize_solutions


def term(text: str):
    """A term given as N-Triples text (produced by pyoxigraph on the other side)."""
    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object


def execute(store: ox.Store, request):
    from .runner import Answer

    kwargs = {"substitutions": {ox.Variable(k): term(v) for k, v in request.substitutions.items()} or None,
              "base_iri": request.base}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    if request.default_graphs is None:
        kwargs["use_default_graph_as_union"] = request.union
    result = store.query(request.sparql, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        fmt = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}.get(request.format, ox.QueryResultsFormat.JSON)
        return Answer("ask", result.serialize(format=fmt), 1, False)
    if isinstance(result, ox.QuerySolutions):
        return select(result, request)
    rows, truncated = [], False
    for row in result:
        if len(rows) == request.max_rows:
            truncated = True
            break
        rows.append(row)
    return Answer("graph", serialize_graph(rows, request.format), len(rows), truncated)


def select(result: ox.QuerySolutions, request):
    """Oxigraph serialises the whole answer (fast); only an answer over the cap is cut and re-written."""
    from .runner import Answer

    # CSV cannot be read back (it is lossy), so a CSV answer is counted through TSV.
    fmt = RESULT_FORMATS["tsv" if request.format == "csv" else request.format]
    body = result.serialize(format=fmt)
    rows = list(ox.parse_query_results(body, format=fmt))
    names = [v.value for v in result.variables]
    truncated = len(rows) > request.max_rows
    if truncated or request.format == "csv":
        body = serialize_solutions(names, rows[: request.max_rows], request.format)
    return Answer("select", body, min(len(rows), request.max_rows), truncated)


def serve(conn) -> None:
    stores: dict[str, ox.Store] = {}
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            if request.store not in stores:
                stores.clear()
                stores[request.store] = ox.Store.read_only(request.store)
            conn.send(("ok", execute(stores[request.store], request)))
        except SyntaxError as err:
            conn.send(("bad", f"SPARQL syntax error: {getattr(err, 'msg', err)}"))
        except (ValueError, TypeError) as err:
            conn.send(("bad", f"the query cannot be evaluated: {err}"))
        except Exception as err:  # reported to the caller as an internal error
            conn.send(("error", f"{type(err).__name__}: {err}"))
