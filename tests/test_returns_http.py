"""Progress returns over HTTP (`POST /plans/<key>/returns`) through the real server: the write token and
partnership tokens, the CLI's located errors as a 422, the return's file and history, and its graph in the store."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from cspkg.pipeline.build import run
from cspkg.returns.workbook import COL
from cspkg.sources import DEFAULT_DATA
from server import serving
from test_cli import cspkg
from test_returns import EXAMPLES, count_statuses, row_of
from test_upload_ownership import bearer, issue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN = "admin-token-for-the-returns-tests"
PLAN, PERIOD = "thurrock-2023-24", "2023-24-q1"
Q1 = EXAMPLES / PLAN / f"{PERIOD}.xlsx"
URL = f"/plans/{PLAN}/returns"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A data folder copy, its store, partnership tokens for Thurrock and Tendring, and a server with writes on."""
    root = tmp_path_factory.mktemp("returns-http")
    data = root / "data"
    shutil.copytree(DEFAULT_DATA, data)
    store = root / "store"
    assert not run(data, store).violations
    tokens_file = root / "write-tokens"
    scoped = {p: issue(tokens_file, p, data) for p in ("thurrock-csp", "tendring-csp")}
    with serving(store, workers=2, data=data, write_token=ADMIN, tokens_file=tokens_file) as base:
        yield base, data, scoped


def post(base: str, body: bytes, headers: dict, key: str = PLAN) -> requests.Response:
    return requests.post(f"{base}/plans/{key}/returns", data=body, headers={"Content-Type": XLSX, **headers}, timeout=180)


def build_id(base: str) -> str:
    return requests.get(base + "/healthz", timeout=10).json()["build"]


def written(data: Path) -> list[str]:
    """Every return file and kept earlier return in the data folder, with its size."""
    return sorted(f"{p.relative_to(data)}:{p.stat().st_size}" for folder in ("returns", "history/returns")
                  for p in (data / folder).rglob("*.ttl"))


def statuses(base: str, plan: str, period: str) -> dict[str, int]:
    """Each status word and how many updates the return's graph gives it, as the server's /sparql answers."""
    graph = f"https://w3id.org/cspkg/graph/return/{plan}/{period}"
    query = ("PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             f"SELECT ?word (COUNT(?u) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?r a csp:ProgressReturn ; csp:includesUpdate ?u . "
             "?u csp:status ?s } ?s skos:prefLabel ?label BIND(STR(?label) AS ?word) } GROUP BY ?word")
    r = requests.get(base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return {b["word"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def edited(edit) -> bytes:
    """The Thurrock Q1 example, edited by edit(updates sheet), as workbook bytes."""
    book = load_workbook(Q1)
    edit(book["Updates"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(site, body: bytes, headers: dict, status: int, key: str = PLAN) -> dict:
    """Post a return that must be refused; check nothing changed, in the data folder or the store."""
    base, data, _ = site
    before, build = written(data), build_id(base)
    r = post(base, body, headers, key)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert written(data) == before and build_id(base) == build
    return r.json()


def test_without_a_token_a_return_is_refused(site):
    base, _, _ = site
    answer = refused(site, Q1.read_bytes(), {}, 401)
    assert "write token" in answer["error"]
    assert post(base, Q1.read_bytes(), bearer("not-a-token")).status_code == 401


def test_another_partnerships_token_is_refused(site):
    answer = refused(site, Q1.read_bytes(), bearer(site[2]["tendring-csp"]), 403)
    assert "tendring-csp" in answer["error"] and "thurrock-csp" in answer["error"]


def test_a_return_for_another_plan_is_refused_naming_both(site):
    other = EXAMPLES / "castle-point-rochford-2017-18" / "2017-18-q1.xlsx"
    answer = refused(site, other.read_bytes(), bearer(ADMIN), 422)
    assert "castle-point-rochford-2017-18" in answer["error"] and PLAN in answer["error"]
    assert answer["workbook_plan"] == "castle-point-rochford-2017-18" and answer["plan"] == PLAN


def test_a_bad_return_lists_each_located_problem_and_writes_nothing(site):
    def edit(up):
        up.cell(row=row_of(up, "pop-2"), column=COL["Status"], value="amber-ish")
        up.cell(row=row_of(up, "pop-3"), column=COL["Key"], value="pop-999")

    body = edited(edit)
    answer = refused(site, body, bearer(ADMIN), 422)
    places = {(p["sheet"], p["column"]): p for p in answer["problems"]}
    assert set(places) == {("Updates", "Status"), ("Updates", "Key")}, answer
    status, key = places["Updates", "Status"], places["Updates", "Key"]
    assert status["cell"] == f"{status['cell'][0]}{row_of(load_workbook(io.BytesIO(body))['Updates'], 'pop-2')}"
    assert "'amber-ish' is not a status; write one of:" in status["message"]
    assert "'pop-999' is not an action or priority of plan thurrock-2023-24" in key["message"]
    assert key["cell"].startswith("A")


def test_what_is_not_a_workbook_is_a_clear_error(site):
    answer = refused(site, b"not a workbook at all", bearer(ADMIN), 422)
    assert "not a readable .xlsx workbook" in answer["error"]
    base = site[0]
    r = requests.post(base + URL, data=b"@prefix x: <y> .", headers={"Content-Type": "text/csv", **bearer(ADMIN)}, timeout=30)
    assert r.status_code == 415 and "cspkg returns template" in r.json()["error"]
    assert post(base, Q1.read_bytes(), bearer(ADMIN), key="no-such-plan").status_code == 404


def test_a_return_over_the_size_limit_is_refused(site):
    base, data, _ = site
    before = written(data)
    r = post(base, b"0" * 20_000_001, bearer(ADMIN))
    assert r.status_code == 413 and written(data) == before


def test_a_return_goes_into_the_store_and_a_second_replaces_it_keeping_the_first(site):
    base, data, scoped = site
    target = data / "returns" / PLAN / f"{PERIOD}.ttl"
    assert not target.exists()
    build = build_id(base)
    r = post(base, Q1.read_bytes(), bearer(scoped["thurrock-csp"]))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["ok"] and first["plan"] == PLAN and first["period"] == PERIOD and first["replaced"] is False
    assert first["graph"] == f"https://w3id.org/cspkg/graph/return/{PLAN}/{PERIOD}" and first["history"] is None
    assert first["build"] != build and build_id(base) == first["build"]
    assert target.is_file()
    assert statuses(base, PLAN, PERIOD) == count_statuses(Q1)
    # the file is the one `cspkg returns import` would write: a build of the data folder has the same graph
    assert b"csp:ProgressReturn" in target.read_bytes()
    first_file = target.read_bytes()
    graph = requests.get(base + r.headers["Location"], headers={"Accept": "text/turtle"}, timeout=30)
    assert graph.status_code == 200 and "ProgressReturn" in graph.text

    def complete(up):
        up.cell(row=row_of(up, "pop-1"), column=COL["Status"], value="complete")

    r = post(base, edited(complete), bearer(ADMIN))
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["replaced"] is True and second["history"] and second["build"] != first["build"]
    kept = data / second["history"]
    assert kept.read_bytes() == first_file and target.read_bytes() != first_file
    history = cspkg("returns", "history", PLAN, PERIOD, "--data", str(data))
    assert history.returncode == 0, history.stderr
    assert f"earlier: {kept}" in history.stdout and f"current: {target}" in history.stdout
    expected = count_statuses(Q1)
    was = str(load_workbook(Q1)["Updates"].cell(row=row_of(load_workbook(Q1)["Updates"], "pop-1"), column=COL["Status"]).value
              or "not stated")
    expected[was] -= 1
    expected["complete"] = expected.get("complete", 0) + 1
    assert statuses(base, PLAN, PERIOD) == {w: n for w, n in expected.items() if n}
    # the plan's own graph is untouched by its returns
    assert (data / "plans" / f"{PLAN}.ttl").read_bytes() == (DEFAULT_DATA / "plans" / f"{PLAN}.ttl").read_bytes()
