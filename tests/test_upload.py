"""Plan upload through the real server (gunicorn, two workers): auth, validation, atomic replace, history."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import requests

from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA, REPO
from cspkg.plans.workbook import mapping, tables
from server import serving
from test_cli import cspkg
from test_workbook import EXAMPLE, EXAMPLE_CSV, EXAMPLE_XLSX, csv_copy, edit, fingerprint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = "correct-horse-battery-staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A data folder copy, a store built from it, and a server with writes on."""
    root = tmp_path_factory.mktemp("upload")
    data = root / "data"
    shutil.copytree(DEFAULT_DATA, data)
    store = root / "store"
    assert not run(data, store).violations
    with serving(store, workers=2, data=data, write_token=TOKEN) as base:
        yield base, data, store


def xlsx_of(folder: Path, path: Path) -> bytes:
    m = mapping.load()
    read = tables.read(folder, m)
    tables.write_xlsx([read[s.name] for s in m.sheets if s.name in read], path, m)
    return path.read_bytes()


def summary(base: str, plan: str) -> dict:
    r = requests.get(f"{base}/queries/plan-summary.csv", params={"plan": plan}, timeout=30)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    return rows[0] if rows else {}


def build_id(base: str) -> str:
    return requests.get(base + "/healthz", timeout=10).json()["build"]


def test_writes_are_off_without_a_token(tmp_path, store_root):
    with serving(store_root, workers=1) as base:
        r = requests.post(base + "/plans", data=EXAMPLE_XLSX.read_bytes(), headers={"Content-Type": XLSX, **AUTH}, timeout=30)
    assert r.status_code == 403 and "writes are off" in r.json()["error"]


def test_a_wrong_token_is_refused(site):
    base, data, _ = site
    before = fingerprint(data)
    r = requests.post(base + "/plans", data=EXAMPLE_XLSX.read_bytes(),
                      headers={"Content-Type": XLSX, "Authorization": "Bearer guess"}, timeout=30)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert fingerprint(data) == before


def test_the_example_workbook_uploads_and_every_worker_serves_it(site):
    base, data, store = site
    r = requests.post(base + "/plans", data=EXAMPLE_XLSX.read_bytes(),
                      headers={"Content-Type": XLSX, "X-Filename": "plan-workbook.xlsx", **AUTH}, timeout=60)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ok"] and body["plan"] == EXAMPLE and body["graph"].endswith(f"/graph/plan/{EXAMPLE}")
    assert r.headers["Location"] == f"/doc/plan/{EXAMPLE}"
    assert (data / "plans" / f"{EXAMPLE}.ttl").is_file()
    # both workers (several requests land on each) answer with the new plan at once
    for _ in range(6):
        row = summary(base, EXAMPLE)
        assert (row["actions"], row["fundedActions"], row["totalGBP"]) == ("5", "4", "11419.63")
    # its page and its graph are served
    assert requests.get(f"{base}/doc/plan/{EXAMPLE}", timeout=30).status_code == 200
    # a later full build keeps it: the data folder is the source of truth
    done = cspkg("build", "--data", str(data), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert summary(base, EXAMPLE)["actions"] == "5"


def test_a_new_version_keeps_the_old_one_retrievable(site):
    base, data, _ = site
    first = (data / "plans" / "tendring-2021-22.ttl").read_bytes()
    new = first.replace(b'csp:periodAsStated "2021/2022"', b'csp:periodAsStated "2021 to 2022"')
    assert new != first
    r = requests.post(base + "/plans", data=new, headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert r.status_code == 200, r.text
    assert summary(base, "tendring-2021-22")["period"] == "2021 to 2022"
    listing = requests.get(base + "/plans/tendring-2021-22/versions", timeout=30).json()
    assert len(listing["versions"]) >= 1
    old = requests.get(base + listing["versions"][-1]["url"], timeout=30)
    assert old.status_code == 200 and old.headers["Content-Type"].startswith("text/turtle") and old.content == first
    assert requests.get(base + "/plans/tendring-2021-22/versions/nope", timeout=30).status_code == 404


def test_a_plan_with_violations_is_refused_and_changes_nothing(site, tmp_path):
    base, data, _ = site
    book = csv_copy(tmp_path)
    (book / "funding.csv").write_text("Key,Type,As written,Amount (£)\nf1,none required,None required,100\n", encoding="utf-8")
    edit(book, "actions.csv", 2, "Funding", "")
    edit(book, "actions.csv", 2, "Funding rows", "f1")
    edit(book, "plan.csv", 2, "Key", "example-2026-27")
    before, build = fingerprint(data), build_id(base)
    r = requests.post(base + "/plans", data=xlsx_of(book, tmp_path / "bad.xlsx"), headers={"Content-Type": XLSX, **AUTH}, timeout=60)
    assert r.status_code == 422, r.text
    body = r.json()
    assert not body["ok"] and "nothing was changed" in body["error"]
    bad = [f for f in body["findings"] if f["severity"] == "violation"]
    assert bad and bad[0]["where"] == "Funding row 2, column Amount (£)"
    assert fingerprint(data) == before and build_id(base) == build
    r = requests.get(f"{base}/queries/plan-summary.csv", params={"plan": "example-2026-27"}, timeout=30)
    assert r.status_code == 400 and "is not a partnership plan in the data" in r.text


@pytest.mark.parametrize("payload, ctype, status, text", [
    (b"Priority,Action\n1,Do things\n", XLSX, 400, "not an Excel workbook"),
    (b"<html></html>", "text/html", 415, "send a workbook"),
    (b"@prefix : <x> . :a :b", "text/turtle", 400, "Turtle syntax error"),
    (b"", XLSX, 400, "no body"),
])
def test_bad_uploads_get_clear_errors(site, payload, ctype, status, text):
    base, data, _ = site
    before = fingerprint(data)
    r = requests.post(base + "/plans", data=payload, headers={"Content-Type": ctype, **AUTH}, timeout=30)
    assert r.status_code == status and text in r.json()["error"], r.text
    assert fingerprint(data) == before


def test_unreadable_workbook_problems_are_listed_by_cell(site, tmp_path):
    base, data, _ = site
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 3, "Lead agency", "Essex Polise")
    r = requests.post(base + "/plans", data=xlsx_of(book, tmp_path / "typo.xlsx"), headers={"Content-Type": XLSX, **AUTH}, timeout=30)
    assert r.status_code == 400
    problem = r.json()["problems"][0]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Actions", 3, "G (Lead agency)")
    assert "Essex Police" in problem["message"]


def test_an_upload_over_the_size_limit_is_refused(site):
    base, data, _ = site
    r = requests.post(base + "/plans", data=b"0" * 20_000_001, headers={"Content-Type": XLSX, **AUTH}, timeout=60)
    assert r.status_code == 413


def test_year_on_year_compares_only_plans_of_one_partnership(site):
    """/diff sets a plan beside another of its own partnership (tests/test_pages_http.py compares two);
    a plan of another partnership is a 400 that says so, and the form is shown again."""
    base, _, _ = site
    pair = {"before": "tendring-2021-22", "after": "braintree-2022-23"}
    r = requests.get(base + "/diff", params=pair, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 400 and "only plans of one partnership are compared" in r.text and '<select id="after"' in r.text
    j = requests.get(base + "/diff.json", params=pair, timeout=30)
    assert j.status_code == 400 and "Braintree District Community Safety Partnership" in j.json()["error"]
    bad = requests.get(base + "/diff.json", params={"before": "nowhere-2020-21", "after": "braintree-2022-23"}, timeout=30)
    assert bad.status_code == 400 and "parameter 'before'" in bad.json()["error"]
