"""Queries run in a child process with a wall-clock limit, so a runaway query can be stopped
(Oxigraph cannot interrupt a query from Python) while the server goes on serving.

One child per server worker process: a sync worker handles one request at a time. The child
opens the current store read-only and reopens it when a build swaps in a new one; with the remote
backend it sends the query to the store's endpoint instead, under the same time limit. Results are
capped at max_rows and serialised in the child; only bytes cross the pipe.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput, CspkgError, StoreMissing
from .store import CURRENT


class QueryTimeout(CspkgError):
    exit_code = 3


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
    store: str = ""  # the embedded build's folder ("remote" for the remote store)


@dataclass
class Answer:
    kind: str  # select | ask | graph
    body: bytes
    rows: int | None  # None: not counted (an answer too short to reach the cap)
    truncated: bool


def current_build(root: Path) -> Path:
    link = root / CURRENT
    if not link.exists():
        raise StoreMissing(f"{root}: no built store here; run `cspkg build` first")
    return link.resolve()


def check(settings) -> str:
    """The id of the build the settings point at; StoreMissing (a clear message) if there is none."""
    if settings.backend == "remote":
        from .remote import RemoteStore

        return RemoteStore(settings, timeout=settings.query_timeout).build_id()
    return current_build(settings.store).name


class Runner:
    def __init__(self, settings):
        self.settings, self.root, self.timeout = settings, settings.store, settings.query_timeout
        self._proc = self._conn = None
        self._pid = None
        self._remote = None

    def build_id(self) -> str:
        """The build being served: it keys ETags and caches, so it is read afresh on each request."""
        if self.settings.backend != "remote":
            return current_build(self.root).name
        if self._remote is None:
            from .remote import RemoteStore

            self._remote = RemoteStore(self.settings, timeout=self.timeout)
        return self._remote.build_id()

    def _start(self) -> None:
        ctx = mp.get_context("spawn")  # a clean interpreter: safe whatever threads the parent has
        parent, child = ctx.Pipe()
        from .runner_child import serve

        self._proc = ctx.Process(target=serve, args=(child, self.settings), daemon=True, name="cspkg-query")
        self._proc.start()
        child.close()
        self._conn, self._pid = parent, os.getpid()

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None

    def run(self, request: Request) -> Answer:
        request.store = "remote" if self.settings.backend == "remote" else str(current_build(self.root))
        if self._proc is None or self._pid != os.getpid() or not self._proc.is_alive():
            self._start()
        self._conn.send(request)
        if not self._conn.poll(self.timeout):
            self._stop()
            self._start()  # ready for the next request
            raise QueryTimeout(f"the query ran for more than {self.timeout:g} s and was stopped")
        status, payload = self._conn.recv()
        if status == "ok":
            return payload
        if status == "bad":
            raise BadInput(payload)
        if status == "missing":
            raise StoreMissing(payload)
        raise CspkgError(payload)

    def close(self) -> None:
        self._stop()
