"""The delivery pages over the example progress returns (imported through the CLI into a copy of the
data folder, as tests/test_delivery_queries.py does): an action's history, return by return, against
action-history and overdue-actions; delivery across the partnerships against
delivery-across-partnerships, for every plan and for the plans one funder funds; the links to them
from the plan page, the board report and the home page; bad parameters in words (400, 404); and, in
a browser, axe and a phone's width with the returns' rows shown."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests

from test_delivery_queries import answer, example_store  # noqa: F401  (a fixture)
from test_pages_browser import AXE, browser  # noqa: F401  (a fixture)

HTML = {"Accept": "text/html"}
ID = "https://w3id.org/cspkg/id/"
PLAN = "thurrock-2023-24"


@pytest.fixture(scope="module")
def site(example_store):  # noqa: F811
    from server import serving

    with serving(example_store, workers=1) as base:
        yield base


def test_an_actions_history_is_action_historys_rows(site, example_store):  # noqa: F811
    history = answer(example_store, "action-history", f"action={PLAN}/pop-1")
    page = requests.get(f"{site}/plans/{PLAN}/actions/pop-1", headers=HTML)
    assert page.status_code == 200
    twin = requests.get(f"{site}/plans/{PLAN}/actions/pop-1.json").json()
    data = twin["data"]
    assert {s["query"] for s in twin["computedBy"]} >= {"action-history", "plan-actions", "plan-summary"}
    assert [(r["periodKey"], r["statusLabel"], r["rag"]) for r in data["returns"]] == \
        [(r["periodKey"], r["statusLabel"], r["rag"]) for r in history]
    assert [str(r["percentComplete"]) for r in data["returns"]] == [r["percentComplete"] for r in history]
    for r in history:  # each return's status in words beside its colour, and its commentary
        row = re.search(rf'<tr id="return-{r["periodKey"]}">(.*?)</tr>', page.text, re.S).group(1)
        assert f'<span class="status rag-{r["rag"]}">{r["statusLabel"]}</span>' in row
        assert r["commentary"].replace("'", "&#39;") in row
    # what the plan says of the action: its words for the timing and the due date parsed from them
    action = next(a for a in answer(example_store, "plan-actions", f"plan={PLAN}") if a["action"].endswith("/pop-1"))
    assert (data["timing"], data["dueDate"]) == (action["timing"], action["dueDate"]) == ("by June 23", "2023-06-30")
    assert "30 June 2023" in page.text and "“by June 23”" in page.text
    assert "(was at risk)" in page.text  # at risk in Q1, off track in Q2
    rows = list(csv.reader(io.StringIO(requests.get(f"{site}/plans/{PLAN}/actions/pop-1.csv?table=history").text)))
    assert rows[0][:3] == ["Period", "As of", "Status"] and len(rows) == 1 + len(history)


def test_overdue_on_the_history_page_is_overdue_actions_judgement(site, example_store):  # noqa: F811
    """The latest return's row says overdue exactly for the actions overdue-actions lists."""
    overdue = {r["action"] for r in answer(example_store, "overdue-actions", f"plan={PLAN}")}
    latest = answer(example_store, "plan-delivery", f"plan={PLAN}")
    assert overdue
    for r in latest:
        key = r["action"].rsplit("/", 1)[1]
        data = requests.get(f"{site}/plans/{PLAN}/actions/{key}.json").json()["data"]
        assert data["latest"]["statusLabel"] == r["statusLabel"], key
        assert (data["latest"]["overdue"] == "yes") == (r["action"] in overdue), key


def test_measured_values_are_shown_with_their_units(site, example_store):  # noqa: F811
    plan = "castle-point-rochford-2017-18"
    history = answer(example_store, "action-history", f"action={plan}/r02")
    measured = [r["measured"] for r in history if r["measured"]]
    assert measured and all(re.fullmatch(r"\S+ \S.*", m) for m in measured)  # a value, then its unit
    page = requests.get(f"{site}/plans/{plan}/actions/r02", headers=HTML).text
    for m in measured:
        for one in m.split("; "):
            assert f"<li>{one}</li>" in page


def test_an_action_with_no_return_says_so(site):
    page = requests.get(f"{site}/plans/tendring-2021-22/actions/r01", headers=HTML)
    assert page.status_code == 200 and 'id="no-return"' in page.text
    assert "No progress return reports on this action yet" in page.text
    data = requests.get(f"{site}/plans/tendring-2021-22/actions/r01.json").json()["data"]
    assert data["returns"] == [] and data["latest"] is None


@pytest.mark.parametrize("path, words", [
    (f"/plans/{PLAN}/actions/no-such-action", "no action 'no-such-action' in the plan"),
    ("/plans/no-such-plan/actions/pop-1", "no plan 'no-such-plan'"),
    ("/plans/tendring-2021-22/actions/pop-1", "no action 'pop-1' in the plan 'tendring-2021-22'"),  # another plan's action
])
def test_an_unknown_plan_or_action_is_a_404_in_words(site, path, words):
    page = requests.get(site + path, headers=HTML)
    assert page.status_code == 404 and words.replace("'", "&#39;") in page.text
    assert requests.get(site + path + ".json").status_code == 404


def test_the_plan_page_and_the_board_report_link_each_action_to_its_history(site, example_store):  # noqa: F811
    plan = requests.get(f"{site}/plans/{PLAN}", headers=HTML).text
    reported = answer(example_store, "plan-delivery", f"plan={PLAN}")
    for r in reported:
        key = r["action"].rsplit("/", 1)[1]
        assert f'<a href="/plans/{PLAN}/actions/{key}"><span class="status rag-{r["rag"]}">{r["statusLabel"]}</span></a>' in plan
    report = requests.get(f"{site}/plans/{PLAN}/report", headers=HTML).text
    for r in answer(example_store, "actions-at-risk", f"plan={PLAN}") + answer(example_store, "overdue-actions", f"plan={PLAN}"):
        assert f'href="/plans/{PLAN}/actions/{r["action"].rsplit("/", 1)[1]}"' in report


STATUS_COLUMNS = {"off track": "offTrack", "at risk": "atRisk", "not started": "notStarted", "on track": "onTrack",
                  "complete": "complete", "stopped": "stopped", "not stated": "notStated"}


def shown_counts(html: str, plan_key: str) -> dict[str, int]:
    row = re.search(rf'<tr id="plan-{plan_key}">(.*?)</tr>', html, re.S).group(1)
    return {status: int(n) for n, status in re.findall(r'<span class="n" data-status="[^"]+">(\d+)</span> ([a-z ]+)</span>', row)}


def test_delivery_across_the_partnerships_is_the_querys_counts(site, example_store):  # noqa: F811
    rows = answer(example_store, "delivery-across-partnerships")
    assert len(rows) == 3  # the two example plans, and Colchester's return derived from its own updates
    html = requests.get(f"{site}/delivery", headers=HTML).text
    twin = requests.get(f"{site}/delivery.json").json()
    assert [p["plan"] for p in twin["data"]["plans"]] == [r["plan"] for r in rows]
    for r in rows:
        key = r["plan"].rsplit("/", 1)[1]
        expected = {s: int(r[c]) for s, c in STATUS_COLUMNS.items() if int(r[c])}
        assert shown_counts(html, key) == expected, key
        assert sum(expected.values()) == int(r["reported"])
        assert f'<a href="/plans/{key}/report">Board report</a>' in html
        # the bar: one segment per status counted, in its colour, and none drawn with an inline style
        bar = re.search(rf'<tr id="plan-{key}">.*?<div class="stack" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
        assert len(re.findall(r'class="seg rag-', bar)) == len(expected)
    assert "style=" not in html
    totals = {t["status"]: t["count"] for t in twin["data"]["totals"]}
    assert totals == {s: sum(int(r[c]) for r in rows) for s, c in STATUS_COLUMNS.items() if sum(int(r[c]) for r in rows)}
    download = list(csv.reader(io.StringIO(requests.get(f"{site}/delivery.csv?table=partnerships").text)))
    assert len(download) == 1 + len(rows)


def test_delivery_for_one_funder_is_the_query_with_its_funder(site, example_store):  # noqa: F811
    pfcc = ID + "agency/essex-pfcc"
    funded = answer(example_store, "delivery-across-partnerships", f"funder={pfcc}")
    assert [r["plan"] for r in funded] == [r["plan"] for r in answer(example_store, "delivery-across-partnerships")
                                           if pfcc in r["funderAgents"].split()] == [ID + "plan/castle-point-rochford-2017-18"]
    assert answer(example_store, "delivery-across-partnerships", "funder=essex-pfcc") == funded  # its short key too
    page = requests.get(f"{site}/delivery", params={"funder": "essex-pfcc"}, headers=HTML)
    assert page.status_code == 200
    assert "<h1>Delivery across the partnerships: those funded by Police, Fire and Crime Commissioner for Essex</h1>" in page.text
    assert '<option value="essex-pfcc" selected>' in page.text
    data = requests.get(f"{site}/delivery.json", params={"funder": "essex-pfcc"}).json()
    assert [p["plan"] for p in data["data"]["plans"]] == [r["plan"] for r in funded]
    assert any(s["query"] == "delivery-across-partnerships" and s["parameters"] == {"funder": pfcc} for s in data["computedBy"])
    # a partnership that funds its own plan is chosen by its path under /id/
    own = requests.get(f"{site}/delivery.json", params={"funder": "partnership/castle-point-rochford-csp"}).json()["data"]
    assert [p["planKey"] for p in own["plans"]] == ["castle-point-rochford-2017-18"]
    # every funder offered funds at least one plan shown, and the count beside it is right
    every = answer(example_store, "delivery-across-partnerships")
    for f in data["data"]["funders"]:
        assert f["plans"] == sum(f["iri"] in r["funderAgents"].split() for r in every) > 0


@pytest.mark.parametrize("query, words", [
    ("funder=no-such-body", "no plan with a progress return names &#39;no-such-body&#39; as a funder"),
    ("funder=essex-pfcc&funder=essex-police", "given more than once"),
    ("funder=" + "x" * 600, "as a funder"),
    ("funder=%3Cscript%3E", "&lt;script&gt;"),
])
def test_a_bad_funder_shows_the_page_again_with_a_400_in_words(site, query, words):
    page = requests.get(f"{site}/delivery?{query}", headers=HTML)
    assert page.status_code == 400 and words in page.text
    assert 'id="problems"' in page.text and '<select id="funder" name="funder">' in page.text and "<script>" not in page.text
    data = requests.get(f"{site}/delivery.json?{query}")
    assert data.status_code == 400 and data.json()["choices"]["funder"]
    assert requests.get(f"{site}/delivery.csv?{query}").status_code == 400


def test_the_home_page_links_the_national_view(site):
    assert '<a href="/delivery">' in requests.get(f"{site}/", headers=HTML).text


def test_the_status_colours_are_the_schemes(repo):
    """The page's status columns read the colours the delivery status scheme gives (csp:ragRating)."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import SKOS

    from cspkg.web.leads.delivery import COUNTS
    from cspkg.web.leads.plans import STATUS_ORDER

    csp = Namespace("https://w3id.org/cspkg/def/")
    graph = Graph().parse(repo / "ontology" / "cspkg.ttl")
    scheme = {str(graph.value(s, SKOS.prefLabel)): str(rag) for s, rag in graph.subject_objects(csp.ragRating)}
    assert {status: rag for _, status, rag in COUNTS} == scheme
    assert [status for _, status, _ in COUNTS] == list(STATUS_ORDER)


@pytest.mark.parametrize("path", [f"/plans/{PLAN}/actions/pop-1", "/plans/castle-point-rochford-2017-18/actions/r02",
                                  "/delivery", "/delivery?funder=essex-pfcc", "/delivery?funder=no-such-body"])
def test_with_returns_axe_passes_and_a_phone_never_scrolls_sideways(site, browser, path):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.set_window_size(375, 812)
    try:
        browser.get(site + path)
        wide, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, f"{path} at phone width scrolls sideways ({wide} > {inner} px)"
        assert browser.find_elements(By.CSS_SELECTOR, "nav.crumbs li[aria-current='page']")
        browser.execute_script(AXE.read_text(encoding="utf-8"))
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, target: v.nodes[0].target.join(' ')}))));")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{path}: {bad}"
    finally:
        browser.set_window_size(1280, 900)
