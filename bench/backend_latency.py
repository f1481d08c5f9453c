"""Latency of every canned query on the embedded store and on an Oxigraph server (the remote backend).

Run from the repo: `.venv/bin/python bench/backend_latency.py [--requests N]` (after `cspkg build`).
It starts an Oxigraph server on a free loopback port, builds the data into it with the remote
backend, then times each query with its default parameters: through the store verbs in-process,
and through HTTP (`cspkg serve`, answer cache off), for both backends. Prints p50 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import oxigraph_server, remote_settings, serving  # noqa: E402

from http_latency import timed  # noqa: E402  (bench/ is on the path when a script here runs)

from cspkg.pipeline.build import run  # noqa: E402
from cspkg.answers.catalogue import bind, catalogue  # noqa: E402
from cspkg.store.remote import RemoteStore  # noqa: E402
from cspkg.settings import Settings  # noqa: E402
from cspkg.sources import DEFAULT_DATA, REPO  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402


def p50(fn, n: int) -> float:
    return statistics.median(timed(fn, n)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20, help="runs per query and backend (default 20)")
    parser.add_argument("--store", type=Path, default=REPO / "store")
    args = parser.parse_args()
    queries = catalogue()
    with tempfile.TemporaryDirectory() as tmp, oxigraph_server(Path(tmp) / "db") as base:
        settings = remote_settings(base)
        start = time.perf_counter()
        run(DEFAULT_DATA, Path(tmp) / "unused", settings=Settings(**settings))
        print(f"build into the Oxigraph server: {time.perf_counter() - start:.1f} s (load, reason, validate, send)")
        stores = {"embedded": EmbeddedStore.open(args.store), "remote": RemoteStore(Settings(**settings))}
        times: dict[str, list[float]] = {name: [] for name in queries}
        for store in stores.values():
            for name, query in queries.items():
                subs = {ox.Variable(k): v for k, v in bind(query, {}, lambda s: bool(store.query(s))).items()}
                times[name].append(p50(lambda: store.query(query.text, substitutions=subs).serialize(
                    format=ox.QueryResultsFormat.JSON), args.requests))
        for backend in ({}, settings):
            with serving(args.store, workers=2, cache_size=0, **backend) as server:
                session = requests.Session()
                for name in queries:
                    url = f"{server}/queries/{name}.json"
                    times[name].append(p50(lambda: session.get(url).raise_for_status(), args.requests))
    print(f"\nCanned queries, p50 ms over {args.requests} runs (default parameters)")
    print(f"{'query':30} {'embedded':>9} {'remote':>7}   {'HTTP embedded':>13} {'HTTP remote':>11}")
    for name, (emb, rem, http_emb, http_rem) in times.items():
        print(f"{name:30} {emb:9.1f} {rem:7.1f}   {http_emb:13.1f} {http_rem:11.1f}")


if __name__ == "__main__":
    main()
