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


LABELS = [ox.NamedNode(p) for p in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                                      "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title")]
GRAPH_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
                 "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


def label(store: ox.Store, node) -> str | None:
    for prop in LABELS:
        values = [q.object for q in store.quads_for_pattern(node, prop, None, None) if isinstance(q.object, ox.Literal)]
        if values:
            english = [v for v in values if v.language in (None, "en")]
            return sorted(english or values, key=lambda v: v.value)[0].value
    return None


def describe(store: ox.Store, request) -> dict:
    """What the store says about one resource: its statements in every graph (closed over blank
    nodes), the statements that point at it (capped), and labels for every IRI they mention."""
    node = ox.NamedNode(request.sparql)
    own = list(store.quads_for_pattern(node, None, None, None))
    seen, queue = set(), [q.object for q in own if isinstance(q.object, ox.BlankNode)]
    while queue:
        blank = queue.pop()
        if blank in seen:
            continue
        seen.add(blank)
        more = list(store.quads_for_pattern(blank, None, None, None))
        own += more
        queue += [q.object for q in more if isinstance(q.object, ox.BlankNode)]
    incoming, total = [], 0
    for quad in store.quads_for_pattern(None, None, node, None):
        total += 1
        if len(incoming) < request.max_rows:
            incoming.append(quad)
    iris = {t for q in own + incoming for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode)}
    return {
        "own": ox.serialize(own, format=ox.RdfFormat.N_QUADS),
        "incoming": ox.serialize(incoming, format=ox.RdfFormat.N_QUADS),
        "incoming_total": total,
        "labels": {iri.value: text for iri in iris if (text := label(store, iri)) is not None},
    }


def dump(store: ox.Store, request) -> bytes:
    fmt = GRAPH_FORMATS[request.format]
    if request.sparql:
        return store.dump(format=fmt, from_graph=ox.NamedNode(request.sparql))
    return store.dump(format=fmt)


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
            handler = {"query": execute, "describe": describe, "dump": dump}[request.kind]
            conn.send(("ok", handler(stores[request.store], request)))
        except SyntaxError as err:
            conn.send(("bad", f"SPARQL syntax error: {getattr(err, 'msg', err)}"))
        except (ValueError, TypeError) as err:
            conn.send(("bad", f"the query cannot be evaluated: {err}"))
        except Exception as err:  # reported to the caller as an internal error
            conn.send(("error", f"{type(err).__name__}: {err}"))
