"""The pages for strategy leads over plain HTTP: each page's JSON twin agrees with the canned queries
it names, unknown keys are 404s, the trace picture is well-formed SVG, and pages show labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import requests

from cspkg.web.leads.registry import LEAD_PAGES

HTML = {"Accept": "text/html"}
PAGES = [p.example for p in LEAD_PAGES if p.twin]


def twin(path: str) -> str:
    base, _, query = path.partition("?")
    return (base.rstrip("/") or "/index") + ".json" + (f"?{query}" if query else "")


def every_row(server: str, name: str, **params) -> list[dict]:
    """Every row of a canned query over the API, following its pages."""
    out, page = [], 1
    while True:
        response = requests.get(f"{server}/queries/{name}.json", params={**params, "page": page})
        out += [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
        if 'rel="next"' not in response.headers.get("Link", ""):
            return out
        page += 1


class Text(HTMLParser):
    """The text a reader sees (outside scripts and styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


@pytest.mark.parametrize("path", PAGES)
def test_page_and_json_twin_name_their_queries(server, path):
    page = requests.get(server + path, headers=HTML)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    data = requests.get(server + twin(path))
    assert data.status_code == 200 and data.headers["Content-Type"].startswith("application/json")
    body = data.json()
    assert body["computedBy"], "a page says which canned queries computed it"
    for source in body["computedBy"]:
        assert requests.get(server + source["sparql"]).headers["Content-Type"].startswith("application/sparql-query")
        assert requests.get(server + source["page"], headers=HTML).status_code == 200
        assert f'href="{source["sparql"]}"' in page.text  # the "how this was computed" links
    assert '<html lang="en">' in page.text and 'href="#main"' in page.text
    text = Text()
    text.feed(page.text)
    shown = " ".join(text.parts)
    assert "https://w3id.org/" not in shown, "pages show labels, never raw IRIs"


def test_plan_twin_agrees_with_plan_summary_and_funding(server):
    data = requests.get(f"{server}/plans/tendring-2021-22.json").json()["data"]
    summary = requests.get(f"{server}/queries/plan-summary.json", params={"plan": "tendring-2021-22"}).json()
    row = {k: v["value"] for k, v in summary["results"]["bindings"][0].items()}
    assert (data["actions"], data["fundedActions"], data["totalGBP"]) == (int(row["actions"]), int(row["fundedActions"]), int(row["totalGBP"]))
    assert data["actions"] == 18 and data["totalGBP"] == 31906
    actions = every_row(server, "plan-actions", plan="tendring-2021-22")
    shown = {a["action"] for g in data["priorityGroups"] for a in g["actions"]}
    assert shown == {a["action"] for a in actions} and len(shown) == data["actions"]
    money = [f for f in every_row(server, "funding-by-source", plan="tendring-2021-22") if f["kind"] == "money"]
    assert data["fundingTotalGBP"] == sum(float(f["totalGBP"]) for f in money)
    findings = every_row(server, "plan-completeness", plan="tendring-2021-22")
    assert len(data["completeness"]["warnings"]) == sum(f["severity"] == "warning" for f in findings) == 8


def test_plan_page_reports_completeness_in_words(server):
    page = requests.get(f"{server}/plans/tendring-2021-22", headers=HTML).text
    assert "It has everything a plan must have." in page
    assert "8 things should be fixed before it is published" in page
    assert "No lead agency is given" in page and "line 117 of the plan" in page


def test_duty_twin_lists_every_action_serving_it(server):
    data = requests.get(f"{server}/duties/serious-violence-duty.json").json()["data"]
    expected = every_row(server, "actions-for-duty", duty="serious-violence-duty")
    assert [a["action"] for a in data["actions"]] == [a["action"] for a in expected]
    assert data["fundedActions"] == sum(a["funding"].startswith(("money", "in kind")) for a in expected)
    # imposed by the 2022 Act's s8 alone: the partnership's serious violence strategy, s6(1)(d) of the 1998 Act, is a duty of its own
    assert {l["act"] for l in data["legislation"]} == {"http://www.legislation.gov.uk/id/ukpga/2022/32"}
    assert [l["inForceFrom"] for l in data["legislation"]] == ["2023-01-31"]
    page = requests.get(f"{server}/duties/serious-violence-duty", headers=HTML).text
    assert 'href="http://www.legislation.gov.uk/id/ukpga/2022/32/section/8"' in page


def test_coverage_marks_cited_duties_without_funded_actions(server):
    data = requests.get(f"{server}/coverage.json").json()["data"]
    gaps = every_row(server, "duties-without-funded-actions")
    plans = {p["plan"]: p["partnership"] for p in every_row(server, "plans")}
    expected = {(plans[g["plan"]], g["duty"]) for g in gaps if g["gap"] == "cited, no funded action"}
    marked = {(c["partnership"], r["iri"]) for r in data["rows"] for c in r["cells"] if c["citedNoFundedAction"]}
    assert marked == expected and marked
    cells = {(c["partnership"], c["duty"]): int(c["actions"]) for c in every_row(server, "duty-coverage")}
    assert {(c["partnership"], r["iri"]): c["actions"] for r in data["rows"] for c in r["cells"] if c["href"]} == cells
    # a duty held and not acted on is a gap too, with a row even when no plan touches it (Thurrock's substance misuse strategy)
    held = {(plans[g["plan"]], g["duty"]) for g in gaps if g["gap"] == "held, no action at all"}
    shown = {(c["partnership"], r["iri"]) for r in data["rows"] for c in r["cells"] if c["heldNoAction"]}
    assert shown == held - set(cells) and ("https://w3id.org/cspkg/id/partnership/thurrock-csp",
                                           "https://w3id.org/cspkg/id/duty/cda-substance-misuse-strategy") in shown


def test_trace_is_well_formed_svg_of_links(server):
    page = requests.get(f"{server}/plans/thurrock-2023-24/trace", headers=HTML).text
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    root = ET.fromstring(svg)
    links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    data = requests.get(f"{server}/plans/thurrock-2023-24/trace.json").json()["data"]
    assert len(links) == len(data["nodes"]) and "/duties/serious-violence-duty" in links
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32" in links
    traced = {p["action"] for p in every_row(server, "plan-trace", plan="thurrock-2023-24")}
    assert data["tracedActions"] == len(traced)
    # the actions that trace to nothing: plan-actions less those plan-trace reaches, in the plan's order
    actions = every_row(server, "plan-actions", plan="thurrock-2023-24")
    assert [a["action"] for a in data["untraced"]] == [a["action"] for a in actions if a["action"] not in traced]
    assert len(data["untraced"]) == len(actions) - len(traced) > 0
    assert 'id="untraced"' in page and 'class="trace-paths"' in page


def test_search_finds_each_kind(server):
    data = requests.get(f"{server}/search.json", params={"text": "violence"}).json()["data"]
    assert set(data["results"]) == {"action", "priority", "agency", "duty"}
    assert data["count"] == len(every_row(server, "search", text="violence"))
    empty = requests.get(f"{server}/search", headers=HTML)
    assert empty.status_code == 200 and 'name="text"' in empty.text


@pytest.mark.parametrize("path", ["/plans/no-such-plan", "/plans/no-such-plan.json", "/plans/no-such-plan/trace",
                                  "/duties/no-such-duty", "/duties/no-such-duty.json", "/plans/serious-violence-duty",
                                  "/duties/thurrock-2023-24", "/plans/bad%20key"])
def test_unknown_keys_are_404(server, path):
    html = requests.get(server + path, headers=HTML)
    assert html.status_code == 404 and "Traceback" not in html.text
    data = requests.get(server + path, headers={"Accept": "application/json"})
    assert data.status_code == 404 and data.json()["ok"] is False


def test_plan_page_shows_money_for_the_plan_as_a_whole(server):
    """Castle Point and Rochford's 2017/18 allocation (£12,337, committee report 5.1) is plan-level
    money: listed on its own and counted in the plan's totals."""
    data = requests.get(f"{server}/plans/castle-point-rochford-2017-18.json").json()["data"]
    allocations = [f for f in data["planFunding"] if f["kind"] == "allocation"]
    assert [(f["amountGBP"], f["allocatedTo"], f["period"]) for f in allocations] == [(12337, "Rochford District Council", "2017/18")]
    rows = every_row(server, "plan-funding", plan="castle-point-rochford-2017-18")
    assert {r["funding"] for r in rows} == {f["funding"] for f in data["planFunding"]}
    summary = every_row(server, "plan-summary", plan="castle-point-rochford-2017-18")[0]
    assert data["totalGBP"] == int(summary["totalGBP"]) >= 12337
    money = [f for f in every_row(server, "funding-by-source", plan="castle-point-rochford-2017-18") if f["kind"] == "money"]
    assert data["fundingTotalGBP"] == sum(float(f["totalGBP"]) for f in money) >= 12337
    page = requests.get(f"{server}/plans/castle-point-rochford-2017-18", headers=HTML).text
    assert 'id="plan-funding-table"' in page and "£12,337" in page


def test_plan_page_lists_every_priority_with_sub_priorities_under_it(server):
    """Castle Point and Rochford sets 4 priorities and 7 sub-priorities (focus areas) under two of
    them; Partnership Working has no action of its own. Every one is listed, each sub-priority
    straight after its priority (or a sibling), and counted apart."""
    data = requests.get(f"{server}/plans/castle-point-rochford-2017-18.json").json()["data"]
    items = every_row(server, "plan-priorities", plan="castle-point-rochford-2017-18")
    priorities = {r["item"]: r for r in items if r["kind"] in ("priority", "sub-priority")}
    groups = [g for g in data["priorityGroups"] if g["priority"] in priorities]
    assert {g["priority"] for g in groups} == set(priorities) and len(groups) == len(priorities)
    assert (data["priorities"], data["subPriorities"]) == (4, 7)
    parent = None
    for g in groups:
        row = priorities[g["priority"]]
        if g["level"] == 0:
            assert row["kind"] == "priority"
            parent = g["priority"]
        else:
            assert row["kind"] == "sub-priority" and row["broader"] == parent
    no_actions = [g for g in groups if not g["actions"]]
    assert "Partnership Working" in {g["label"] for g in no_actions}
    page = requests.get(f"{server}/plans/castle-point-rochford-2017-18", headers=HTML).text
    for row in priorities.values():
        assert row["label"] in page
    assert page.count('class="priority-group sub-priority"') == 7


def test_plan_page_names_the_commissioner_whose_plan_it_has_regard_to(server):
    """The alignment table names who set the Police and Crime Plan, from the graph, not assumed."""
    rows = every_row(server, "pfcc-alignment", plan="thurrock-2023-24")
    assert {r["commissioner"] for r in rows} == {"Police, Fire and Crime Commissioner for Essex"}
    page = requests.get(f"{server}/plans/thurrock-2023-24", headers=HTML).text
    assert "set by Police, Fire and Crime Commissioner for Essex" in page


def test_every_lead_page_links_its_own_json_twin(server):
    for path in PAGES:
        page = requests.get(server + path, headers=HTML, timeout=60).text
        href = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page).group(1)
        assert href == twin(path).replace("&", "&amp;"), path
        assert requests.get(server + href.replace("&amp;", "&"), timeout=60).status_code == 200, href
