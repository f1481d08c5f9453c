"""Start the real server (`cspkg serve`, i.e. gunicorn) on a free port for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

CSPKG = str(Path(sys.executable).with_name("cspkg"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(argv: list[str], ready: str, name: str, env: dict | None = None, **ready_params):
    """Run a server process until the block ends; wait until GET `ready` answers. Its log goes to a
    file (a pipe nobody reads would fill up and block it) and is shown if it fails to start."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(ready, params=ready_params or None, timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or still starting up on a busy machine
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{name} did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@contextmanager
def serving(store: Path, workers: int = 2, **settings):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    env.update({f"CSPKG_{k.upper()}": str(v) for k, v in settings.items()})
    base = f"http://127.0.0.1:{port}"
    argv = [CSPKG, "serve", "--store", str(store), "--port", str(port), "--workers", str(workers)]
    with running(argv, base + "/healthz", "server", env):
        yield base


OXIGRAPH = Path(sys.executable).with_name("oxigraph")


@contextmanager
def oxigraph_server(location: Path, union: bool = True):
    """A real Oxigraph server (the `oxigraph` package's binary) on a free loopback port; yields its base URL.
    It stops runaway queries itself after 10 s, as a deployment should be set up to."""
    if not OXIGRAPH.exists():
        raise RuntimeError(f"{OXIGRAPH} not found: the tests need the Oxigraph server; `pip install -e '.[test]'` installs it")
    port = free_port()
    argv = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "10"]
    base = f"http://127.0.0.1:{port}"
    with running(argv + (["--union-default-graph"] if union else []), base + "/query", "oxigraph server", query="ASK {}"):
        yield base


def remote_settings(base: str, **more) -> dict:
    """The settings that point cspkg at an Oxigraph server."""
    return {"backend": "remote", "sparql_query": f"{base}/query", "sparql_update": f"{base}/update", **more}
