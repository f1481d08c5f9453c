"""Latency of the canned queries through HTTP, and the overhead of /sparql over the store itself.

Run from the repo: `.venv/bin/python bench/http_latency.py [--requests N]` (after `cspkg build`).
It starts the real server (gunicorn, 2 workers) on a free port, twice: with the answer cache off
(every request runs its query) and on (repeat requests are served from the cache), and prints
p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import serving  # noqa: E402

from cspkg.answers.catalogue import bind, catalogue  # noqa: E402
from cspkg.sources import REPO  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1] * 1000


def timed(fn, n: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50, help="requests per query (default 50)")
    parser.add_argument("--store", type=Path, default=REPO / "store")
    args = parser.parse_args()
    queries = catalogue()
    store = EmbeddedStore.open(args.store)

    print(f"Canned queries through HTTP ({args.requests} requests each, ms)")
    print(f"{'query':34} {'uncached p50':>12} {'p95':>7} {'cached p50':>11} {'p95':>7}")
    results = {}
    for cache in (0, 512):
        with serving(args.store, workers=2, cache_size=cache) as base:
            session = requests.Session()
            for name in queries:
                url = f"{base}/queries/{name}.json"
                samples = timed(lambda: session.get(url).raise_for_status(), args.requests)
                results.setdefault(name, []).append((pct(samples, 50), pct(samples, 95)))
    for name, ((u50, u95), (c50, c95)) in results.items():
        print(f"{name:34} {u50:12.1f} {u95:7.1f} {c50:11.1f} {c95:7.1f}")

    print(f"\n/sparql against the store in-process (same query, {args.requests} runs each, ms)")
    print(f"{'query':34} {'store p50':>9} {'/sparql p50':>11} {'added':>7}")
    with serving(args.store, workers=2) as base:
        session = requests.Session()
        for name, query in queries.items():
            bound = bind(query, {}, lambda s: bool(store.query(s)))
            # The endpoint takes plain SPARQL: the default values go in a VALUES block, and the
            # same text runs on both sides.
            text = query.text
            if bound:
                values = " ".join(str(v) for v in bound.values())
                head = " ".join(f"?{k}" for k in bound)
                text = text.rstrip() + f"\nVALUES ({head}) {{ ({values}) }}"
            direct = timed(lambda: store.query(text).serialize(format=ox.QueryResultsFormat.JSON), args.requests)
            via = timed(lambda: session.post(f"{base}/sparql", data=text.encode(), headers={"Content-Type": "application/sparql-query"}).raise_for_status(), args.requests)
            d50, v50 = pct(direct, 50), pct(via, 50)
            print(f"{name:34} {d50:9.1f} {v50:11.1f} {v50 - d50:7.1f}")


if __name__ == "__main__":
    main()
