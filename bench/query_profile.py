"""Time every canned query in-process on a built store: rows, p50 and p95 in milliseconds.

    .venv/bin/python bench/query_profile.py --store /tmp/big/store-1m [--runs 10] [--only plans,search]
                                            [--queries DIR] [--save DIR] [--compare DIR]

Parameters are bound as the server binds them (`bind`, their terms written into the text): each query's defaults, or,
where a default is missing from the corpus, the first item of the right class (as bench/national.py
does). Each run serializes the whole answer to JSON, so the query is evaluated in full ("all rows",
as bench/national.py times it in-process); for a paginated query, "first page" also times the text
the server runs for page 1 (`LIMIT size+1 OFFSET 0` appended), which is what a canned query through
HTTP costs. `--queries`
times the .rq files of another folder (for example a copy of the queries before a change); `--save`
writes each answer (JSON) to a folder and `--compare` checks the answers against such a folder, so a
rewrite can be shown to give exactly the same rows, in the same order, at scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from params import chosen  # noqa: E402

from cspkg.answers.catalogue import QUERIES_DIR, catalogue, prepared
from cspkg.store.embedded import EmbeddedStore


def text_of(store: EmbeddedStore, query) -> str:
    """The text the server runs for one canned query: its parameters' terms written in
    (`catalogue.prepared`; bench/params.py chooses the values)."""
    return prepared(query, chosen(store, query)[1])


def pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def timed(store: EmbeddedStore, text: str, runs: int, budget: float) -> tuple[bytes, list[float]]:
    """The JSON answer, and the seconds of up to `runs` timed runs after a warm-up (at least 3 when
    they pass the budget)."""
    run = lambda: store.query(text).serialize(format=ox.QueryResultsFormat.JSON)  # noqa: E731
    answer, samples = run(), []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
        if len(samples) >= 3 and sum(samples) > budget:
            break
    return answer, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a built store (the folder holding `current`)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query after one warm-up (default 10)")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per query before stopping early (at least 3 runs)")
    parser.add_argument("--only", help="comma-separated query names (default: all)")
    parser.add_argument("--queries", type=Path, default=QUERIES_DIR, help="folder of .rq files (default: the repo's)")
    parser.add_argument("--save", type=Path, help="write each query's JSON answer to this folder")
    parser.add_argument("--compare", type=Path, help="check each answer against the JSON saved in this folder")
    args = parser.parse_args()
    store = EmbeddedStore.open(args.store)
    queries = catalogue(args.queries)
    names = args.only.split(",") if args.only else sorted(queries)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    print(f"{store.count():,} triples; {args.runs} runs per query", file=sys.stderr)
    print("ms: all rows p50/p95 (in-process, whole answer); first page p50/p95 (paginated queries, as the server runs them)")
    print(f"| {'query':<30} | {'rows':>6} | {'all p50':>9} | {'all p95':>9} | {'runs':>4} | {'page p50':>9} | {'page p95':>9} |"
          + (" same |" if args.compare else ""))
    print(f"|{'-' * 32}|{'-' * 8}|{'-' * 11}|{'-' * 11}|{'-' * 6}|{'-' * 11}|{'-' * 11}|" + ("------|" if args.compare else ""))
    mismatches = []
    for name in names:
        query = queries[name]
        text = text_of(store, query)
        answer, samples = timed(store, text, args.runs, args.budget)
        page = ""
        if query.pagination:
            _, first = timed(store, text + f"\nLIMIT {query.pagination + 1} OFFSET 0", args.runs, args.budget)
            page = f" {pct(first, 50):>9.1f} | {pct(first, 95):>9.1f} |"
        else:
            page = f" {'-':>9} | {'-':>9} |"
        rows = len(list(store.query(text)))
        same = ""
        if args.save:
            (args.save / f"{name}.json").write_bytes(answer)
        if args.compare:
            ok = (args.compare / f"{name}.json").read_bytes() == answer
            same = f" {'yes' if ok else 'NO':>4} |"
            if not ok:
                mismatches.append(name)
        print(f"| {name:<30} | {rows:>6} | {pct(samples, 50):>9.1f} | {pct(samples, 95):>9.1f} | {len(samples):>4} |{page}{same}", flush=True)
    if mismatches:
        raise SystemExit(f"answers differ from {args.compare}: {', '.join(mismatches)}")


if __name__ == "__main__":
    main()
