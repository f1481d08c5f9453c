"""Queries run in sandboxed child processes with a wall-clock and a memory limit, so a runaway query
can be stopped (Oxigraph cannot interrupt a query from Python) while the server goes on serving.

Each server worker keeps a small pool of query children (CSPKG_QUERY_PROCESSES) behind a semaphore:
a worker's threads share them, one query per child at a time, and a request that cannot get one
within CSPKG_QUERY_WAIT seconds is told the service is busy (503, Retry-After) instead of hanging.
A child opens the request's build read-only (reopening when a build swaps in a new one); with the
remote backend it sends the query to the store's endpoint instead. Results are capped at max_rows and
serialised in the child; only bytes cross the pipe. A child that overruns the time limit is killed;
one that dies of its memory limit is reported as such; either way a fresh child takes its place.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from ..errors import BadInput, CspkgError, QueryBusy, QueryEngineFault, QueryTimeout, QueryTooLarge, StoreMissing
from ..store.commits import current_build
from .messages import Answer, Request  # noqa: F401 (Request: for callers that build one)

STARTUP = 60  # seconds a fresh child may take to start and set up its sandbox (a busy 2-core machine)


def check(settings) -> str:
    """The id of the build the settings point at; StoreMissing (a clear message) if there is none."""
    if settings.backend == "remote":
        from ..store.remote import RemoteStore

        return RemoteStore(settings, timeout=settings.query_timeout).build_id()
    return current_build(settings.store).name


class Child:
    """One query process: started (spawn: a clean interpreter, safe whatever threads the parent has),
    sandboxed before it answers, then one request at a time over a pipe."""

    def __init__(self, settings):
        from .runner_child import serve

        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        # The child's stderr goes to a file, read if it dies: Rust writes "memory allocation of N bytes
        # failed" before it aborts, which tells a memory limit from an engine panic (also an abort).
        fd, path = tempfile.mkstemp(prefix="cspkg-query-", suffix=".log")
        self.stderr = os.fdopen(fd, "rb")
        self.proc = ctx.Process(target=serve, args=(child, settings, path), daemon=True, name="cspkg-query")
        self.proc.start()
        child.close()
        try:
            ready = self.conn.poll(STARTUP)
        finally:
            os.unlink(path)  # both ends have it open by now (or the child is dead): nothing is left behind
        if not ready:
            self.kill()
            raise CspkgError(f"the query process did not start within {STARTUP} s")
        try:
            status, message = self.conn.recv()
        except EOFError:
            status, message = "failed", f"it exited with code {self.proc.exitcode}"
        if status != "ready":
            self.kill()
            raise CspkgError(f"the query process could not start: {message}")

    def alive(self) -> bool:
        return self.proc.is_alive()

    def kill(self) -> str:
        """Stop the process; what it wrote to stderr (also passed on to ours, for the server's log)."""
        if self.stderr.closed:
            return ""
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        with self.stderr:
            said = self.stderr.read()[-20_000:].decode("utf-8", "replace")
        if said:
            sys.stderr.write(said)
        return said


class Runner:
    def __init__(self, settings):
        self.settings, self.root, self.timeout = settings, settings.store, settings.query_timeout
        self._lock = threading.Lock()
        self._reset()
        self._remote = None

    def _reset(self) -> None:
        # after a fork the parent's children are not ours: start afresh in this process
        self._pid, self._idle, self._all = os.getpid(), [], []
        self._slots = threading.BoundedSemaphore(self.settings.query_processes)

    def build_id(self) -> str:
        """The build being served now (a request reads it once, through `pinned`)."""
        if self.settings.backend != "remote":
            return current_build(self.root).name
        with self._lock:
            if self._remote is None:
                from ..store.remote import RemoteStore

                self._remote = RemoteStore(self.settings, timeout=self.timeout)
        return self._remote.build_id()

    def store_for(self) -> str:
        """What Request.store names for the build being served now."""
        return "remote" if self.settings.backend == "remote" else str(current_build(self.root))

    def pinned(self) -> "PinnedRunner":
        return PinnedRunner(self)

    def _take(self) -> Child:
        with self._lock:
            if self._pid != os.getpid():
                self._reset()
            slots = self._slots
        if not slots.acquire(timeout=self.settings.query_wait):
            raise QueryBusy(f"every query process is busy (this worker has {self.settings.query_processes}); "
                            "retry in a moment")
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    child.slots = slots
                    return child
                self._forget(child)
                child.kill()
        try:
            child = Child(self.settings)
        except BaseException:
            slots.release()
            raise
        child.slots = slots
        with self._lock:
            self._all.append(child)
        return child

    def _give_back(self, child: Child, healthy: bool) -> None:
        if not healthy:
            child.kill()  # stopped, or dead already: the next request starts a fresh one
        with self._lock:
            if healthy and child.alive():
                self._idle.append(child)
            else:
                self._forget(child)
        child.slots.release()

    def _forget(self, child: Child) -> None:
        if child in self._all:
            self._all.remove(child)

    def run(self, request: Request) -> Answer:
        request.store = request.store or self.store_for()
        child = self._take()
        healthy = False
        try:
            child.conn.send(request)
            if not child.conn.poll(self.timeout):
                child.kill()
                raise QueryTimeout(f"the query ran for more than {self.timeout:g} s and was stopped")
            try:
                status, payload = child.conn.recv()
            except EOFError:
                raise self._death(child) from None
            if status == "memory":
                child.kill()
                raise QueryTooLarge(self.too_large())
            healthy = True
        finally:
            self._give_back(child, healthy)
        if status == "ok":
            return payload
        if status == "bad":
            raise BadInput(payload)
        if status == "missing":
            raise StoreMissing(payload)
        raise CspkgError(payload)

    def _death(self, child: Child) -> CspkgError:
        child.proc.join(5)
        code = child.proc.exitcode
        said = child.kill()
        # Rust aborts (SIGABRT) after "memory allocation of N bytes failed"; the OOM killer sends SIGKILL.
        if (code == -signal.SIGABRT and "memory allocation of" in said) or code == -signal.SIGKILL:
            return QueryTooLarge(self.too_large())
        return QueryEngineFault("the query engine stopped on this query (a fault in the engine, not a syntax error); "
                                "its query process was replaced. Rewrite the query, e.g. ORDER BY fewer or other variables")

    def too_large(self) -> str:
        return (f"the query needed more memory than the limit of {self.settings.query_memory} MB per query "
                "and was stopped; make it smaller (fewer rows, a LIMIT, narrower patterns)")

    def close(self) -> None:
        with self._lock:
            children, self._all, self._idle = self._all, [], []
        for child in children:
            child.kill()


class PinnedRunner:
    """A runner for one HTTP request: the build is resolved on first use and every query of the
    request goes to it, so a page made of several queries never mixes two builds during a swap."""

    def __init__(self, runner: Runner):
        self.runner, self.settings = runner, runner.settings
        self._store = self._build = None

    def store_for(self) -> str:
        if self._store is None:
            self._store = self.runner.store_for()
        return self._store

    def build_id(self) -> str:
        if self._build is None:
            if self.settings.backend == "remote":
                self._build = self.runner.build_id()
            else:
                self._build = Path(self.store_for()).name
        return self._build

    def run(self, request: Request) -> Answer:
        request.store = request.store or self.store_for()
        return self.runner.run(request)
