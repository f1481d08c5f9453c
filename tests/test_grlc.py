"""The canned queries run unchanged in grlc (PyPI, 1.3): grlc serves queries/ from the local folder
against the real server's /sparql, loads every query with the parameters, defaults and choices cspkg
reads from the same headers, and answers each as /queries/<name>.json does (the same rows, in any
order), page by page.

grlc lives in a virtual environment of its own (scripts/grlc-venv, under .cache/), as it pins
dependencies older than ours; it runs in one child process (tests/grlc_client.py) on loopback only.
The test is skipped only when PyPI cannot be reached to install it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from cspkg.answers.catalogue import QUERIES_DIR, catalogue
from cspkg.sources import REPO

VENV = REPO / os.environ.get("GRLC_VENV", ".cache/grlc-venv")  # relative to the repository, as make gives it
CLIENT = Path(__file__).with_name("grlc_client.py")
QUERIES = catalogue()
MAX_PAGES = 20  # more than any canned answer over the seed data needs; a bound, not a guess at the count
# Values besides the defaults, so that an optional parameter is given and a second text is searched.
EXTRA = [("funding-by-source", {"plan": "https://w3id.org/cspkg/id/plan/tendring-2021-22"}),
         ("search", {"text": "Domestic"}),
         ("plan-summary", {"plan": "https://w3id.org/cspkg/id/plan/braintree-2022-23"})]


@pytest.fixture(scope="module")
def grlc_python() -> Path:
    """The Python of a virtual environment with grlc 1.3, made (once) from PyPI."""
    env = {**os.environ, "PYTHON": sys.executable}
    made = subprocess.run([str(REPO / "scripts" / "grlc-venv"), str(VENV)], env=env, capture_output=True, text=True, timeout=600)
    if made.returncode != 0:
        try:
            requests.head("https://pypi.org/simple/grlc/", timeout=15)
        except requests.RequestException as err:
            pytest.skip(f"grlc cannot be installed: PyPI is unreachable ({type(err).__name__})")
        pytest.fail(f"scripts/grlc-venv failed: {made.stdout[-2000:]}{made.stderr[-2000:]}")
    return VENV / "bin" / "python"


def header_values(query) -> dict[str, str]:
    """The header's defaults as written (IRIs in full): what a grlc user sends."""
    return {str(k): str(v) for item in query.meta.get("defaults") or [] for k, v in item.items()}


def cspkg_pages(base: str, name: str, args: dict) -> list[dict]:
    """Every page of /queries/<name>.json with these values, following rel="next"."""
    pages = []
    for page in range(1, MAX_PAGES + 1):
        response = requests.get(f"{base}/queries/{name}.json", params={**args, "page": page}, timeout=60)
        assert response.status_code == 200, (name, args, response.text[:500])
        pages.append(response.json())
        if 'rel="next"' not in response.headers.get("Link", ""):
            return pages
    raise AssertionError(f"{name}: more than {MAX_PAGES} pages")


def rows(results: dict) -> list[str]:
    return sorted(json.dumps(b, sort_keys=True) for b in results["results"]["bindings"])


@pytest.fixture(scope="module")
def compared(grlc_python, server):
    """cspkg's pages and grlc's answers to the same calls, with grlc's API document."""
    cases = [(name, header_values(q)) for name, q in QUERIES.items()] + EXTRA
    expected, calls = [], []
    for name, args in cases:
        pages = cspkg_pages(server, name, args)
        for number, page in enumerate(pages, start=1):
            expected.append((name, args, number, page))
            calls.append({"name": name, "args": {**args, **({"page": number} if QUERIES[name].pagination else {})}})
    done = subprocess.run([str(grlc_python), str(CLIENT), str(QUERIES_DIR), f"{server}/sparql"],
                          input=json.dumps(calls), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    return out["swagger"], list(zip(expected, out["answers"]))


def test_grlc_loads_every_query_with_the_parameters_cspkg_reads(compared):
    swagger, _ = compared
    assert "Could not parse" not in swagger["info"].get("description", ""), swagger["info"]["description"]
    assert {path.strip("/") for path in swagger["paths"]} == set(QUERIES)
    for name, query in QUERIES.items():
        operation = swagger["paths"][f"/{name}"]["get"]
        params = {p["name"]: p for p in operation["parameters"] if p["name"] not in ("endpoint", "page")}
        assert set(params) == {p.name for p in query.params}, name
        for p in query.params:
            given = params[p.name]
            assert given["required"] == p.required, (name, p.name)
            assert given.get("default") == header_values(query).get(p.name), (name, p.name)
            # grlc sorts the listed values; cspkg offers the same IRIs (and their short keys)
            assert given.get("enum") == (sorted(query.enumerate[p.name]) if p.name in query.enumerate else None), (name, p.name)
        assert ("page" in {p["name"] for p in operation["parameters"]}) == bool(query.pagination), name


def test_grlc_answers_every_query_as_cspkg_does(compared):
    _, pairs = compared
    assert {name for (name, *_), _ in pairs} == set(QUERIES)
    for (name, args, page, expected), answer in pairs:
        where = f"{name} {args} page {page}"
        assert answer["status"] == 200 and "json" in answer["content_type"], (where, answer["body"][:500])
        got = json.loads(answer["body"])
        assert "results" in got, (where, answer["body"][:500])
        assert got["head"]["vars"] == expected["head"]["vars"], where
        assert rows(got) == rows(expected), where
