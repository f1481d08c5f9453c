"""Reliability under load: can the service be put on the public internet as `cspkg serve` starts it?

Run from the repo after `cspkg build` (needs `wrk` from Debian: `apt-get install wrk`):

    .venv/bin/python bench/reliability.py [--seconds 60] [--connections 64] [--slow 50] [--store store]

It starts the real server with the README's defaults on a free loopback port and prints:
1. wrk for SECONDS at CONNECTIONS connections on a mix of lead pages, canned queries, `/sparql`
   (GET and POST) and `/doc` pages: responses/s, socket errors, non-2xx answers, p50 and p99;
2. the same while SLOW slow clients (slowloris: a partial request, one more header byte a second)
   hold connections open, and how long a plain GET /healthz takes among them;
3. four concurrent 1 MB queries (refused by the body cap) and four just under the cap (parsed
   and answered or refused): the time until each is answered.
Every connection goes to 127.0.0.1, and every loop is bounded by the run's duration.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import CSPKG, free_port, running  # noqa: E402

from cspkg.sources import REPO  # noqa: E402

PLAN = "thurrock-2023-24"
SPARQL = "PREFIX csp: <https://w3id.org/cspkg/def/> SELECT ?plan (COUNT(?a) AS ?n) WHERE { ?a csp:actionOf ?plan } GROUP BY ?plan"
# GET paths of the mix; the wrk script adds a POST of SPARQL to /sparql every fourth request.
MIX = ["/", f"/plans/{PLAN}", f"/plans/{PLAN}/trace", "/coverage", "/compare", "/search?q=knife",
       "/queries/plan-summary.json?plan=" + PLAN, "/queries/duties-without-funded-actions.json",
       "/queries/actions-for-duty.json?duty=serious-violence-duty",
       "/sparql?query=" + quote(SPARQL), f"/doc/plan/{PLAN}", f"/doc/plan/{PLAN}.ttl", "/doc/duty/serious-violence-duty"]

LUA = """
local paths = {%(paths)s}
local sparql = %(sparql)s
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
request = function()
  i = i + 1
  if i %% 4 == 0 then
    return wrk.format("POST", "/sparql", {["Content-Type"] = "application/sparql-query", ["Accept"] = "application/sparql-results+json"}, sparql)
  end
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
done = function(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format("COUNTS %%d %%d\\n", o, b))
  io.write(string.format("PCT %%f %%f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(base: str, connections: int, seconds: int) -> dict:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(LUA % {"paths": ", ".join(lua_string(p) for p in MIX), "sparql": lua_string(SPARQL)})
    script.close()
    try:
        done = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                               "-s", script.name, base], capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    out = done.stdout
    ok, bad = map(int, re.search(r"COUNTS (\d+) (\d+)", out).groups())
    p50, p99 = map(float, re.search(r"PCT ([\d.]+) ([\d.]+)", out).groups())
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "ok": ok, "non2xx": bad,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0, "p50": p50, "p99": p99}


class SlowClients:
    """N connections that each send a partial request and then one header byte a second, until stopped."""

    def __init__(self, base: str, n: int):
        url = urlsplit(base)
        self.address, self.n, self.stop = (url.hostname, url.port), n, threading.Event()
        self.open = 0
        self.threads = [threading.Thread(target=self._hold, daemon=True) for _ in range(n)]

    def _hold(self) -> None:
        try:
            with socket.create_connection(self.address, timeout=5) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.open += 1
                while not self.stop.wait(1.0):  # bounded: stop() ends every loop
                    sock.sendall(b"X")
        except OSError:
            pass

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(2)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(5)


def big_query(size: int) -> str:
    """A valid SELECT of about `size` bytes: a long VALUES block of strings."""
    head, rows = "SELECT ?x WHERE { VALUES ?x { ", []
    used = len(head) + 3
    i = 0
    while used < size:
        row = f'"v{i:08d}" '
        rows.append(row)
        used += len(row)
        i += 1
    return head + "".join(rows) + "} }"


def concurrent_posts(base: str, text: str, n: int = 4) -> list[tuple[str, float]]:
    def one(_):
        start = time.perf_counter()
        try:
            status = str(requests.post(base + "/sparql", data=text.encode(), timeout=60,
                                       headers={"Content-Type": "application/sparql-query",
                                                "Accept": "application/sparql-results+json"}).status_code)
        except requests.RequestException as err:
            status = f"no answer ({type(err).__name__})"
        return status, time.perf_counter() - start

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def healthz_time(base: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        status = str(requests.get(base + "/healthz", timeout=30).status_code)
    except requests.RequestException as err:  # the outage this script looks for
        status = f"no answer ({type(err).__name__})"
    return status, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--slow", type=int, default=50, help="slow clients held during the second run")
    parser.add_argument("--store", type=Path, default=REPO / "store")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/reliability.py needs wrk: `apt-get install wrk`")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # `cspkg serve` as the README starts it: its default workers, threads and limits
    with running([CSPKG, "serve", "--store", str(args.store), "--port", str(port)], base + "/healthz", "server"):
        for path in MIX:  # every path of the mix answers before it is measured
            requests.get(base + path, timeout=60).raise_for_status()
        print(f"Mix of {len(MIX)} GET paths and a POST to /sparql, {args.connections} connections, {args.seconds} s each:")
        print(f"{'run':28} {'resp/s':>8} {'2xx':>8} {'non-2xx':>8} {'sock err':>8} {'p50 ms':>8} {'p99 ms':>8}")
        row = wrk(base, args.connections, args.seconds)
        print(f"{'plain':28} {row['rps']:8.0f} {row['ok']:8d} {row['non2xx']:8d} {row['socket_errors']:8d} {row['p50']:8.1f} {row['p99']:8.1f}")
        with SlowClients(base, args.slow) as slow:
            status, took = healthz_time(base)
            row = wrk(base, args.connections, args.seconds)
            label = f"with {slow.open} slow clients"
            print(f"{label:28} {row['rps']:8.0f} {row['ok']:8d} {row['non2xx']:8d} {row['socket_errors']:8d} {row['p50']:8.1f} {row['p99']:8.1f}")
            print(f"GET /healthz among {slow.open} slow clients: {status} in {took * 1000:.0f} ms")
        for label, size in (("1 MB (over the body cap)", 1 << 20), ("990 kB (under the cap)", 990_000)):
            answers = concurrent_posts(base, big_query(size))
            print(f"4 concurrent {label} queries: " + ", ".join(f"{s} in {t:.2f} s" for s, t in answers))
        status, took = healthz_time(base)
        print(f"GET /healthz afterwards: {status} in {took * 1000:.0f} ms")


if __name__ == "__main__":
    main()
