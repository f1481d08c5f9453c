"""The delivery questions over the example progress returns (examples/returns/: two seed plans, two
quarters each), imported into a copy of the data folder and built through the real CLI: each
question's answer is its golden (tests/golden/returns/), and the numbers agree with the return
workbooks themselves, read here with openpyxl: the statuses counted per return, the exceptions
(off track, at risk) of each plan's latest return, and the actions overdue as of its date."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cspkg.sources import DEFAULT_DATA, REPO
from test_pages_browser import browser  # noqa: F401  (a fixture)

CSPKG = str(Path(sys.executable).with_name("cspkg"))
EXAMPLES = REPO / "examples" / "returns"
GOLDEN = REPO / "tests" / "golden" / "returns"
QUESTIONS = ["plan-delivery", "delivery-summary", "action-history", "actions-at-risk", "overdue-actions", "delivery-across-partnerships"]


def cspkg(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    done = subprocess.run([CSPKG, *args], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def example_store(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("returns")
    data, store = work / "data", work / "store"
    shutil.copytree(DEFAULT_DATA, data)
    for book in sorted(EXAMPLES.glob("*/*.xlsx")):
        cspkg("returns", "import", str(book), "--data", str(data))
    cspkg("build", "--data", str(data), "--store", str(store))
    return store


def answer(store: Path, name: str, *params: str) -> list[dict]:
    text = cspkg("query", name, "--store", str(store), "--format", "csv", *[a for p in params for a in ("--param", p)])
    return list(csv.DictReader(io.StringIO(text)))


def workbook(path: Path) -> tuple[dict, dict[str, str]]:
    """(the Return sheet's fields, action key -> status) of an example return, as filled in."""
    book = load_workbook(path)
    fields = {row[0].value: row[1].value for row in book["Return"].iter_rows(min_row=1, max_col=2) if row[0].value}
    up = book["Updates"]
    head = [c.value for c in up[1]]
    status = {}
    for row in up.iter_rows(min_row=2, values_only=True):
        cells = dict(zip(head, row))
        if cells.get("Status") and not str(cells["Key"]).startswith("priority/"):
            status.setdefault(cells["Key"], cells["Status"])
    return fields, status


@pytest.mark.parametrize("name", QUESTIONS)
def test_each_delivery_question_gives_its_golden_answer(example_store, name):
    got = cspkg("query", name, "--store", str(example_store), "--format", "csv")
    assert got.rstrip().splitlines() == (GOLDEN / f"{name}.csv").read_text(encoding="utf-8").rstrip().splitlines()


def test_delivery_summary_counts_what_each_return_says(example_store):
    for plan_dir in sorted(EXAMPLES.iterdir()):
        if not plan_dir.is_dir():
            continue
        rows = answer(example_store, "delivery-summary", f"plan={plan_dir.name}")
        for book in sorted(plan_dir.glob("*.xlsx")):
            _, status = workbook(book)
            counted = {r["statusLabel"]: int(r["actions"]) for r in rows if r["periodKey"] == book.stem}
            expected = {}
            for s in status.values():
                expected[s] = expected.get(s, 0) + 1
            assert counted == expected, book


def test_exceptions_and_overdue_actions_are_those_of_the_latest_return(example_store):
    latest = EXAMPLES / "thurrock-2023-24" / "2023-24-q2.xlsx"
    fields, status = workbook(latest)
    at_risk = answer(example_store, "actions-at-risk", "plan=thurrock-2023-24")
    assert {r["action"].rsplit("/", 1)[1] for r in at_risk} == {k for k, s in status.items() if s in ("off track", "at risk")}
    as_of = fields.get("As of") or fields.get("As of date")
    as_of = as_of.date() if isinstance(as_of, datetime) else date.fromisoformat(str(as_of))
    overdue = answer(example_store, "overdue-actions", "plan=thurrock-2023-24")
    assert overdue and all(date.fromisoformat(r["dueDate"]) < as_of and r["statusLabel"] != "complete" for r in overdue)
    assert "pop-1" in {r["action"].rsplit("/", 1)[1] for r in overdue}, "by June 23, off track as of October: overdue"
    history = answer(example_store, "action-history", "action=thurrock-2023-24/pop-1")
    assert [r["periodKey"] for r in history] == ["2023-24-q1", "2023-24-q2"]
    assert history[-1]["statusLabel"] == status["pop-1"]


def test_the_plan_page_shows_each_actions_latest_status_and_its_change(example_store):
    """Served from the example store: the plan page's statuses, as-of date and changes are plan-delivery's."""
    import re

    import requests
    from server import serving

    with serving(example_store, workers=1) as base:
        page = requests.get(f"{base}/plans/thurrock-2023-24", headers={"Accept": "text/html"}, timeout=60).text
        twin = requests.get(f"{base}/plans/thurrock-2023-24.json", timeout=60).json()["data"]
        rows = {r["action"]: r for r in answer(example_store, "plan-delivery", "plan=thurrock-2023-24")}
        assert twin["delivery"]["period"] == "Q2 2023/24" and twin["delivery"]["reported"] == len(rows)
        assert sum(s["count"] for s in twin["delivery"]["byStatus"]) == len(rows)
        assert "as of 11 October 2023" in page
        shown = {a["action"]: a["delivery"] for g in twin["priorityGroups"] for a in g["actions"] if a.get("delivery")}
        assert {k: v["statusLabel"] for k, v in shown.items()} == {k: v["statusLabel"] for k, v in rows.items()}
        # each status said in words, the colour only beside it; a change since the return before is said
        assert len(re.findall(r'<span class="status rag-(?:red|amber|green|blue|grey)">', page)) >= len(rows)
        assert "(was at risk in Q1 2023/24)" in page  # pop-1: at risk in Q1, off track in Q2
        # a plan with no return shows the plan's own progress words, and no status
        plain = requests.get(f"{base}/plans/tendring-2021-22", headers={"Accept": "text/html"}, timeout=60).text
        assert 'id="delivery"' not in plain


def test_the_board_report_agrees_with_the_questions_and_prints_on_one_a4_page(example_store, browser):
    """From the plan page to its board report in a browser: counts by status against delivery-summary,
    exceptions against actions-at-risk, overdue against overdue-actions; printed, one A4 page."""
    import base64
    import re

    from selenium.webdriver.common.by import By
    from server import serving

    summary = answer(example_store, "delivery-summary", "plan=thurrock-2023-24")
    latest = {r["statusLabel"]: r["actions"] for r in summary if r["periodKey"] == "2023-24-q2"}
    with serving(example_store, workers=1) as base:
        browser.get(f"{base}/plans/thurrock-2023-24")
        browser.find_element(By.LINK_TEXT, "board report").click()
        assert browser.current_url.endswith("/plans/thurrock-2023-24/report")
        for status, count in latest.items():
            assert browser.find_element(By.ID, "n-" + status.replace(" ", "-")).text == count
        exceptions = browser.find_elements(By.CSS_SELECTOR, "table.report-exceptions tbody tr")
        assert len(exceptions) == len(answer(example_store, "actions-at-risk", "plan=thurrock-2023-24"))
        overdue = browser.find_elements(By.CSS_SELECTOR, "table.report-overdue tbody tr")
        assert len(overdue) == len(answer(example_store, "overdue-actions", "plan=thurrock-2023-24")) > 0
        pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
        boxes = re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
        sizes = {tuple(round(float(n)) for n in b.split()) for b in boxes}
        pages = re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)
        assert sizes == {(0, 0, 595, 842)}, sizes  # A4
        assert pages and int(pages.group(1)) == 1, "the board report prints on one page"
