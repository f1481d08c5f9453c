"""Every page for leads through HTTP: p50 and p95 in milliseconds, answer cache off and on.

    .venv/bin/python bench/page_latency.py [--store store] [--requests 30]

The pages are the registry's (`cspkg.web.leads.registry.LEAD_PAGES`), so a new page is timed once
it is listed there. On the seed data each page's own example is timed; on another corpus (a
synthetic one has no Tendring plan) a page whose route takes a key gets the corpus's first item of
that kind, and an example the corpus cannot answer (404) is reported, not timed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import serving  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_latency import timed  # noqa: E402  (warm-up, then n timed runs)
from sparql_overhead import pct  # noqa: E402

from cspkg.namespaces import BASE  # noqa: E402
from cspkg.sources import REPO  # noqa: E402
from cspkg.store.embedded import EmbeddedStore  # noqa: E402
from cspkg.web.leads.registry import LEAD_PAGES  # noqa: E402

CLASSES = {"plan": "https://w3id.org/cspkg/def/PartnershipPlan", "duty": "https://w3id.org/cspkg/def/LegalDuty",
           "partnership": "https://w3id.org/cspkg/def/CommunitySafetyPartnership",
           "agency": "http://www.w3.org/ns/org#Organization"}


def first_key(store: EmbeddedStore, kind: str) -> str | None:
    """The first key, in IRI order, of a thing of this kind minted under /id/<kind>/."""
    prefix = f"{BASE}id/{kind}/"
    for row in store.query(f"SELECT DISTINCT ?x WHERE {{ ?x a <{CLASSES[kind]}> FILTER(STRSTARTS(STR(?x), \"{prefix}\")) }} ORDER BY ?x LIMIT 1"):
        return row["x"].value[len(prefix):]
    return None


def paths(store: EmbeddedStore, base: str) -> dict[str, str]:
    """Per page: the path timed (its example, or the route with the corpus's first key)."""
    out = {}
    for page in LEAD_PAGES:
        path = page.example
        if requests.get(base + path).status_code == 404 and page.key and page.key in CLASSES:
            key = first_key(store, page.key)
            path = page.rule.replace("<key>", key) if key else path
        out[page.name] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=REPO / "store")
    parser.add_argument("--requests", type=int, default=30, help="requests per page and cache setting (default 30)")
    args = parser.parse_args()
    store = EmbeddedStore.open(args.store)
    print(f"{store.count():,} triples; {args.requests} requests per page (ms, through gunicorn with 2 workers)")
    print(f"| {'page':<12} | {'path':<52} | {'uncached p50':>12} | {'p95':>7} | {'cached p50':>10} | {'p95':>7} |")
    print(f"|{'-' * 14}|{'-' * 54}|{'-' * 14}|{'-' * 9}|{'-' * 12}|{'-' * 9}|")
    results: dict[str, list] = {}
    chosen: dict[str, str] = {}
    for cache in (0, 512):
        with serving(args.store, workers=2, cache_size=cache) as base:
            chosen = chosen or paths(store, base)
            session = requests.Session()
            for name, path in chosen.items():
                status = session.get(base + path).status_code
                if status != 200:
                    results[name] = [f"HTTP {status}"]
                    continue
                samples = timed(lambda: session.get(base + path, headers={"Accept": "text/html"}).raise_for_status(), args.requests)
                results.setdefault(name, []).append((pct(samples, 50), pct(samples, 95)))
    for name, figures in results.items():
        if isinstance(figures[0], str):
            print(f"| {name:<12} | {chosen[name]:<52} | {figures[0]:>12} | {'':>7} | {'':>10} | {'':>7} |")
            continue
        (u50, u95), (c50, c95) = figures
        print(f"| {name:<12} | {chosen[name]:<52} | {u50:12.1f} | {u95:7.1f} | {c50:10.1f} | {c95:7.1f} |")


if __name__ == "__main__":
    main()
