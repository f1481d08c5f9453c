"""Every canned query on other SPARQL engines, compared with its golden answer.

Run from the repo: `.venv/bin/python bench/other_engines.py [--engines jena,oxigraph,virtuoso] [--timeout 30]`
(after `cspkg build`; it reads ./store). It writes the built store as N-Quads into a temporary folder,
loads it into each engine, sends each canned query with its default parameters bound as a client
binds them (each term, a full IRI or typed literal, where its variable stands; see tests/engines.py) and prints a
Markdown table: `same`, `same` with a note (rows in another order, numbers written differently),
`different` (how), `timeout` (no answer within --timeout seconds) or `error`.

The engines, each on loopback in the temporary folder and stopped at the end:
- jena: Apache Jena's ARQ from Debian (`apt-get install libapache-jena-java default-jre-headless`),
  `tdb2.tdbloader` then `tdb2.tdbquery --set tdb:unionDefaultGraph=true`, one JVM per query;
- oxigraph: the Oxigraph server (`oxigraph` from PyPI, beside this Python), `--union-default-graph`;
- virtuoso: OpenLink Virtuoso 7 from Debian (`apt-get install virtuoso-opensource`), a fresh database
  loaded with its bulk loader; a query without FROM sees every graph. Its own query limit is off
  (it would answer a part of the rows without an error); a query past --timeout is abandoned and
  the server, which may still be busy with it, is killed and restarted on the same database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from engines import Answer, EngineMissing, Jena, Verdict, bound_text, compare, read_json, reference, store_ask  # noqa: E402
from server import OXIGRAPH, free_port  # noqa: E402

from cspkg.answers.catalogue import catalogue  # noqa: E402
from cspkg.sources import REPO  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402

GOLDEN = REPO / "tests" / "golden"
RESULTS_JSON = "application/sparql-results+json"


class Server:
    """A server process in its own process group, its log in a file."""

    def __init__(self, argv: list[str], cwd: Path, log: Path):
        self.argv, self.cwd, self.log = argv, cwd, log
        self.proc: subprocess.Popen | None = None

    def start(self, ready) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while not ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.argv[0]} did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


def answers(url: str) -> bool:
    try:
        return requests.post(url, data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON}, timeout=5).ok
    except requests.RequestException:
        return False


class HttpEngine:
    url = ""

    def query(self, name: str, text: str, timeout: float) -> Answer:
        response = requests.post(self.url, data={"query": text}, headers={"Accept": RESULTS_JSON}, timeout=timeout)
        if not response.ok:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:500]}")
        return read_json(response.content)


class Oxigraph(HttpEngine):
    name = "Oxigraph server"

    def __init__(self, dump: Path, workdir: Path, timeout: float):
        if not OXIGRAPH.exists():
            raise EngineMissing(f"{OXIGRAPH} not found: `pip install oxigraph` in this environment")
        location = workdir / "oxigraph"
        subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(dump)], check=True,
                       capture_output=True, timeout=600)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/query"
        self.server = Server([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                              "--union-default-graph", "--timeout-s", str(int(timeout))], workdir, workdir / "oxigraph.log")
        self.server.start(lambda: answers(self.url))

    def version(self) -> str:
        return subprocess.run([str(OXIGRAPH), "--version"], capture_output=True, text=True).stdout.strip()

    def close(self) -> None:
        self.server.stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 40000
MaxDirtyBuffers = 30000
CheckpointInterval = 0
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


class Virtuoso(HttpEngine):
    name = "OpenLink Virtuoso"

    def __init__(self, dump: Path, workdir: Path, timeout: float):
        binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
        if not binary or not isql:
            raise EngineMissing("virtuoso-t/isql-vt not found: apt-get install virtuoso-opensource")
        folder = workdir / "virtuoso"
        folder.mkdir()
        shutil.copy(dump, folder / "cspkg.nq")
        self.sql, http = free_port(), free_port()
        (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, sql=self.sql, http=http))
        self.url, self.isql = f"http://127.0.0.1:{http}/sparql", isql
        self.server = Server([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")], folder, folder / "server.log")
        self.server.start(lambda: answers(self.url))
        # The bulk loader reads the graph of each quad; then a checkpoint, so a restart finds the data.
        self._sql(f"ld_dir('{folder}', 'cspkg.nq', 'urn:cspkg:unused'); rdf_loader_run(); checkpoint;")
        self.restarts = 0

    def _sql(self, statements: str) -> str:
        done = subprocess.run([self.isql, f"127.0.0.1:{self.sql}", "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode or "Error" in done.stdout:
            raise RuntimeError(f"isql: {done.stdout[-1000:]} {done.stderr[-1000:]}")
        return done.stdout

    def version(self) -> str:
        done = subprocess.run([shutil.which("virtuoso-t"), "-?"], capture_output=True, text=True)
        line = next((l for l in (done.stdout + done.stderr).splitlines() if "Version" in l), "")
        return "Virtuoso " + line.split("Version", 1)[1].strip().split(" ")[0] if line else "Virtuoso"

    def query(self, name: str, text: str, timeout: float) -> Answer:
        try:
            return super().query(name, text, timeout)
        except requests.Timeout:
            self.server.stop()  # it may go on with the query, and would then hold up the next ones
            self.server.start(lambda: answers(self.url))
            self.restarts += 1
            raise

    def close(self) -> None:
        self.server.stop()


ENGINES = {"jena": lambda dump, work, timeout: Jena(dump, work), "oxigraph": Oxigraph, "virtuoso": Virtuoso}


def run_engine(engine, store, timeout: float) -> dict[str, Verdict]:
    verdicts = {}
    for name, query in catalogue().items():
        text = bound_text(query, store_ask(store))
        golden = (GOLDEN / f"{name}.csv").read_bytes().decode("utf-8")
        start = time.monotonic()
        try:
            got = engine.query(name, text, timeout)
        except (requests.Timeout, subprocess.TimeoutExpired):
            verdicts[name] = Verdict("timeout", f"no answer within {timeout:g} s")
        except Exception as err:  # the engine refused the query or failed: say how
            verdicts[name] = Verdict("error", " ".join(str(err).split())[:300])
        else:
            verdicts[name] = compare(golden, reference(store, text), got, text)
            verdicts[name].seconds = time.monotonic() - start
        print(f"  {name}: {verdicts[name].status} {verdicts[name].detail}", file=sys.stderr, flush=True)  # progress
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="jena,oxigraph,virtuoso", help="comma-separated: " + ", ".join(ENGINES))
    parser.add_argument("--timeout", type=float, default=30, help="seconds per query (default 30)")
    parser.add_argument("--store", type=Path, default=REPO / "store")
    args = parser.parse_args()
    store = EmbeddedStore.open(args.store)
    names = [e.strip() for e in args.engines.split(",") if e.strip()]
    results, versions = {}, {}
    with tempfile.TemporaryDirectory(prefix="cspkg-engines-") as tmp:
        dump = Path(tmp) / "cspkg.nq"
        dump.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
        for key in names:
            work = Path(tmp) / key
            work.mkdir()
            print(f"{key}: loading {dump.stat().st_size // 1024} KiB of N-Quads", file=sys.stderr, flush=True)
            engine = ENGINES[key](dump, work, args.timeout)
            try:
                versions[key] = engine.version()
                results[key] = run_engine(engine, store, args.timeout)
            finally:
                if hasattr(engine, "close"):
                    engine.close()
    print("| query | " + " | ".join(f"{k} ({versions[k]})" for k in names) + " |")
    print("|---|" + "---|" * len(names))
    for name in catalogue():
        cells = []
        for key in names:
            v = results[key][name]
            took = f" ({v.seconds:.1f} s)" if v.seconds is not None else ""
            cells.append(v.status + took + (f": {v.detail}" if v.detail else ""))
        print(f"| `{name}` | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    for key in names:
        counts = {}
        for v in results[key].values():
            counts[v.status] = counts.get(v.status, 0) + 1
        print(f"\n{key}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
