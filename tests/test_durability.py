"""No lost writes and one truth after a crash: `cspkg build`, `cspkg replace` and uploads are killed
(SIGKILL, real processes) at each step of the commit order, then the next write or `cspkg serve`
recovers, and the plan file, its history and the served store agree; a build and six uploads
racing each other lose nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from cspkg import namespaces as ns
from cspkg.pipeline.build import run
from cspkg.store.commits import CURRENT, PENDING, PREVIOUS, STEPS, writer_lock
from cspkg.sources import DEFAULT_DATA
from cspkg.store.embedded import EmbeddedStore
from server import CSPKG, free_port

pytestmark = pytest.mark.slow

TOKEN = "durable-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KEY = "tendring-2021-22"
PLAN_ONLY = ("plan-staged", "history-kept", "plan-renamed")  # a build has no plan file to move
BUILD_STEPS = tuple(s for s in STEPS if s not in PLAN_ONLY)
FORWARD = set(STEPS[STEPS.index("swapped"):])  # killed at or after the commit point: the write stands
# What the recovery says after a kill at each step (the store already had a previous build).
SAYS = {"store-written": "removed 1 build folder(s)", "intent-recorded": "undid an interrupted", "plan-staged": "undid an interrupted",
        "previous-linked": "undid an interrupted", "swapped": "finished an interrupted", "history-kept": "finished an interrupted",
        "plan-renamed": "finished an interrupted", "intent-cleared": "removed 1 build folder(s)"}


def cspkg(*args, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    if crash_at:
        env["CSPKG_CRASH_AT"] = crash_at
    return subprocess.run([CSPKG, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """The seed data and a store built from it twice, so it has a current and a previous build."""
    root = tmp_path_factory.mktemp("durable")
    data, store = root / "data", root / "store"
    shutil.copytree(DEFAULT_DATA, data)
    assert not run(data, store).violations
    assert not run(data, store).violations
    return data, store


@pytest.fixture
def site(seed, tmp_path):
    data, store = tmp_path / "data", tmp_path / "store"
    shutil.copytree(seed[0], data)
    shutil.copytree(seed[1], store, symlinks=True)
    return data, store


def links(store: Path) -> tuple[str | None, str | None]:
    read = lambda name: os.readlink(store / name) if (store / name).is_symlink() else None  # noqa: E731
    return read(CURRENT), read(PREVIOUS)


def iso(triples) -> set[str]:
    """Triples as the store keeps them (Oxigraph canonicalises typed literals), blank nodes
    relabelled canonically: two graphs are equal here when they are isomorphic."""
    from rdflib.compare import to_canonical_graph

    from cspkg.pipeline import validation

    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {" ".join(term.n3() for term in t) for t in to_canonical_graph(validation.to_rdflib([q.triple for q in mem]))}


def file_triples(path: Path) -> set[str]:
    return iso(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def edited_plan(data: Path, key: str, note: str) -> bytes:
    """The plan file with its title changed: a small, conforming new version."""
    text = (data / "plans" / f"{key}.ttl").read_text(encoding="utf-8")
    at = text.index('dct:title "') + len('dct:title "')
    end = text.index('"', at)
    return text[:end].encode() + f" ({note})".encode() + text[end:].encode()


def refused_replace(data: Path, store: Path, tmp: Path) -> subprocess.CompletedProcess:
    """A write that takes the lock (so recovers) and then is refused: it commits nothing itself."""
    bad = tmp / "refused" / "braintree-2022-23.ttl"
    bad.parent.mkdir(exist_ok=True)
    text = (data / "plans" / bad.name).read_text(encoding="utf-8")
    bad.write_text(text.replace("csp:Action ;", "csp:Action ; csp:sourceLine 1.5 ;", 1), encoding="utf-8")
    done = cspkg("replace", bad, "--data", data, "--store", store)
    assert done.returncode == 1 and "Refused" in done.stderr, done.stderr
    return done


def assert_one_truth(data: Path, store: Path, before: tuple[str, str], forward: bool, served=None) -> None:
    """No intent record or staged file is left, the only build folders are current and previous,
    previous is the rollback it should be, and each plan graph served equals its plan file."""
    current, previous = links(store)
    assert not (store / PENDING).exists() and not list((data / "plans").glob(".*.staged"))
    assert {p.name for p in store.glob("build-*") if p.is_dir()} == {current, previous}
    assert (store / current).is_dir() and (store / previous).is_dir()
    if forward:  # the interrupted write stands; the build it replaced is the rollback
        assert current not in before and previous == before[0]
    else:  # undone: the links are as they were (the crashed build is not kept as the rollback)
        assert (current, previous) == before
    if served is None:
        opened = EmbeddedStore.open(store)
        served = lambda key: iso(opened.triples(ns.plan_graph(key)))  # noqa: E731
    for path in sorted((data / "plans").glob("*.ttl")):
        assert served(path.stem) == file_triples(path), path.stem


def assert_history(data: Path, old: bytes, new: bytes, forward: bool) -> None:
    kept = sorted((data / "history" / "plans" / KEY).glob("*.ttl"))
    assert (data / "plans" / f"{KEY}.ttl").read_bytes() == (new if forward else old)
    assert [p.read_bytes() for p in kept] == ([old] if forward else [])


@pytest.mark.parametrize("step", STEPS)
def test_replace_killed_at_each_step_is_recovered_by_the_next_write(site, tmp_path, step):
    data, store = site
    before, old = links(store), (data / "plans" / f"{KEY}.ttl").read_bytes()
    new = edited_plan(data, KEY, f"killed at {step}")
    source = tmp_path / f"{KEY}.ttl"
    source.write_bytes(new)
    killed = cspkg("replace", source, "--data", data, "--store", store, crash_at=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    recovery = refused_replace(data, store, tmp_path)
    assert f"cspkg: recovered: {SAYS[step]}" in recovery.stderr, recovery.stderr
    assert_one_truth(data, store, before, step in FORWARD)
    assert_history(data, old, new, step in FORWARD)


@pytest.mark.parametrize("step", BUILD_STEPS)
def test_build_killed_at_each_step_is_recovered_by_the_next_write(site, tmp_path, step):
    data, store = site
    before, old = links(store), (data / "plans" / f"{KEY}.ttl").read_bytes()
    (data / "plans" / f"{KEY}.ttl").write_bytes(new := edited_plan(data, KEY, f"built, killed at {step}"))
    killed = cspkg("build", "--data", data, "--store", store, crash_at=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    recovery = refused_replace(data, store, tmp_path)
    assert f"cspkg: recovered: {SAYS[step]}" in recovery.stderr, recovery.stderr
    if step in FORWARD:
        assert_one_truth(data, store, before, True)
    else:  # undone: the store still holds the old version, which the data folder no longer has
        (data / "plans" / f"{KEY}.ttl").write_bytes(old)
        assert_one_truth(data, store, before, False)
        (data / "plans" / f"{KEY}.ttl").write_bytes(new)
        done = cspkg("build", "--data", data, "--store", store)  # the next build publishes it
        assert done.returncode == 0 and "recovered" not in done.stderr, done.stderr
        assert_one_truth(data, store, before, True)


@contextmanager
def serving_logged(store: Path, data: Path, log: Path, crash_at: str | None = None, query_timeout: float = 60):
    """`cspkg serve` (gunicorn, one worker, writes on) with its log kept in a file the test reads."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    env.update(CSPKG_DATA=str(data), CSPKG_WRITE_TOKEN=TOKEN, CSPKG_QUERY_TIMEOUT=str(query_timeout))
    if crash_at:
        env["CSPKG_CRASH_AT"] = crash_at
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        proc = subprocess.Popen([CSPKG, "serve", "--store", str(store), "--port", str(port), "--workers", "2"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def served_graph(base: str):
    def graph(key: str) -> set[str]:
        r = requests.get(f"{base}/graph/plan/{key}", headers={"Accept": "application/n-triples"}, timeout=60)
        assert r.status_code == 200, r.text
        return iso(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
    return graph


@pytest.mark.parametrize("step", STEPS)
def test_upload_killed_at_each_step_is_recovered_when_the_server_starts(site, tmp_path, step):
    data, store = site
    before, old = links(store), (data / "plans" / f"{KEY}.ttl").read_bytes()
    body = edited_plan(data, KEY, f"uploaded, killed at {step}")
    log = tmp_path / "server.log"
    with serving_logged(store, data, log, crash_at=step) as base:
        with pytest.raises(requests.ConnectionError):  # the worker died mid-request: no answer
            requests.post(base + "/plans", data=body, headers={"Content-Type": "text/turtle", **AUTH}, timeout=120)
    started = log.stat().st_size
    with serving_logged(store, data, log) as base:
        said = log.read_text()[started:]
        assert f"cspkg: recovered: {SAYS[step]}" in said, said
        assert_one_truth(data, store, before, step in FORWARD, served=served_graph(base))
        if step in FORWARD:  # the file holds the upload's triples (as the server writes them), the old one is history
            kept = sorted((data / "history" / "plans" / KEY).glob("*.ttl"))
            assert [p.read_bytes() for p in kept] == [old]
            assert file_triples(data / "plans" / f"{KEY}.ttl") == iso(ox.parse(body, format=ox.RdfFormat.TURTLE))
        else:
            assert_history(data, old, body, False)
        # the next write goes through, with nothing left to recover
        again = requests.post(base + "/plans", data=edited_plan(data, KEY, "after"), headers={"Content-Type": "text/turtle", **AUTH},
                              timeout=120)
        assert again.status_code == 200 and again.json()["recovered"] == [], again.text
        assert served_graph(base)(KEY) == file_triples(data / "plans" / f"{KEY}.ttl")


@pytest.mark.parametrize("step", ("plan-staged", "swapped", "plan-renamed"))
def test_a_return_upload_killed_mid_commit_leaves_its_file_and_the_store_agreeing(site, tmp_path, step):
    """A return's file is committed with the store (staged, swapped, renamed): killed before the swap,
    neither has the return; killed after it, the recovery moves the file into place beside the store's graph."""
    from test_returns_http import PERIOD, PLAN, Q1, XLSX

    data, store = site
    target, graph = data / "returns" / PLAN / f"{PERIOD}.ttl", ns.return_graph(PLAN, PERIOD)
    assert not target.exists()
    log = tmp_path / "server.log"
    with serving_logged(store, data, log, crash_at=step) as base:
        with pytest.raises(requests.ConnectionError):  # the worker died mid-request: no answer
            requests.post(f"{base}/plans/{PLAN}/returns", data=Q1.read_bytes(), headers={"Content-Type": XLSX, **AUTH}, timeout=180)
    started = log.stat().st_size
    with serving_logged(store, data, log) as base:
        said = log.read_text()[started:]
        assert f"cspkg: recovered: {SAYS[step]}" in said, said
        stored = requests.get(f"{base}/graph/return/{PLAN}/{PERIOD}", headers={"Accept": "application/n-triples"}, timeout=60)
        assert not list(target.parent.glob(".*.staged")) if target.parent.exists() else True
        if step in FORWARD:  # the return stands: its file and its graph are the same triples
            assert target.exists() and stored.status_code == 200
            assert iso(ox.parse(stored.content, format=ox.RdfFormat.N_TRIPLES)) == file_triples(target)
        else:  # undone: no file, no graph
            assert not target.exists() and stored.status_code == 404
            assert graph not in EmbeddedStore.open(store).graph_names(lambda g: g.startswith(ns.return_graph(PLAN, "")))
        again = requests.post(f"{base}/plans/{PLAN}/returns", data=Q1.read_bytes(), headers={"Content-Type": XLSX, **AUTH}, timeout=180)
        assert again.status_code in (200, 201) and again.json()["recovered"] == [], again.text
        assert target.exists() and again.json()["replaced"] is (step in FORWARD)


def test_uploads_during_a_build_are_all_kept(site, tmp_path):
    """`cspkg build` holds the writer lock from reading the data folder to its swap: six uploads
    answered while it runs wait for it, and every acknowledged one is served and on file after."""
    from test_workbook import EXAMPLE_XLSX

    data, store = site
    before = {p.name for p in store.glob("build-*") if p.is_dir()}
    keys = sorted(p.stem for p in (data / "plans").glob("*.ttl"))
    uploads = [(key, edited_plan(data, key, "raced a build"), "text/turtle") for key in keys]
    uploads.append(("example-2025-26", EXAMPLE_XLSX.read_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert len(uploads) == 6

    def post(upload):
        key, body, kind = upload
        r = requests.post(f"{base}/plans", data=body, headers={"Content-Type": kind, **AUTH}, timeout=240)
        return key, body, kind, r

    with serving_logged(store, data, tmp_path / "server.log") as base:
        build = subprocess.Popen([CSPKG, "build", "--data", str(data), "--store", str(store)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")})
        deadline, started = time.monotonic() + 60, None
        while started is None and time.monotonic() < deadline and build.poll() is None:  # the build's new store folder appears
            started = next((p.name for p in store.glob("build-*") if p.is_dir() and p.name not in before), None)
            time.sleep(0.01)
        assert started is not None, "the build finished before it could be seen running"
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(post, uploads))
        out, err = build.communicate(timeout=240)
        assert build.returncode == 0, err
        acknowledged = [(key, body, kind, r) for key, body, kind, r in answers if r.status_code in (200, 201)]
        assert len(acknowledged) == 6, [(r.status_code, r.text[-400:]) for *_, r in answers if r.status_code not in (200, 201)]
        # every upload waited for the build and committed after it
        assert all(r.json()["build"] > started for *_, r in acknowledged)
        graph = served_graph(base)
        for key, body, kind, _ in acknowledged:
            on_file = file_triples(data / "plans" / f"{key}.ttl")
            assert graph(key) == on_file, key
            if kind == "text/turtle":
                assert on_file == iso(ox.parse(body, format=ox.RdfFormat.TURTLE)), key


def test_import_waits_for_the_writer_lock(site, tmp_path):
    """`cspkg import` writes only the data folder, but takes its lock: a build reading the folder
    sees the whole file or none of it, never a file that appeared after it read the folder."""
    data, store = site
    source = tmp_path / f"{KEY}.ttl"
    source.write_bytes(edited_plan(data, KEY, "imported"))
    old = (data / "plans" / f"{KEY}.ttl").read_bytes()
    with writer_lock(store, data):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
        proc = subprocess.Popen([CSPKG, "import", str(source), "--data", str(data)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60  # long enough for it to validate and reach the lock
        while time.monotonic() < deadline and proc.poll() is None and not _waiting_on_lock(proc.pid, data):
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        assert (data / "plans" / f"{KEY}.ttl").read_bytes() == old  # still waiting: nothing written
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert file_triples(data / "plans" / f"{KEY}.ttl") == file_triples(source)


def _waiting_on_lock(pid: int, data: Path) -> bool:
    """Whether the process has the data folder's lock file open (it then waits in flock)."""
    lock = str((data / ".writer.lock").resolve())
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == lock for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def test_a_staged_plan_blocks_an_import_until_recovered(site, tmp_path):
    """A kill after staging leaves data/plans/.<key>.staged: an import of that plan is refused
    (the store's recovery may still move the staged file into place) until a write recovers."""
    data, store = site
    source = tmp_path / f"{KEY}.ttl"
    source.write_bytes(edited_plan(data, KEY, "staged"))
    killed = cspkg("replace", source, "--data", data, "--store", store, crash_at="swapped")
    assert killed.returncode == -signal.SIGKILL
    refused = cspkg("import", source, "--data", data)
    assert refused.returncode == 2 and ".tendring-2021-22.staged: a write of plan 'tendring-2021-22'" in refused.stderr, refused.stderr
    refused_replace(data, store, tmp_path)
    done = cspkg("import", source, "--data", data)
    assert done.returncode == 0, done.stderr


def test_serve_starts_while_a_writer_holds_the_lock(site, tmp_path):
    """`cspkg serve` recovers at start only when no writer is at work (a writer recovers as it takes
    the lock): a long build does not hold up a server's start."""
    data, store = site
    with writer_lock(store, data):
        with serving_logged(store, data, tmp_path / "server.log") as base:
            assert requests.get(base + "/healthz", timeout=30).json()["build"] == links(store)[0]


def test_an_upload_that_waits_too_long_for_a_writer_is_refused_in_time(site, tmp_path):
    """An upload waits for a running write, but answers 503 (nothing changed) before gunicorn's
    worker timeout would cut it off."""
    data, store = site
    before, old = links(store), (data / "plans" / f"{KEY}.ttl").read_bytes()
    with writer_lock(store, data):
        with serving_logged(store, data, tmp_path / "server.log", query_timeout=0.5) as base:
            start = time.monotonic()
            r = requests.post(base + "/plans", data=edited_plan(data, KEY, "too late"), headers={"Content-Type": "text/turtle", **AUTH},
                              timeout=120)
            waited = time.monotonic() - start
    assert r.status_code == 503 and r.headers["Retry-After"] == "30" and "nothing was changed" in r.json()["error"], r.text
    assert 15 <= waited < 30.5  # it waited query_timeout + 15 s, under gunicorn's query_timeout + 30 s
    assert links(store) == before and (data / "plans" / f"{KEY}.ttl").read_bytes() == old
