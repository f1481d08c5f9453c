"""What crosses the pipe between a server worker and its query process: a request and its answer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Request:
    sparql: str  # the query; for "describe" the resource IRI; for "dump" the graph IRI ("" for all)
    format: str  # json | xml | csv | tsv | turtle | ntriples | jsonld | rdfxml | nquads | trig
    substitutions: dict = field(default_factory=dict)  # variable -> term as N-Triples text
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    max_rows: int = 10_000
    base: str | None = None  # base IRI for relative IRIs in the query
    kind: str = "query"  # query | describe | dump
    store: str = ""  # the embedded build's folder ("remote" for the remote store); "" = the current one
    # a question whose answer the build keeps (store/precomputed.py): served from there when the
    # build has it, rows offset..offset+limit; otherwise `sparql` is run
    precomputed: str = ""
    offset: int = 0
    limit: int | None = None
    units: list[str] | None = None  # of a kept answer, only these units' rows where it is kept by unit
    # of a kept answer, only the rows whose column (name, IRI) holds the IRI; a question run gives every row
    where: tuple[str, str] | None = None


@dataclass
class Answer:
    kind: str  # select | ask | graph
    body: bytes
    rows: int | None  # None: not counted (an answer too short to reach the cap)
    truncated: bool
