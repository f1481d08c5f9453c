"""Writing SPARQL results for people (an aligned table) and for programs (JSON, CSV, Turtle)."""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import BadInput
from ..namespaces import PREFIXES

RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                  "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
MAX_CELL = 80


def compact(term) -> str:
    """A term as a reader wants it: prefixed names for IRIs, the text of literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[compact(row[n]) for n in names] for row in solutions]
    rows = [[" ".join(c.split())[:MAX_CELL] for c in r] for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out)


def render(result, fmt: str) -> str:
    """Text for a query's result in the requested format (table, json, csv, tsv, xml, turtle...)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return "true" if bool(result) else "false"
        if fmt not in RESULT_FORMATS:
            raise BadInput(f"--format {fmt} is not for ASK queries; use table, json, csv, tsv or xml")
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return table(result)
        if fmt not in RESULT_FORMATS:
            raise BadInput(f"--format {fmt} is not for SELECT queries; use table, json, csv, tsv or xml")
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    # CONSTRUCT / DESCRIBE
    fmt = "turtle" if fmt == "table" else fmt
    if fmt not in GRAPH_FORMATS:
        raise BadInput(f"--format {fmt} is not for CONSTRUCT or DESCRIBE queries; use turtle, ntriples or jsonld")
    prefixes = PREFIXES if fmt == "turtle" else None
    return ox.serialize(list(result), format=GRAPH_FORMATS[fmt], prefixes=prefixes).decode()


# ---- bytes for the web API and the SPARQL endpoint ---------------------------------------

GRAPH_BYTES = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def serialize_solutions(names: list[str], rows: list, fmt: str) -> bytes:
    """SPARQL results in CSV (plain values, as the W3C CSV format has them), TSV (terms in
    N-Triples form), or JSON and XML (rdflib's serialisers)."""
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        plain = lambda t: "" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value)
        writer.writerows([plain(row[n]) for n in names] for row in rows)
        return out.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join("" if row[n] is None else str(row[n]) for n in names) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    from rdflib.query import Result
    from rdflib.term import Variable

    result = Result("SELECT")
    result.vars = [Variable(n) for n in names]
    result.bindings = [{Variable(n): to_rdflib(row[n]) for n in names if row[n] is not None} for row in rows]
    return result.serialize(format={"json": "json", "xml": "xml"}[fmt])


def serialize_graph(triples: list, fmt: str) -> bytes:
    prefixes = PREFIXES if fmt == "turtle" else None
    return ox.serialize(triples, format=GRAPH_BYTES[fmt], prefixes=prefixes)
