"""Latency of the canned queries through HTTP, and the overhead of /sparql over the store itself.

Run from the repo: `.venv/bin/python bench/http_latency.py [--requests N] [--store PATH]` (after
`cspkg build`). Each question gets the values the national benchmark gives it (bench/params.py:
its defaults, or the corpus's first item of the kind), so it runs on a synthetic corpus too. It
starts the real server (gunicorn, 2 workers) on a free port, twice: with the answer cache off
(every request runs its query) and on (repeat requests are served from the cache), and prints
p50/p95 in milliseconds; then each question's text on /sparql against the store in-process (a
question over /sparql's time limit is named with the answer it got).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import serving  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from params import chosen  # noqa: E402

from cspkg.answers import sparqltext  # noqa: E402
from cspkg.answers.catalogue import catalogue  # noqa: E402
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
    # each question's values: its defaults, or the store's first item of a kind the corpus lacks (params.py)
    values = {name: chosen(store, query) for name, query in queries.items()}
    results = {}
    for cache in (0, 512):
        with serving(args.store, workers=2, cache_size=cache) as base:
            session = requests.Session()
            for name in queries:
                given = values[name][0]
                url = f"{base}/queries/{name}.json" + ("?" + urlencode(given) if given else "")
                samples = timed(lambda: session.get(url).raise_for_status(), args.requests)
                results.setdefault(name, []).append((pct(samples, 50), pct(samples, 95)))
    for name, ((u50, u95), (c50, c95)) in results.items():
        print(f"{name:34} {u50:12.1f} {u95:7.1f} {c50:11.1f} {c95:7.1f}")

    print(f"\n/sparql against the store in-process (same query, {args.requests} runs each, ms)")
    print(f"{'query':34} {'store p50':>9} {'/sparql p50':>11} {'added':>7}")
    with serving(args.store, workers=2) as base:
        session = requests.Session()
        for name, query in queries.items():
            # The endpoint takes plain SPARQL: the values go in a VALUES block first in the WHERE
            # clause, as clients bind them (sparql_overhead.py says why not one after the query),
            # and the same text runs on both sides.
            text = sparqltext.with_values(query.text, {k: str(v) for k, v in values[name][1].items()})
            try:
                via = timed(lambda: session.post(f"{base}/sparql", data=text.encode(), headers={"Content-Type": "application/sparql-query"}).raise_for_status(), args.requests)
            except requests.HTTPError as error:  # over the query time limit (503), at a national size
                print(f"{name:34} {'':9} {'':>11} {'':>7}  /sparql answered {error.response.status_code}: {error.response.text[:80]}")
                continue
            direct = timed(lambda: store.query(text).serialize(format=ox.QueryResultsFormat.JSON), args.requests)
            d50, v50 = pct(direct, 50), pct(via, 50)
            print(f"{name:34} {d50:9.1f} {v50:11.1f} {v50 - d50:7.1f}")


if __name__ == "__main__":
    main()
