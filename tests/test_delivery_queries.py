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


# Goldens of questions asked with parameters: the report for a chosen period asks these, and the spend
# of the example return that gives it (Thurrock Q2).
ASKED = {
    "plan-spend": ("plan-spend", "plan=thurrock-2023-24"),
    "plan-delivery-2023-24-q1": ("plan-delivery", "plan=thurrock-2023-24", "period=2023-24-q1"),
    "delivery-summary-2023-24-q1": ("delivery-summary", "plan=thurrock-2023-24", "period=2023-24-q1"),
    "actions-at-risk-2023-24-q1": ("actions-at-risk", "plan=thurrock-2023-24", "period=2023-24-q1"),
    "overdue-actions-2023-24-q1": ("overdue-actions", "plan=thurrock-2023-24", "period=2023-24-q1"),
    "actions-at-risk-2017-18-q1": ("actions-at-risk", "period=2017-18-q1"),
}


@pytest.mark.parametrize("golden", sorted(ASKED))
def test_each_delivery_question_asked_for_a_period_gives_its_golden_answer(example_store, golden):
    name, *params = ASKED[golden]
    got = cspkg("query", name, "--store", str(example_store), "--format", "csv", *[a for p in params for a in ("--param", p)])
    assert got.rstrip().splitlines() == (GOLDEN / f"{golden}.csv").read_text(encoding="utf-8").rstrip().splitlines()


def test_an_earlier_period_is_that_returns_answer_not_the_latest(example_store):
    """Asked for Q1, the questions answer as of Q1's return, as the Q1 workbook says: its statuses,
    its exceptions, the actions overdue as of its own date, and no return before it."""
    q1 = EXAMPLES / "thurrock-2023-24" / "2023-24-q1.xlsx"
    fields, status = workbook(q1)
    asked = ("plan=thurrock-2023-24", "period=2023-24-q1")
    rows = answer(example_store, "plan-delivery", *asked)
    assert {r["action"].rsplit("/", 1)[1]: r["statusLabel"] for r in rows} == status
    assert {r["period"] for r in rows} == {"Q1 2023/24"} and not any(r["previousLabel"] for r in rows)
    at_risk = answer(example_store, "actions-at-risk", *asked)
    assert {r["action"].rsplit("/", 1)[1] for r in at_risk} == {k for k, s in status.items() if s in ("off track", "at risk")}
    as_of = fields["As of"]
    as_of = as_of.date() if isinstance(as_of, datetime) else date.fromisoformat(str(as_of))
    overdue = answer(example_store, "overdue-actions", *asked)
    assert overdue and all(date.fromisoformat(r["dueDate"]) < as_of and r["asAt"] == as_of.isoformat() for r in overdue)
    assert {r["periodKey"] for r in answer(example_store, "delivery-summary", *asked)} == {"2023-24-q1"}
    # a period with no return is no rows, not the latest
    assert answer(example_store, "plan-delivery", "plan=thurrock-2023-24", "period=2023-24-q3") == []


def test_spend_is_what_the_return_gives_against_what_the_plan_states(example_store):
    q2 = EXAMPLES / "thurrock-2023-24" / "2023-24-q2.xlsx"
    up = load_workbook(q2)["Updates"]
    head = [c.value for c in up[1]]
    given = {row[0]: row[head.index("Spent to date (£)")] for row in up.iter_rows(min_row=2, values_only=True)
             if row[head.index("Spent to date (£)")] is not None}
    assert given, "the Thurrock Q2 example gives spend"
    rows = answer(example_store, "plan-spend", "plan=thurrock-2023-24")
    assert {r["action"].rsplit("/", 1)[1]: float(r["spentGBP"]) for r in rows if r["spentGBP"]} == {k: float(v) for k, v in given.items()}
    assert all(r["periodKey"] == "2023-24-q2" and not r["statedGBP"] and not r["spentPercent"] for r in rows)
    assert not answer(example_store, "plan-spend", "plan=thurrock-2023-24", "period=2023-24-q1"), "Q1 gives no spend"


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
    exceptions against actions-at-risk, overdue against overdue-actions, spend against plan-spend; printed,
    one A4 page; then the return before, chosen from the list of periods, also on one A4 page."""
    from selenium.webdriver.common.by import By
    from server import serving
    from test_pages_browser import screenshot

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
        spend = browser.find_elements(By.CSS_SELECTOR, "table.report-spend tbody tr")
        assert len(spend) == len([r for r in answer(example_store, "plan-spend", "plan=thurrock-2023-24") if r["spentGBP"]]) > 0
        one_a4_page(browser)
        screenshot(browser, "board-report")  # the README's "Through the year"
        # the return before, chosen from the list of periods: its own counts, and it prints on one page too
        browser.find_element(By.CSS_SELECTOR, "#periods").find_element(By.LINK_TEXT, "Q1 2023/24").click()
        assert browser.current_url.endswith("/plans/thurrock-2023-24/report?period=2023-24-q1")
        assert browser.find_element(By.CSS_SELECTOR, "#periods [aria-current=page]").text == "Q1 2023/24"
        for r in answer(example_store, "delivery-summary", "plan=thurrock-2023-24", "period=2023-24-q1"):
            assert browser.find_element(By.ID, "n-" + r["statusLabel"].replace(" ", "-")).text == r["actions"]
        assert browser.find_element(By.ID, "no-spend").text == "No spend was reported in this return."
        one_a4_page(browser)


def one_a4_page(browser) -> None:
    import base64
    import re

    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    boxes = re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    sizes = {tuple(round(float(n)) for n in b.split()) for b in boxes}
    pages = re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)
    assert sizes == {(0, 0, 595, 842)}, sizes  # A4
    assert pages and int(pages.group(1)) == 1, "the board report prints on one page"


def test_the_board_report_for_a_chosen_period_agrees_with_the_questions_asked_for_it(example_store):
    """/plans/<key>/report?period=...: that period's return, compared with the one before it, judged as
    of its own date; the periods listed as links, the chosen one marked; a text that is not a period
    key is a 400 in the periods' own words, a period the plan has no return for a 404 naming those it
    has; never a 500."""
    import re

    import requests
    from server import serving

    html = {"Accept": "text/html"}
    report = "/plans/thurrock-2023-24/report"
    with serving(example_store, workers=1) as base:
        for period, before in (("2023-24-q1", None), ("2023-24-q2", "2023-24-q1")):
            asked = ("plan=thurrock-2023-24", f"period={period}")
            got = requests.get(f"{base}{report}?period={period}", headers=html, timeout=60)
            assert got.status_code == 200, got.text
            twin = requests.get(f"{base}{report}.json?period={period}", timeout=60).json()
            data = twin["data"]
            counts = {r["statusLabel"]: int(r["actions"]) for r in answer(example_store, "delivery-summary", *asked)}
            assert {s["status"]: s["now"] for s in data["byStatus"] if s["now"]} == counts
            for status, n in counts.items():
                assert re.search(rf'id="n-{status.replace(" ", "-")}">{n}<', got.text), status
            assert (data["before"] or {}).get("periodKey") == before
            assert len(data["exceptions"]) == len(answer(example_store, "actions-at-risk", *asked))
            assert [r["action"] for r in data["overdue"]] == [r["action"] for r in answer(example_store, "overdue-actions", *asked)]
            assert {"query": "plan-delivery", "parameters": {"plan": "thurrock-2023-24", "period": period}} in [
                {k: s[k] for k in ("query", "parameters")} for s in twin["computedBy"]]
            # the periods as links, the chosen one marked
            links = re.findall(r'<a href="/plans/thurrock-2023-24/report\?period=([^"]+)"( aria-current="page")?>', got.text)
            assert [k for k, _ in links] == ["2023-24-q1", "2023-24-q2"]
            assert [k for k, current in links if current] == [period]
        # without a period: the latest, the same as asking for it
        latest = requests.get(f"{base}{report}.json", timeout=60).json()["data"]
        chosen = requests.get(f"{base}{report}.json?period=2023-24-q2", timeout=60).json()["data"]
        assert {k: v for k, v in latest.items() if k != "period"} == {k: v for k, v in chosen.items() if k != "period"}
        # the spend the Q2 return gives, with "no amount stated" where the plan states none; Q1 gives none
        q2 = requests.get(f"{base}{report}?period=2023-24-q2", headers=html, timeout=60).text
        spend = answer(example_store, "plan-spend", "plan=thurrock-2023-24", "period=2023-24-q2")
        assert len(re.findall(r"<td class=\"n\">no amount stated</td>", q2)) == len([r for r in spend if r["spentGBP"]]) == 3
        assert "£850.50" in q2 and "£1,200" in q2
        q1 = requests.get(f"{base}{report}?period=2023-24-q1", headers=html, timeout=60).text
        assert "No spend was reported in this return." in q1 and 'class="report-spend"' not in q1
        # bad periods
        for bad in ("bogus", "2023-25", "2023-24-q5", "x" * 600, "<script>"):
            got = requests.get(f"{base}{report}", params={"period": bad}, headers=html, timeout=60)
            assert got.status_code == 400, (bad, got.status_code)
            assert "is not a reporting period" in got.text or "does not follow" in got.text
            assert "write it as a financial quarter, e.g. 2023-24-q2" in got.text and "<script>" not in got.text
            assert requests.get(f"{base}{report}.json", params={"period": bad}, timeout=60).status_code == 400
        missing = requests.get(f"{base}{report}?period=2023-24-q3", headers=html, timeout=60)
        assert missing.status_code == 404 and "no progress return for <strong>Q3 2023/24</strong>" in missing.text
        assert 'href="/plans/thurrock-2023-24/report?period=2023-24-q1"' in missing.text
        assert 'href="/plans/thurrock-2023-24/report?period=2023-24-q2"' in missing.text
        twin = requests.get(f"{base}{report}.json?period=2023-24-q3", timeout=60)
        assert twin.status_code == 404 and "2023-24-q1 (Q1 2023/24), 2023-24-q2 (Q2 2023/24)" in twin.json()["error"]
        none = requests.get(f"{base}/plans/tendring-2021-22/report?period=2021-22-q1", headers=html, timeout=60)
        assert none.status_code == 404 and "It has no progress return yet." in none.text


def test_spend_against_a_stated_amount_is_a_ratio_and_without_one_is_not(tmp_path):
    """A Tendring return (whose plan states pounds for some actions) with spend: the ratio where the
    plan states an amount, "no amount stated" where it states funding in kind; through the CLI."""
    import requests
    from server import serving

    from cspkg.returns.workbook import COL, SPENT

    data, store, book = tmp_path / "data", tmp_path / "store", tmp_path / "2021-22-q3.xlsx"
    shutil.copytree(DEFAULT_DATA, data)
    cspkg("returns", "template", "tendring-2021-22", "2021-22-q3", "--data", str(data), "--output", str(book))
    wb = load_workbook(book)
    wb["Return"]["B4"], wb["Return"]["B5"] = "2022-01-14", "Tendring District Council"
    up = wb["Updates"]
    for r in range(2, up.max_row + 1):
        key = up.cell(row=r, column=COL["Key"]).value
        if key in ("r11", "r07"):
            up.cell(row=r, column=COL["Status"], value="on track")
            up.cell(row=r, column=COL[SPENT], value={"r11": 2500, "r07": "£1,000"}[key])
    wb.save(book)
    cspkg("returns", "import", str(book), "--data", str(data))
    cspkg("build", "--data", str(data), "--store", str(store))
    rows = {r["action"].rsplit("/", 1)[1]: r for r in answer(store, "plan-spend", "plan=tendring-2021-22")}
    assert (rows["r11"]["statedGBP"], rows["r11"]["spentGBP"], rows["r11"]["spentPercent"]) == ("5000", "2500", "50")
    assert (rows["r07"]["fundingKind"], rows["r07"]["statedGBP"], rows["r07"]["spentGBP"], rows["r07"]["spentPercent"]) == ("in kind", "", "1000", "")
    assert rows["r12"]["statedGBP"] == "5500" and not rows["r12"]["spentGBP"], "stated, with no spend given"
    with serving(store, workers=1) as base:
        page = requests.get(f"{base}/plans/tendring-2021-22/report", headers={"Accept": "text/html"}, timeout=60).text
        assert '<td class="n">£5,000</td>' in page and '<td class="n">50%</td>' in page
        assert '<span class="muted">in kind</span>' in page and '<td class="n">no amount stated</td>' in page
