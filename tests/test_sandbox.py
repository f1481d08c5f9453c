"""The query process's sandbox: SERVICE queries sent straight to the query process (past the web
layer's refusal) never reach a listener on loopback; the seccomp filter and the remote backend's audit
hook refuse what they should; the memory limit stops a query that builds a huge string; a request
keeps reading one build while another is swapped in."""

from __future__ import annotations

import errno
import json
import multiprocessing as mp
import shutil
import socket
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from cspkg.errors import BadInput
from cspkg.errors import QueryTooLarge
from cspkg.answers.messages import Request
from cspkg.answers.runner import Runner
from cspkg.settings import Settings


@contextmanager
def listener():
    """A TCP listener on a free loopback port that counts the connections it accepts (bounded: it
    stops with the block)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            accepted.append(conn.getpeername())
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def service_variants(port: int) -> list[str]:
    """SERVICE written the ways a text scanner could miss: comments, escapes, case, nesting, subqueries."""
    url = f"http://127.0.0.1:{port}/sparql"
    escaped = url.replace("sparql", "\\u0073parql")
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE remote:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE SILENT <{url}> {{ ?a ?p ?o }} }} }} LIMIT 3",
        f"ASK {{ SERVICE <http://localhost:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}> {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ]


def nothing_fetched(answer) -> bool:
    """No solution binds a variable of a SERVICE pattern (?s ?p ?o); no triple was constructed."""
    if answer.kind == "graph":
        return answer.body.strip() == b""
    parsed = json.loads(answer.body)
    return parsed.get("boolean") is False or all(not {"s", "p", "o"} & set(b) for b in parsed["results"]["bindings"])


def run_all(runner: Runner, queries: list[str]) -> list[str]:
    outcomes = []
    for query in queries:
        try:
            answer = runner.run(Request(query, "json" if not query.startswith("CONSTRUCT") else "ntriples"))
            assert nothing_fetched(answer), (query, answer.body[:300])
            outcomes.append("empty")
        except BadInput as err:
            outcomes.append(str(err))
    return outcomes


def test_service_queries_sent_to_the_query_process_never_connect(store_root):
    settings = Settings(store=store_root, query_timeout=10)
    runner = Runner(settings)
    try:
        with listener() as (port, accepted):
            outcomes = run_all(runner, service_variants(port))
            time.sleep(0.3)  # a connection in flight would be accepted by now
            assert accepted == []
        print("outcomes:", sorted(set(outcomes)))
        assert any("no network access" in o for o in outcomes)
        # the query process is still there, and answers
        answer = runner.run(Request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json"))
        assert int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]) > 1000
    finally:
        runner.close()


def test_without_the_sandbox_the_engine_does_connect(store_root):
    """The control for the test above: the listener is reachable and Oxigraph does run SERVICE."""
    runner = Runner(Settings(store=store_root, query_timeout=10, sandbox="off"))
    try:
        with listener() as (port, accepted):
            with pytest.raises(Exception):
                runner.run(Request(service_variants(port)[0], "json"))
            assert len(accepted) >= 1
    finally:
        runner.close()


def _probe_embedded(conn, settings) -> None:
    import ctypes

    from cspkg.answers.sandbox import install

    install(settings)
    results = {}
    for name in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_UNIX"):
        try:
            socket.socket(getattr(socket, name), socket.SOCK_DGRAM if name == "AF_NETLINK" else socket.SOCK_STREAM).close()
            results[name] = "opened"
        except OSError as err:
            results[name] = err.errno
    a, b = socket.socketpair()  # what a pipe to the worker is made of
    results["socketpair"] = "opened"
    a.close(), b.close()
    libc = ctypes.CDLL(None, use_errno=True)
    params = (ctypes.c_char * 120)()
    rc = libc.syscall(425, 4, params)  # io_uring_setup(entries, params) on x86_64 and arm64
    results["io_uring_setup"] = ctypes.get_errno() if rc < 0 else "opened"
    conn.send(results)


def _in_child(target, *args):
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args))
    proc.start()
    try:
        assert parent.poll(60), "the probe process did not answer"
        return parent.recv()
    finally:
        proc.join(10)


def test_seccomp_denies_network_sockets_and_io_uring(store_root):
    results = _in_child(_probe_embedded, Settings(store=store_root))
    print(results)
    assert results == {"AF_INET": errno.EPERM, "AF_INET6": errno.EPERM, "AF_NETLINK": errno.EPERM,
                       "AF_PACKET": errno.EPERM, "AF_UNIX": errno.EPERM, "socketpair": "opened",
                       "io_uring_setup": errno.EPERM}


def _probe_remote(conn, settings, port: int) -> None:
    import urllib.request

    from cspkg.answers.sandbox import install

    install(settings)
    results = {}
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        results["listener"] = "connected"
    except OSError as err:
        results["listener"] = err.errno
    try:
        socket.getaddrinfo("example.org", 80)
        results["lookup"] = "resolved"
    except OSError as err:
        results["lookup"] = err.errno
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM).close()
        results["netlink"] = "opened"
    except OSError as err:
        results["netlink"] = err.errno
    url = settings.sparql_query + "?query=ASK%20%7B%7D"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}), timeout=10) as r:
        results["endpoint"] = r.status
    conn.send(results)


def test_remote_query_process_reaches_its_store_and_nothing_else(remote_settings):
    with listener() as (port, accepted):
        results = _in_child(_probe_remote, remote_settings, port)
        time.sleep(0.2)
        assert accepted == []
    print(results)
    assert results == {"listener": errno.EPERM, "lookup": errno.EPERM, "netlink": errno.EPERM, "endpoint": 200}
    runner = Runner(remote_settings)
    try:  # and the remote backend's queries still work through the sandboxed query process
        answer = runner.run(Request("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "json"))
        assert int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]) > 1000
    finally:
        runner.close()


def hungry(doublings: int) -> str:
    """A short query that builds one string of 64 x 2^doublings bytes (1 GiB for 24)."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(doublings))
    return f'SELECT (STRLEN(?s{doublings}) AS ?n) WHERE {{ BIND("{"0123456789abcdef" * 4}" AS ?s0) {binds} }}'


def test_memory_limit_stops_a_hungry_query_and_the_next_one_is_answered(store_root):
    runner = Runner(Settings(store=store_root, query_timeout=20))  # the default limit, 1024 MB
    try:
        started = time.monotonic()
        with pytest.raises(QueryTooLarge, match="more memory than the limit of 1024 MB"):
            runner.run(Request(hungry(24), "json"))
        print(f"stopped after {time.monotonic() - started:.1f} s")
        answer = runner.run(Request(hungry(16), "json"))  # 4 MiB: well within the limit
        assert b'"value":"4194304"' in answer.body
    finally:
        runner.close()


def test_a_request_reads_one_build_while_another_swaps_in(store_root, tmp_path):
    from cspkg.web import context, create_app

    root = tmp_path / "store"
    shutil.copytree(store_root, root, symlinks=True)
    first = (root / "current").resolve()
    second = root / (first.name + "-next")
    shutil.copytree(first, second)
    app = create_app(Settings(store=root))
    try:
        with app.test_request_context("/"):
            pinned = context.runner()
            assert context.runner() is pinned and pinned.build_id() == first.name
            tmp = root / ".swap"
            tmp.symlink_to(second.name)
            tmp.replace(root / "current")  # a build swaps in mid-request
            request = Request("ASK { ?s ?p ?o }", "json")
            pinned.run(request)
            assert pinned.build_id() == first.name and request.store == str(first)
        with app.test_request_context("/"):
            assert context.runner().build_id() == second.name  # the next request reads the new build
    finally:
        app.extensions["cspkg"]["runner"].close()


def test_serve_refuses_to_start_without_the_sandbox_unless_told(store_root, monkeypatch):
    from cspkg.answers.sandbox import SandboxUnavailable, check_available

    check_available(Settings(store=store_root))  # libseccomp loads here
    monkeypatch.setitem(sys.modules, "pyseccomp", None)  # as on a machine without it
    with pytest.raises(SandboxUnavailable, match="CSPKG_SANDBOX=off"):
        check_available(Settings(store=store_root))
    check_available(Settings(store=store_root, sandbox="off"))
    monkeypatch.setenv("CSPKG_SANDBOX", "maybe")
    with pytest.raises(BadInput, match="CSPKG_SANDBOX='maybe': expected on or off"):
        Settings.from_env()


def test_cspkg_serve_fails_loudly_where_libseccomp_is_missing(store_root, tmp_path):
    import os
    import subprocess

    from server import CSPKG, free_port

    # pyseccomp raises this on import when libseccomp.so.2 cannot be found
    (tmp_path / "pyseccomp.py").write_text('raise RuntimeError("Unable to find libseccomp")\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    argv = [CSPKG, "serve", "--store", str(store_root), "--port", str(free_port())]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Unable to find libseccomp" in result.stderr and "CSPKG_SANDBOX=off" in result.stderr
    assert "Traceback" not in result.stderr
