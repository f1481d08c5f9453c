"""What `/sparql` adds over an Oxigraph server on the same data and the same query text.

Run from the repo (after `cspkg build`; the `oxigraph` server comes with `pip install -e '.[bench]'`):

    .venv/bin/python bench/sparql_overhead.py [--requests 100] [--rounds 3] [--store store]

Each canned query is bound to its default parameters (or the store's first item of the kind) the
way clients bind them: a VALUES block first in the WHERE clause (and in each subquery that projects
a bound variable), as the remote backend sends it (`sparqltext.with_values`). A trailing VALUES
block after the whole query is not used: engines join it after evaluating the query, so every query
is slower and the fixed overhead looks smaller than it is.

The same text, with the same Accept (SPARQL JSON results unless --accept says otherwise), goes
to cspkg's `/sparql` (gunicorn, 2 workers, the query sandbox on) and to `oxigraph serve-read-only
--union-default-graph` on a checkpoint of the same store. Requests alternate between the two
servers (the order reversed every other turn), so both see the same load from whatever else runs
on the machine. Each round gives a p50 and p95 per query and side;
the table shows the median over the rounds (the machine is shared: one round can be unlucky).
The last column is the CPU time the endpoint spends reading the text (its tokenizer, measured
in-process before the servers start): the part of the difference that grows with the query's length.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import free_port, serving  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from params import chosen  # noqa: E402

from cspkg.answers import sparqltext  # noqa: E402
from cspkg.answers.catalogue import catalogue, prepared  # noqa: E402
from cspkg.sources import REPO  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402

BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"
REQUEST_TIMEOUT = 60.0  # seconds: a request with no answer by then is failed, not waited on for ever
LIGHT = 20.0  # ms: below this Oxigraph p50 a query is light, and the target is an added time (≤ 3 ms), not a ratio


def pct(samples: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    if len(samples) == 1:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def bindings(store: EmbeddedStore) -> dict[str, tuple[dict, str, str]]:
    """Per canned query: its parameter values (the defaults, or the store's first item of the kind),
    the query text with them bound as a client sends it (a leading VALUES block, see the module's
    note), and the text the server's canned-query route runs (each parameter's term written where its
variable stands, `catalogue.prepared`)."""
    out = {}
    for name, query in catalogue().items():
        values, bound = chosen(store, query)
        text = sparqltext.with_values(query.text, {k: str(v) for k, v in bound.items()})
        out[name] = (values, text, prepared(query, bound))
    return out


def oxigraph_server(store: Path, work: Path, timeout: float = 15.0):
    """An Oxigraph server on a checkpoint of the built store (the same data, its own files):
    (process, base URL). The caller stops the process."""
    copy = work / "oxigraph"
    shutil.rmtree(copy, ignore_errors=True)
    ox.Store.read_only(str((store / "current").resolve())).backup(str(copy))
    port = free_port()
    proc = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph", "--timeout-s", str(int(timeout))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
            return proc, base
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the Oxigraph server did not start")


def poster(base: str, path: str, text: str, accept: str = ACCEPT):
    """A function that sends the query once (POST application/sparql-query) and reads the whole
    answer; it raises on an error status."""
    session, url, body = requests.Session(), base + path, text.encode()
    headers = {"Content-Type": "application/sparql-query", "Accept": accept}

    def send() -> None:
        session.post(url, data=body, headers=headers, timeout=REQUEST_TIMEOUT).raise_for_status()

    send.url = url
    return send


def alternate(sides: list, n: int, budget: float = 10.0) -> list[list[float]]:
    """Seconds per request for each side, the sides taking turns request by request: up to n each
    after a warm-up, fewer (at least 3) when a side's total passes the budget. [] for a side whose
    request failed (a timeout or an error): the series is not comparable then."""
    out: list[list[float]] = [[] for _ in sides]
    failed = [False] * len(sides)
    for i, send in enumerate(sides):
        try:
            send()
        except requests.RequestException as error:
            failed[i] = True
            print(f"bench: {send.url} failed: {error}", file=sys.stderr)
    for turn in range(n):
        # every other turn in reverse order: a server still finishing one request (closing the
        # connection, writing its log) slows whichever request comes next, so no side always follows
        for i in (range(len(sides)) if turn % 2 == 0 else reversed(range(len(sides)))):
            send = sides[i]
            if failed[i]:
                continue
            start = time.perf_counter()
            try:
                send()
            except requests.RequestException as error:
                # an error status, a timeout or a connection the server closed: the side is
                # reported as failed and the benchmark goes on
                failed[i] = True
                print(f"bench: {send.url} failed: {error}", file=sys.stderr)
                continue
            out[i].append(time.perf_counter() - start)
        if min(len(s) for s in out) >= 3 and max(sum(s) for s in out) > budget:
            break
    return [[] if bad else s for s, bad in zip(out, failed)]


def compare(cspkg: str, oxigraph: str, texts: dict[str, str], n: int, rounds: int = 1, accept: str = ACCEPT) -> dict[str, dict]:
    """Per query, the p50 and p95 (ms, each the median over the rounds) of cspkg `/sparql` and the
    Oxigraph server's `/query`, or None for a side that failed."""
    per_round: dict[str, list] = {name: [] for name in texts}
    for _ in range(rounds):
        for name, text in texts.items():
            per_round[name].append(alternate([poster(cspkg, "/sparql", text, accept), poster(oxigraph, "/query", text, accept)], n))
    out = {}
    for name, runs in per_round.items():
        row = {}
        for side, i in (("sparql", 0), ("oxigraph", 1)):
            series = [run[i] for run in runs if run[i]]
            row[side] = (statistics.median(pct(s, 50) for s in series), statistics.median(pct(s, 95) for s in series)) if series else None
        out[name] = row
    return out


def difference(row: dict) -> str:
    """What /sparql adds at p50: milliseconds for a light query, a ratio for a heavy one."""
    if not row["sparql"] or not row["oxigraph"]:
        return "-"
    s50, o50 = row["sparql"][0], row["oxigraph"][0]
    return f"{s50 / o50:.2f}x" if o50 >= LIGHT else f"{s50 - o50:+.1f} ms"


def scan_ms(text: str, n: int = 20) -> float:
    """CPU milliseconds the endpoint's reading of the text takes (sparqltext.read, median of n):
    the part of /sparql's added time that grows with the length of the query."""
    samples = []
    for _ in range(n):
        start = time.process_time()
        sparqltext.read(text)
        samples.append(time.process_time() - start)
    return statistics.median(samples) * 1000


def table(rows: dict[str, dict], scans: dict[str, float] | None = None) -> str:
    def cell(v, i):
        return f"{v[i]:.1f}" if v else "fail"

    scans = scans or {}
    out = ["| query | Oxigraph p50 | Oxigraph p95 | /sparql p50 | /sparql p95 | /sparql − Oxigraph p50 | of which reading the text |",
           "|---|---|---|---|---|---|---|"]
    for name, row in rows.items():
        o, s = row["oxigraph"], row["sparql"]
        scan = f"{scans[name]:.2f}" if name in scans else "-"
        out.append(f"| {name} | {cell(o, 0)} | {cell(o, 1)} | {cell(s, 0)} | {cell(s, 1)} | {difference(row)} | {scan} |")
    light = [row["sparql"][0] - row["oxigraph"][0] for row in rows.values()
             if row["sparql"] and row["oxigraph"] and row["oxigraph"][0] < LIGHT]
    if light:
        out += ["", f"Light queries (Oxigraph p50 < {LIGHT:g} ms): {len(light)}; added p50: median {statistics.median(light):+.1f} ms, "
                f"worst {max(light):+.1f} ms (target ≤ 3 ms)"]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=REPO / "store")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per query, side and round (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the table gives the median of their percentiles (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="cspkg server workers (default 2)")
    parser.add_argument("--only", help="comma-separated canned query names (default: all)")
    parser.add_argument("--accept", default=ACCEPT, help=f"the Accept header both servers get (default {ACCEPT}; e.g. text/csv)")
    args = parser.parse_args()
    if not (BIN / "oxigraph").exists():
        raise SystemExit("bench/sparql_overhead.py needs the Oxigraph server: `.venv/bin/pip install -e '.[bench]'`")
    texts = {name: text for name, (_, text, _) in bindings(EmbeddedStore.open(args.store)).items()}
    if args.only:
        texts = {name: texts[name] for name in args.only.split(",")}
    scans = {name: scan_ms(text) for name, text in texts.items()}  # before the servers start: nothing else runs
    with tempfile.TemporaryDirectory() as work, serving(args.store, workers=args.workers, cache_size=0) as base:
        proc, oxi = oxigraph_server(args.store, Path(work))
        try:
            rows = compare(base, oxi, texts, args.requests, args.rounds, args.accept)
        finally:
            proc.kill()
            proc.wait()
    print(f"/sparql and the Oxigraph server, the same text (leading VALUES), Accept {args.accept}, ms; "
          f"{args.requests} requests x {args.rounds} rounds, "
          f"median of the rounds. Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}.\n")
    print(table(rows, scans))


if __name__ == "__main__":
    main()
