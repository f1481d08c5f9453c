"""National scale on one machine: build, replace, query and serve synthetic corpora of growing size.

Run from the repo (after `make install`; needs `wrk` from Debian and the `oxigraph` server from
PyPI: `apt-get install -y wrk` and `.venv/bin/pip install oxigraph`):

    .venv/bin/python bench/national.py --sizes seed,10k,100k,1m,3m [--work /tmp/cspkg-bench] [--out table.md]

For each size it writes a synthetic corpus (`cspkg synth`; "seed" is the repo's own data), builds
it with `cspkg build` (stage times, peak memory of the build and its workers), measures the store's
open time in a fresh process, replaces one plan (`cspkg.update.replace_plan`), times every canned
query in-process and through the real server (`cspkg serve`, answer cache off), measures canned-query
throughput with wrk at 1, 8 and 32 connections (cache on), and compares `/sparql` with an Oxigraph
server (`oxigraph serve-read-only --union-default-graph`) on a checkpoint of the same store: the same
text on both, bound as clients bind it (bench/sparql_overhead.py, which also runs on its own).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
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
from server import serving  # noqa: E402

from sparql_overhead import LIGHT, REQUEST_TIMEOUT, bindings, compare, difference, oxigraph_server  # noqa: E402  (bench/ is on the path)
from page_latency import paths as page_paths  # noqa: E402

from cspkg.pipeline import rollups, scopes  # noqa: E402
from cspkg.sources import DEFAULT_DATA, Source, parse  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402
from cspkg.pipeline.replace import replace_plan  # noqa: E402

BIN = Path(sys.executable).parent
TARGETS = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000}
# Quads in the store: the reference data with its inferences and shapes, and a synthetic plan with
# its inferences and its validation report (so "3m" is a store of about 3M quads, all graphs counted).
REFERENCE, PER_PLAN = 7_000, 1_500
QUERY_LIMIT = 15.0  # seconds: a query slower than this is reported as a timeout (in-process and HTTP)


def shape_for(target: int) -> tuple[int, int]:
    """Partnerships and years giving about `target` triples."""
    plans = max(1, round((target - REFERENCE) / PER_PLAN))
    years = min(10, plans)
    return -(-plans // years), years


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000 if len(samples) > 1 else samples[0] * 1000


def timed(fn, n: int, budget: float = 10.0, what: str = "") -> list[float]:
    """Up to n timed runs after a warm-up; fewer (at least 3) when they pass the budget in seconds.
    A run that fails (the server's time limit, an error status, a connection closed without an
    answer) ends the series: it is reported as a timeout, the reason printed, and the benchmark
    goes on."""
    try:
        fn()  # warm up
        out = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
            if len(out) >= 3 and sum(out) > budget:
                break
        return out
    except requests.RequestException as error:
        print(f"bench: {what or 'a request'} failed: {error}", file=sys.stderr)
        return []


def answers(session, url: str) -> bool:
    """Whether a page answers 200; a failed request is printed and counts as no."""
    try:
        return session.get(url, timeout=REQUEST_TIMEOUT).status_code == 200
    except requests.RequestException as error:
        print(f"bench: {url} failed: {error}", file=sys.stderr)
        return False


def ms(samples: list[float], q: int) -> str:
    return f"{pct(samples, q):.1f}" if samples else "timeout"


def _direct_series(conn, store_root: str, text: str, subs: dict, n: int) -> None:
    store = EmbeddedStore.open(Path(store_root))
    subs = {ox.Variable(k): next(iter(ox.parse(f"<urn:s> <urn:p> {v} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object
            for k, v in subs.items()}
    conn.send(timed(lambda: store.query(text, substitutions=subs).serialize(format=ox.QueryResultsFormat.JSON), n))


def direct(store_root: Path, text: str, subs: dict, n: int) -> list[float]:
    """In-process timings (the store opened in a child process, as a server's query process does),
    stopped after QUERY_LIMIT seconds for one run (Oxigraph cannot interrupt a query): [] is a timeout."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_direct_series, args=(child, str(store_root), text, {str(k.value): str(v) for k, v in subs.items()}, n))
    proc.start()
    try:
        # the warm-up run and the budget (10 s) plus one more run
        return parent.recv() if parent.poll(QUERY_LIMIT + 10.0 + QUERY_LIMIT) else []
    finally:
        proc.kill()
        proc.join()


def build(data: Path, store: Path) -> dict:
    done = subprocess.run(["/usr/bin/time", "-f", "peak-kb %M", str(BIN / "cspkg"), "build", "--data", str(data), "--store", str(store)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {data} failed ({done.returncode}): {done.stderr[-2000:]}")
    seconds = dict((k, float(v)) for k, v in re.findall(r"(\w+) ([\d.]+)", done.stdout.split("Seconds:")[1].splitlines()[0]))
    return {"seconds": seconds, "peak_mb": int(re.search(r"peak-kb (\d+)", done.stderr).group(1)) / 1024}


def open_time(store: Path) -> float:
    code = ("import sys, time; t = time.perf_counter(); from pathlib import Path; from cspkg.store.embedded import EmbeddedStore; "
            "s = EmbeddedStore.open(Path(sys.argv[1])); bool(s.query('ASK { ?s ?p ?o }')); print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True).stdout)


def replace_time(data: Path, store: Path, runs: int = 5) -> tuple[float, float, dict]:
    """Median and worst seconds to replace one plan (reason + validate + copy + swap), alternating two
    versions; and how many scopes each replace reasoned and validated, counted (not timed)."""
    path = sorted((data / "plans").glob("*.ttl"))[len(list((data / "plans").glob("*.ttl"))) // 2]
    original = parse(Source(path, "plan"))
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    changed = [ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (revised)", language="en"))
               if t.predicate == title else t for t in original]
    samples, counted = [], {"reasoned": set(), "validated": set()}
    rolled: list[int] = []  # how many plans each roll-up computation covered
    add, validate, compute = scopes.ScopeStore.add, scopes.validate_scopes, rollups.compute
    scopes.ScopeStore.add = lambda self, name, triples: (counted["reasoned"].add(name), add(self, name, triples))[1]
    scopes.validate_scopes = lambda store_, bg, wanted, shapes: (counted["validated"].update(n for n, _, _ in wanted),
                                                                 validate(store_, bg, wanted, shapes))[1]
    rollups.compute = lambda store_, keys: (rolled.append(len(keys)), compute(store_, keys))[1]
    try:
        for i in range(runs):
            start = time.perf_counter()
            result = replace_plan(store, path.stem, changed if i % 2 == 0 else original)
            samples.append(time.perf_counter() - start)
            assert result.store_path is not None, [f.message for f in result.violations]
    finally:
        scopes.ScopeStore.add, scopes.validate_scopes, rollups.compute = add, validate, compute
    if runs % 2:
        replace_plan(store, path.stem, original)
    counted = {k: sorted(v) for k, v in counted.items()}
    counted["rolled up"] = max(rolled, default=0)  # plans whose roll-ups one replace recomputed
    return statistics.median(samples), max(samples), counted


def wrk(base: str, urls: list[str], connections: int, seconds: int) -> tuple[float, int]:
    """(responses/s, errors): errors are non-2xx/3xx answers plus wrk's socket errors (connect,
    read, write, timeout)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("local paths = {" + ", ".join(f'"{u}"' for u in urls) + "}\nlocal i = 0\n"
                 "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    script.close()
    done = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "-s", script.name, base],
                          capture_output=True, text=True, check=True)
    os.unlink(script.name)
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", done.stdout)
    errors = (int(status.group(1)) if status else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0)
    if errors:
        print(f"wrk: {errors} errors at {connections} connections:\n{done.stdout}", file=sys.stderr)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1)), errors


def measure(label: str, data: Path, work: Path, requests_each: int, wrk_seconds: int) -> dict:
    store_root = work / f"store-{label}"
    shutil.rmtree(store_root, ignore_errors=True)
    row = {"label": label, **build(data, store_root)}
    store = EmbeddedStore.open(store_root)
    row["triples"] = store.count()
    row["plans"] = len(list((data / "plans").glob("*.ttl")))
    row["open_s"] = open_time(store_root)
    row["replace_s"], row["replace_worst_s"], row["replace_scopes"] = replace_time(data, store_root)
    store = EmbeddedStore.open(store_root)
    queries = bindings(store)
    # In-process as the server runs a canned query: parameters written into the text, all rows.
    row["direct"] = {name: direct(store_root, text, {}, requests_each) for name, (_, _, text) in queries.items()}
    urls = {name: "/queries/" + name + ".json" + ("?" + "&".join(f"{k}={requests.utils.quote(v, safe='')}" for k, v in values.items()) if values else "")
            for name, (values, _, _) in queries.items()}
    with serving(store_root, workers=2, cache_size=0, query_timeout=QUERY_LIMIT) as base:
        session = requests.Session()
        row["http"] = {name: timed(lambda: session.get(base + url, timeout=REQUEST_TIMEOUT).raise_for_status(), requests_each, what=url)
                       for name, url in urls.items()}
        # Every page for leads (the registry's), as a browser asks for it, answer cache off.
        pages = {name: path for name, path in page_paths(store, base).items() if answers(session, base + path)}
        row["pages"] = {name: timed(lambda: session.get(base + path, headers={"Accept": "text/html"}, timeout=REQUEST_TIMEOUT).raise_for_status(),
                                    requests_each, what=path)
                        for name, path in pages.items()}
        row["pages_left_out"] = sorted(set(page_paths(store, base)) - set(pages))
        # The same text on /sparql and on the Oxigraph server, requests alternating between the two.
        # Query by query: the Oxigraph server has no memory limit per query, and the kernel kills it
        # when one takes all the memory; it is then started again for the next query, and noted.
        proc, oxi = oxigraph_server(store_root, work, QUERY_LIMIT)
        row["versus"], row["oxigraph_died"] = {}, []
        try:
            for name, (_, text, _) in queries.items():
                row["versus"].update(compare(base, oxi, {name: text}, requests_each))
                if proc.poll() is not None:
                    row["oxigraph_died"].append((name, proc.returncode))
                    proc, oxi = oxigraph_server(store_root, work, QUERY_LIMIT)
        finally:
            proc.kill()
            proc.wait()
    with serving(store_root, workers=4, query_timeout=QUERY_LIMIT) as base:
        # the mix: every canned query that answered within the time limit through HTTP, and every page
        mix = [url for name, url in urls.items() if row["http"][name]] + [pages[name] for name in pages if row["pages"][name]]
        row["wrk_left_out"] = sorted(name for name in urls if not row["http"][name])
        # one warm-up pass: every address of the mix once, so the answer cache every worker shares
        # holds each answer before the timed runs (the "cache on, after one warm-up pass")
        session = requests.Session()
        for url in mix:
            answers(session, base + url)
        row["wrk"] = {c: wrk(base, mix, c, wrk_seconds) for c in (1, 8, 32)}
    return row


def tables(rows: list[dict]) -> str:
    out = ["| size | plans | triples (quads) | load s | reason s | validate s | roll-ups s | store s | build total s | peak MB | open s | "
           "replace one plan s (median / worst) | scopes reasoned / validated by the replaces | plans rolled up by a replace |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s = r["seconds"]
        out.append(f"| {r['label']} | {r['plans']:,} | {r['triples']:,} | {s.get('load', 0):.1f} | {s.get('reason', 0):.1f} | {s.get('validate', 0):.1f} | "
                   f"{s.get('rollup', 0):.1f} | {s.get('store', 0):.1f} | {s.get('total', 0):.1f} | {r['peak_mb']:,.0f} | {r['open_s']:.2f} | "
                   f"{r['replace_s']:.2f} / {r['replace_worst_s']:.2f} | {len(r['replace_scopes']['reasoned'])} / "
                   f"{len(r['replace_scopes']['validated'])} | {r['replace_scopes']['rolled up']} |")
    out += ["", "Canned-query and page throughput (wrk, 4 workers, answer cache on after a warm-up pass, a mix of every canned "
            "query and every page for leads), responses/s:", "",
            "| size | 1 connection | 8 connections | 32 connections | errors (1 / 8 / 32) |", "|---|---|---|---|---|"]
    out += [f"| {r['label']} | {r['wrk'][1][0]:,.0f} | {r['wrk'][8][0]:,.0f} | {r['wrk'][32][0]:,.0f} | "
            f"{r['wrk'][1][1]} / {r['wrk'][8][1]} / {r['wrk'][32][1]} |"
            + (f" (left out, over the time limit: {', '.join(r['wrk_left_out'])})" if r["wrk_left_out"] else "") for r in rows]
    names = sorted({name for r in rows for name in r["pages"]})
    out += ["", "Pages for leads through HTTP (answer cache off), p50 / p95 ms:", "",
            "| page | " + " | ".join(r["label"] for r in rows) + " |", "|---|" + "---|" * len(rows)]
    for name in names:
        out.append(f"| {name} | " + " | ".join(f"{ms(r['pages'][name], 50)} / {ms(r['pages'][name], 95)}" if r["pages"].get(name)
                                                 else "timeout" if name in r["pages"] else "-" for r in rows) + " |")
    for r in rows:
        out += ["", f"Queries at {r['label']} ({r['triples']:,} triples), ms: in-process p50/p95; canned query through HTTP "
                "(answer cache off, first page) p50/p95; the same text, bound with a leading VALUES block, on the Oxigraph server and on /sparql, "
                "p50/p95 (requests alternating between the two):", "",
                "| query | store p50 | store p95 | HTTP p50 | HTTP p95 | Oxigraph p50 | Oxigraph p95 | /sparql p50 | /sparql p95 | /sparql vs Oxigraph |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for name in r["direct"]:
            d, h, v = r["direct"][name], r["http"][name], r["versus"][name]
            sides = [f"{v[side][i]:.1f}" if v[side] else "timeout" for side in ("oxigraph", "sparql") for i in (0, 1)]
            out.append(f"| {name} | {ms(d, 50)} | {ms(d, 95)} | {ms(h, 50)} | {ms(h, 95)} | {' | '.join(sides)} | {difference(v)} |")
    return "\n".join(out)


def verdicts(rows: list[dict]) -> str:
    """The targets, met or missed, at the largest size measured (and the seed data for throughput)."""
    big = max(rows, key=lambda r: r["triples"])
    out = [f"Targets at {big['label']} ({big['triples']:,} triples; the targets are set for 3M on 2 cores):", ""]

    def line(name, value, limit, unit):
        met = value <= limit
        out.append(f"- {name}: {value:,.2f} {unit} (target ≤ {limit:g} {unit}): "
                   + ("met" if met else f"missed by {value - limit:,.2f} {unit} ({value / limit:.1f}x)"))

    line("full build", big["seconds"]["total"], 60, "s")
    line("build peak memory", big["peak_mb"] / 1024, 4, "GB")
    line("replace one plan (median)", big["replace_s"], 2, "s")
    counted = big["replace_scopes"]
    out.append(f"- replacing one plan reasoned {len(counted['reasoned'])} scope(s) and validated {len(counted['validated'])} "
               f"({', '.join(counted['reasoned'])}): " + ("no other plan re-reasoned or re-validated"
                                                          if len(counted["reasoned"]) == len(counted["validated"]) == 1 else "MORE THAN ONE"))
    out.append(f"- each replace recomputed the roll-ups of {counted['rolled up']} plan(s): "
               + ("its own and no other" if counted["rolled up"] == 1 else "MORE THAN ONE"))
    slow = lambda q: lambda n: pct(big["http"][n], q) if big["http"][n] else float("inf")  # noqa: E731
    worst50, worst95 = max(big["http"], key=slow(50)), max(big["http"], key=slow(95))
    line(f"slowest canned query p50 through HTTP ({worst50})", slow(50)(worst50), 50, "ms")
    line(f"slowest canned query p95 through HTTP ({worst95})", slow(95)(worst95), 250, "ms")
    for kind, series in (("canned queries", big["http"]), ("pages for leads", big["pages"])):
        missed = sorted(n for n, v in series.items() if not v or pct(v, 50) > 50 or pct(v, 95) > 250)
        out.append(f"- {kind} within p50 ≤ 50 ms and p95 ≤ 250 ms: {len(series) - len(missed)} of {len(series)}"
                   + (f"; missed by {', '.join(missed)}" if missed else ""))
    if big.get("pages_left_out"):
        out.append(f"- pages not timed at this size (their example is not in the corpus): {', '.join(big['pages_left_out'])}")
    rate, errors = big["wrk"][32]
    out.append(f"- responses/s at 32 connections, mix of queries and pages (cache on): {rate:,.0f} with {errors} errors "
               "(target ≥ 500, no errors): " + ("met" if rate >= 500 and not errors else "missed"))
    for name, code in big.get("oxigraph_died", []):
        out.append(f"- the Oxigraph server stopped (exit status {code}; -9 is the kernel's kill, as for want of memory) "
                   f"while answering {name}, and was started again for the next query")
    for name, v in big["versus"].items():
        if not v["oxigraph"] or not v["sparql"]:
            out.append(f"- /sparql {name}: a timeout on one side or both (see the table)")
            continue
        o50, s50 = v["oxigraph"][0], v["sparql"][0]
        if o50 >= LIGHT and s50 > 1.25 * o50:
            out.append(f"- /sparql {name}: {s50 / o50:.2f}x the Oxigraph server (target ≤ 1.25x): missed")
        elif o50 < LIGHT and s50 - o50 > 3:
            out.append(f"- /sparql {name}: +{s50 - o50:.1f} ms over the Oxigraph server (target ≤ 3 ms): missed")
    if not any("/sparql" in o for o in out):
        out.append("- /sparql against the Oxigraph server: met for every canned query")
    seed = next((r for r in rows if r["label"] == "seed"), None)
    if seed:
        line("seed data, canned-query responses/s at 32 connections (higher is better; shown as its inverse)",
             1 / seed["wrk"][32][0] * 1000, 1 / 500 * 1000, "ms per response")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seed,10k,100k,1m,3m", help="comma-separated: seed, 10k, 100k, 1m, 3m")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cspkg-bench", help="where corpora and stores go")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per query (default 20)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the tables (Markdown) to this file")
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", str(BIN / "oxigraph")) if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"bench/national.py needs {', '.join(missing)}: `apt-get install wrk` and "
                         "`.venv/bin/pip install -e '.[bench]'` (the Oxigraph server)")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for label in args.sizes.split(","):
        if label == "seed":
            data = args.work / "data-seed"
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(DEFAULT_DATA, data)  # a copy: replacing a plan saves nothing, but stay off the real folder
        else:
            partnerships, years = shape_for(TARGETS[label])
            data = args.work / f"data-{label}"
            subprocess.run([str(BIN / "cspkg"), "synth", "--partnerships", str(partnerships), "--years", str(years),
                            "--seed", str(args.seed), "--out", str(data), "--force"], check=True, capture_output=True)
        print(f"[{time.strftime('%H:%M:%S')}] {label}: building and measuring {data}", file=sys.stderr, flush=True)
        rows.append(measure(label, data, args.work, args.requests, args.wrk_seconds))
        report = tables(rows) + "\n\n" + verdicts(rows)
        if args.out:
            args.out.write_text(report + "\n", encoding="utf-8")
    print(f"Machine: {os.cpu_count()} CPUs; load average at the end {os.getloadavg()[0]:.1f} (other processes share the CPUs).\n")
    print(report)


if __name__ == "__main__":
    main()
