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
ID = "https://w3id.org/cspkg/id/"
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


KINDS = ("actionsWithAmount", "actionsSourceOnly", "actionsInKind", "actionsNoneRequired", "actionsFundingNotStated")
WORDS = dict(zip(KINDS, ("amount stated", "source named, no amount", "in kind", "none required", "not stated")))


@pytest.mark.parametrize("key", ["tendring-2021-22", "thurrock-2023-24", "castle-point-rochford-2017-18", "colchester-2018-19"])
def test_money_kinds_agree_with_the_canned_queries_and_add_up(server, key):
    """Each action is counted in one kind of funding: plan-summary's counts are plan-actions' words
    counted, add up to the actions, and the plan page, the home page and plans say the same."""
    summary = every_row(server, "plan-summary", plan=key)[0]
    counts = {k: int(summary[k]) for k in KINDS}
    assert sum(counts.values()) == int(summary["actions"])
    assert counts["actionsWithAmount"] + counts["actionsSourceOnly"] + counts["actionsInKind"] == int(summary["fundedActions"])
    kinds = {row["action"]: row["fundingKind"] for row in every_row(server, "plan-actions", plan=key)}
    assert counts == {k: sum(kind == WORDS[k] for kind in kinds.values()) for k in KINDS}
    listed = next(r for r in every_row(server, "plans") if r["plan"].endswith("/" + key))
    assert {k: int(listed[k]) for k in KINDS} == counts
    data = requests.get(f"{server}/plans/{key}.json").json()["data"]
    assert {k["column"]: k["count"] for k in data["moneyKinds"]} == counts
    home = requests.get(f"{server}/index.json").json()["data"]
    plan = next(p for g in home["partnerships"] for p in g["plans"] if p["key"] == key)
    assert {k["column"]: k["count"] for k in plan["moneyKinds"]} == counts


def test_home_page_tells_money_kinds_apart(server):
    """Thurrock names a source for all 74 actions and states no amount: the home page says so, not "74 funded"."""
    page = requests.get(server + "/", headers=HTML).text
    assert '<span class="n" data-kind="actionsSourceOnly">74</span> source named, no amount' in page
    assert "Funded actions" not in page
    plan = requests.get(f"{server}/plans/thurrock-2023-24", headers=HTML).text
    assert '<dd id="n-actionsSourceOnly">74</dd>' in plan and '<dd id="n-actionsWithAmount">0</dd>' in plan
    assert "source named, no amount" in plan and "(for its plan-on-a-page row)" in plan


def test_plan_page_reports_completeness_in_words(server):
    """One verdict a lead can repeat, weighing the rules' findings and the score: Tendring has 8
    things to fix; Thurrock none, but 69 of its 74 actions have no timing."""
    page = requests.get(f"{server}/plans/tendring-2021-22", headers=HTML).text
    assert ("<strong>Not ready to publish:</strong> 8 things should be fixed first, and none of its 18 actions has a lead,"
            " an outcome, timing and funding (18 have no timing, 9 no outcome, 5 no lead, 4 no funding stated).") in page
    assert "No lead agency is given" in page
    # the item as the plan prints it, from the document it was read from (not a bare line number), and the rule in words
    assert "Safe, Well, Secure. ECFRS." in page and 'href="/doc/document/tendring-2021-22"' in page
    assert "line 117 of its text copy" in page
    assert "The rule: Every action names who leads it" in page and "(the rule as a SHACL shape)" in page and 'href="/def/shapes/ActionLead"' in page
    thurrock = requests.get(f"{server}/plans/thurrock-2023-24", headers=HTML).text
    assert ("<strong>Incomplete:</strong> nothing must be fixed before it is published, but only 2 of its 74 actions have"
            " a lead, an outcome, timing and funding (69 have no timing, 65 no outcome).") in thurrock
    assert "Nothing needs fixing" not in thurrock


@pytest.mark.parametrize("key", ["tendring-2021-22", "thurrock-2023-24", "castle-point-rochford-2017-18"])
def test_plan_score_agrees_with_an_independent_count(server, key):
    """plan-score's "n of N" counted again from plan-actions' columns (a lead, an outcome, timing, a
    funding stated), and against the completeness notes and warnings for the same gaps."""
    score = every_row(server, "plan-score", plan=key)
    assert len(score) == 1
    score = {k: int(v) for k, v in score[0].items() if k.startswith("with") or k == "actions"}
    actions: dict[str, dict] = {}
    for row in every_row(server, "plan-actions", plan=key):
        actions[row["action"]] = row
    parts = {"withLead": lambda a: bool(a.get("lead")), "withOutcome": lambda a: bool(a.get("outcomes")),
             "withTiming": lambda a: bool(a.get("timing")), "withFunding": lambda a: a["fundingKind"] != "not stated"}
    assert score["actions"] == len(actions)
    for name, test in parts.items():
        assert score[name] == sum(map(test, actions.values())), name
    assert score["withAll"] == sum(all(t(a) for t in parts.values()) for a in actions.values())
    findings = every_row(server, "plan-completeness", plan=key)
    missing = lambda shape: len({f["item"] for f in findings if f["check"].endswith("/" + shape)})  # noqa: E731
    assert score["actions"] - score["withLead"] == missing("ActionLead")
    assert score["actions"] - score["withFunding"] == missing("ActionFunding")
    assert score["actions"] - score["withOutcome"] == missing("ActionResults")
    data = requests.get(f"{server}/plans/{key}.json").json()["data"]
    assert {s["key"]: s["count"] for s in data["completeness"]["score"]} == {k: v for k, v in score.items() if k != "actions"}


def test_duty_twin_lists_every_action_serving_it(server):
    data = requests.get(f"{server}/duties/serious-violence-duty.json").json()["data"]
    expected = every_row(server, "actions-for-duty", duty="serious-violence-duty")
    assert [a["action"] for a in data["actions"]] == [a["action"] for a in expected]
    assert data["fundedActions"] == sum(a["funding"].startswith(("money", "in kind")) for a in expected)
    assert {k["kind"]: k["count"] for k in data["moneyKinds"]} == {w: sum(a["fundingKind"] == w for a in expected) for w in WORDS.values()}
    pounds = sum(float(c["totalGBP"]) for c in every_row(server, "duty-coverage") if c["duty"].endswith("/serious-violence-duty"))
    assert float(data["amountGBP"]) == pounds
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


def test_search_results_come_a_page_at_a_time_in_the_questions_order(server):
    """A search that finds more than a page of items shows them 50 at a time, in the search
    question's order, with the count of each kind over every page; the download holds them all."""
    from cspkg.web.leads.home import RESULTS_PER_PAGE

    every = every_row(server, "search", text="the")
    assert len(every) > 2 * RESULTS_PER_PAGE, "the seed data must give more than two pages for this test to say anything"
    pages = -(-len(every) // RESULTS_PER_PAGE)
    seen = []
    for number in range(1, pages + 1):
        data = requests.get(f"{server}/search.json", params={"text": "the", "page": number}).json()["data"]
        assert data["count"] == len(every) and data["paging"]["pages"] == pages and data["paging"]["page"] == number
        assert data["counts"] == {kind: sum(r["kind"] == kind for r in every) for kind in ("action", "priority", "agency", "duty")}
        shown = [r["item"] for kind in ("action", "priority", "agency", "duty") for r in data["results"].get(kind, [])]
        assert len(shown) == (RESULTS_PER_PAGE if number < pages else len(every) - (pages - 1) * RESULTS_PER_PAGE)
        assert (data["paging"]["next"] is None) == (number == pages) and (data["paging"]["previous"] is None) == (number == 1)
        seen += shown
    assert seen == [r["item"] for r in every]  # every item once, in the question's order
    page = requests.get(f"{server}/search", params={"text": "the", "page": 2}, headers=HTML)
    assert page.status_code == 200
    assert f"Showing {RESULTS_PER_PAGE + 1} to {2 * RESULTS_PER_PAGE}, page 2 of {pages}." in " ".join(page.text.split())
    assert 'rel="next" ' not in page.text or 'href="/search?text=the&amp;page=3"' in page.text
    assert 'href="/search?text=the"' in page.text  # page 1 is the page without a number
    download = requests.get(f"{server}/search.csv", params={"text": "the", "page": 2})
    assert download.status_code == 200 and download.text.count("\n") == len(every) + 1


@pytest.mark.parametrize("page, status, words", [("0", 400, "is not a page number"), ("two", 400, "is not a page number"),
                                                 ("999", 404, "There is no page 999")])
def test_a_bad_search_page_says_what_is_wrong(server, page, status, words):
    response = requests.get(f"{server}/search", params={"text": "the", "page": page}, headers=HTML)
    assert response.status_code == status and words in response.text
    if status == 404:
        assert 'href="/search?text=the&amp;page=' in response.text  # a link to the last page
    else:  # the first page again
        assert response.text.count('<li><a href="/doc/') >= 1 and "The first page of matches is shown instead." in response.text
    twice = requests.get(f"{server}/search?text=the&page=1&page=2", headers=HTML)
    assert twice.status_code == 400 and "given more than once" in twice.text


@pytest.mark.parametrize("path", ["/plans/no-such-plan", "/plans/no-such-plan.json", "/plans/no-such-plan/trace",
                                  "/duties/no-such-duty", "/duties/no-such-duty.json", "/plans/serious-violence-duty",
                                  "/duties/thurrock-2023-24", "/plans/bad%20key",
                                  "/organisations/no-such-body", "/organisations/no-such-body.json",
                                  "/organisations/serious-violence-duty", "/organisations/bad%20key", "/partnerships/no-such-partnership",
                                  "/partnerships/no-such-partnership.json", "/partnerships/thurrock-2023-24", "/partnerships/essex-police"])
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


def test_organisations_list_agrees_with_agency_workload(server):
    data = requests.get(f"{server}/organisations.json").json()["data"]["organisations"]
    rows = every_row(server, "agency-workload")
    assert [(o["agency"], o["leads"], o["viaRow"], o["supports"]) for o in data] == \
        [(r["agency"], int(r["leads"]), int(r["viaRow"]), int(r["supports"])) for r in rows]
    assert data[0]["leads"] == max(o["leads"] for o in data), "the most actions led first"
    page = requests.get(f"{server}/organisations", headers=HTML).text
    assert f'<a href="/organisations/{data[0]["key"]}">{data[0]["label"]}</a>' in page


def thurrock_actions_led_by_the_council() -> set[str]:
    """From the data files alone (no store, no reasoner): Thurrock plan actions led by Thurrock
    Council or any team or post under it, directly or as the lead of the plan-on-a-page row the
    action delivers."""
    from rdflib import Graph, Namespace, RDF, URIRef

    from cspkg.sources import REPO

    csp, org, ag = Namespace("https://w3id.org/cspkg/def/"), Namespace("http://www.w3.org/ns/org#"), "https://w3id.org/cspkg/id/agency/"
    g = Graph()
    g.parse(REPO / "data/reference/agencies.ttl")
    g.parse(REPO / "data/plans/thurrock-2023-24.ttl")
    council = {URIRef(ag + "thurrock-council")}
    while True:  # everything under the council, at any depth
        below = {s for p in (org.unitOf, org.postIn) for s, o in g.subject_objects(p) if o in council}
        if below <= council:
            break
        council |= below
    plan = URIRef("https://w3id.org/cspkg/id/plan/thurrock-2023-24")
    actions = {a for a in g.subjects(csp.actionOf, plan) if (a, RDF.type, csp.Action) in g}
    led = {a for a in actions if set(g.objects(a, csp.leadAgency)) & council}
    via_row = {a for a in actions for row in g.objects(a, csp.deliversAction) if set(g.objects(row, csp.leadAgency)) & council}
    return {str(a) for a in led | via_row}


def test_organisation_rolls_up_its_teams_and_posts(server):
    expected = thurrock_actions_led_by_the_council()
    assert len(expected) == 47  # 6 plan-on-a-page rows led by its posts and the 41 actions under them
    data = requests.get(f"{server}/organisations/thurrock-council.json").json()["data"]
    assert data["leads"] == len(expected)
    shown = {a["action"] for p in data["plans"] for a in p["actions"] if {"lead", "row lead"} & set(a["roles"])}
    assert shown == expected
    workload = {r["agency"]: r for r in every_row(server, "agency-workload")}
    assert int(workload["https://w3id.org/cspkg/id/agency/thurrock-council"]["leads"]) == len(expected)
    assert int(workload["https://w3id.org/cspkg/id/agency/thurrock-council"]["viaRow"]) == data["viaRow"] == 41
    page = requests.get(f"{server}/organisations/thurrock-council", headers=HTML).text
    assert f'<span id="n-leads">{len(expected)}</span>' in page
    assert 'href="/doc/agency/thurrock-council"' in page, "the linked-data page is one click away"


def test_organisation_twin_agrees_with_its_queries(server):
    data = requests.get(f"{server}/organisations/thurrock-council.json").json()["data"]
    rows = every_row(server, "organisation-actions", agent="thurrock-council")
    assert {a["action"] for p in data["plans"] for a in p["actions"]} == {r["action"] for r in rows}
    assert data["supports"] == len({r["action"] for r in rows if r["role"] == "partner"})
    # each post's count is the actions named for it (posts here have nothing under them)
    for part in data["parts"]:
        named = {r["action"] for r in rows if r["named"] == part["iri"] and r["role"] != "partner"}
        assert part["leads"] == len(named), part["label"]
    assert sum(p["leads"] for p in data["parts"]) >= data["leads"]
    profile = every_row(server, "organisation-profile", agent="thurrock-council")
    assert {d["iri"] for d in data["holds"]} == {r["other"] for r in profile if r.get("relation") == "holds"}
    assert {m["iri"] for m in data["memberOf"]} == {r["other"] for r in profile if r.get("relation") == "member of"}
    assert "https://w3id.org/cspkg/id/duty/serious-violence-duty" in {d["iri"] for d in data["holds"]}


def test_a_team_within_a_team_rolls_up(server):
    data = requests.get(f"{server}/organisations/ecc-youth-service.json").json()["data"]
    assert [p["key"] for p in data["partOf"]] == ["essex-county-council"]
    rows = every_row(server, "organisation-actions", agent="ecc-youth-service")
    team = next(p for p in data["parts"] if p["key"] == "ecc-youth-service-ccb")
    assert team["leads"] + team["supports"] >= 1 and team["depth"] == 0
    assert data["leads"] == len({r["action"] for r in rows if r["role"] != "partner"})


def test_names_on_lead_pages_link_to_organisation_pages(server):
    plan = requests.get(f"{server}/plans/thurrock-2023-24", headers=HTML).text
    assert '<a href="/organisations/thurrock-ad-housing">Assistant Director, Housing, Thurrock Council</a> (row lead)' in plan
    assert '<a href="/organisations/thurrock-council">Thurrock Council</a>' in plan  # a member's own duties
    braintree = requests.get(f"{server}/plans/braintree-2022-23", headers=HTML).text
    partners = re.findall(r'<td>(?:<a href="/organisations/[^"]+">[^<]+</a>(?:; )?)+</td>', braintree)
    assert partners, "partners are linked"
    duty = requests.get(f"{server}/duties/serious-violence-duty", headers=HTML).text
    assert '<a href="/organisations/thurrock-council">Thurrock Council</a> <strong>holds this</strong>' in duty
    assert '<a href="/organisations/thurrock-director-public-health">' in duty
    for target in set(re.findall(r'href="(/organisations/[^"]+)"', plan + braintree + duty)):
        assert requests.get(server + target, headers=HTML).status_code == 200, target


# --- partnerships, year on year, side by side ---------------------------------------------------

def test_partnership_twin_agrees_with_its_queries(server):
    data = requests.get(f"{server}/partnerships/thurrock-csp.json").json()["data"]
    members = every_row(server, "partnership-members", partnership="thurrock-csp")
    assert {(m["member"], m["role"]) for m in data["members"]} == {(m["member"], m["role"]) for m in members}
    assert "The Probation Service" in {m["label"] for m in data["members"]}  # a member the plan lists, beside the area's bodies
    plans = [p for p in every_row(server, "plans") if p["partnership"].endswith("/thurrock-csp")]
    assert [(p["plan"], p["actions"], p["totalGBP"]) for p in plans] == [(p["plan"], str(p["actions"]), str(p["totalGBP"])) for p in data["plans"]]
    duties = every_row(server, "partnership-duties", partnership="thurrock-csp")
    assert [(d["duty"], int(d["actions"])) for d in duties] == [(d["duty"], d["actions"]) for d in data["duties"]]
    assert data["dutiesWithoutAction"] == sum(d["actions"] == "0" for d in duties) > 0
    assert data["yearOnYear"] == []
    page = requests.get(f"{server}/partnerships/thurrock-csp", headers=HTML).text
    assert 'id="no-earlier-plan"' in page and "no earlier plan of this partnership" in page
    assert 'href="/doc/partnership/thurrock-csp"' in page  # the linked-data page, one click away


def test_names_link_to_the_partnership_page(server):
    home = requests.get(f"{server}/", headers=HTML).text
    for p in every_row(server, "plans"):
        assert f'href="/partnerships/{p["partnership"].rsplit("/", 1)[1]}"' in home
    plan = requests.get(f"{server}/plans/thurrock-2023-24", headers=HTML).text
    assert '<a href="/partnerships/thurrock-csp" id="partnership-link">Thurrock Community Safety Partnership</a>' in plan
    assert 'href="/doc/partnership/thurrock-csp"' in plan and 'id="no-previous-plan"' in plan and 'id="changes-link"' not in plan


def cspkg_diff(data, before: str, after: str) -> dict:
    import json

    from test_cli import cspkg

    done = cspkg("diff", before, after, "--format", "json", "--data", str(data))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_year_on_year_on_the_partnership_page_agrees_with_cspkg_diff(two_years):
    from conftest import NEXT_YEAR

    base, data = two_years
    body = requests.get(f"{base}/partnerships/castle-point-rochford-csp.json").json()["data"]
    assert [p["key"] for p in body["plans"]] == ["castle-point-rochford-2017-18", NEXT_YEAR]
    [step] = body["yearOnYear"]
    expected = cspkg_diff(data, "castle-point-rochford-2017-18", NEXT_YEAR)
    assert (step["priorities"], step["actions"]) == (expected["priorities"], expected["actions"])
    assert [i["title"] for i in step["priorities"]["added"]] == ["Road safety around schools"]
    assert [i["title"] for i in step["actions"]["added"]] == ["Launch a new cycle safety scheme for primary schools"]
    page = requests.get(f"{base}/partnerships/castle-point-rochford-csp", headers=HTML).text
    c = expected["priorities"]
    heading = re.search(rf'<h4 id="changes-{NEXT_YEAR}-priorities">(.*?)</h4>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", heading) == f"Priorities: {len(c['carried'])} carried over, {len(c['added'])} new, {len(c['dropped'])} dropped"
    assert "Road safety around schools" in page and NEXT_YEAR + "/" not in re.sub(r'href="[^"]*"', "", page)  # names, not keys
    # the later plan links to what changed; the earlier one has nothing before it
    later = requests.get(f"{base}/plans/{NEXT_YEAR}", headers=HTML).text
    assert f'href="/partnerships/castle-point-rochford-csp#changes-{NEXT_YEAR}" id="changes-link"' in later
    assert f'id="changes-{NEXT_YEAR}"' in page
    earlier = requests.get(f"{base}/plans/castle-point-rochford-2017-18", headers=HTML).text
    assert 'id="changes-link"' not in earlier


def test_diff_compares_plans_of_one_partnership_by_name(two_years):
    from conftest import NEXT_YEAR

    base, data = two_years
    pair = {"before": "castle-point-rochford-2017-18", "after": NEXT_YEAR}
    page = requests.get(f"{base}/diff", params=pair, headers=HTML)
    assert page.status_code == 200 and "Castle Point and Rochford Community Safety Partnership Partnership Plan 2018/19" in page.text
    assert '<optgroup label="Castle Point and Rochford Community Safety Partnership">' in page.text
    assert requests.get(f"{base}/diff.json", params=pair).json() == cspkg_diff(data, *pair.values())
    other = {"before": "castle-point-rochford-2017-18", "after": "tendring-2021-22"}
    refused = requests.get(f"{base}/diff", params=other, headers=HTML)
    assert refused.status_code == 400 and "only plans of one partnership are compared" in refused.text
    assert f"Castle Point and Rochford Community Safety Partnership Partnership Plan 2018/19 ({NEXT_YEAR})" in refused.text  # the valid choice
    assert '<select id="before" name="before">' in refused.text
    data_refused = requests.get(f"{base}/diff.json", params=other)
    assert data_refused.status_code == 400 and NEXT_YEAR in data_refused.json()["error"]


SIDE = "/compare/side-by-side"


def test_side_by_side_on_a_theme_counts_as_the_theme_queries(server):
    coverage = {(c["partnership"], c["theme"]): int(c["actions"]) for c in every_row(server, "theme-coverage")}
    for theme in ("domestic-abuse", "anti-social-behaviour"):
        body = requests.get(f"{server}{SIDE}.json", params={"a": "colchester-csp", "b": "braintree-csp", "theme": theme}).json()
        rows = every_row(server, "theme-across-partnerships", theme=theme)
        assert [c["key"] for c in body["data"]["columns"]] == ["colchester-csp", "braintree-csp"]
        for column in body["data"]["columns"]:
            mine = [r for r in rows if r["partnership"] == column["iri"]]
            assert column["count"] == len({r["action"] for r in mine}) == coverage.get((column["iri"], ID + "theme/" + theme), 0)
            assert column["count"] == (int(mine[0]["partnershipActions"]) if mine else 0)
            assert [a["action"] for a in column["actions"]] == [r["action"] for r in mine]
        assert {s["query"] for s in body["computedBy"]} >= {"theme-across-partnerships", "theme-coverage"}
    page = requests.get(f"{server}{SIDE}", params={"a": "colchester-csp", "b": "braintree-csp", "theme": "domestic-abuse"}, headers=HTML).text
    assert page.count('<section class="column"') == 2 and "<h1>Domestic abuse: side by side</h1>" in page


def test_side_by_side_under_a_duty_counts_as_actions_for_duty(server):
    partnership_of = {p["plan"]: p["partnership"] for p in every_row(server, "plans")}
    rows = every_row(server, "actions-for-duty", duty="serious-violence-duty")
    body = requests.get(f"{server}{SIDE}.json", params={"a": "thurrock-csp", "b": "colchester-csp", "duty": "serious-violence-duty"}).json()
    for column in body["data"]["columns"]:
        mine = [r["action"] for r in rows if partnership_of[r["plan"]] == column["iri"]]
        assert [a["action"] for a in column["actions"]] == mine and column["count"] == len(mine)
    assert body["data"]["columns"][0]["count"] > 0


@pytest.mark.parametrize("params,says", [
    ({"a": "nowhere-csp", "b": "braintree-csp", "theme": "domestic-abuse"}, "no partnership 'nowhere-csp'"),
    ({"a": "colchester-csp", "b": "braintree-csp", "theme": "Domestic abuse"}, "no theme 'Domestic abuse'"),
    ({"a": "colchester-csp", "b": "braintree-csp", "duty": "serious violence"}, "no duty 'serious violence'"),
    ({"a": "colchester-csp", "b": "colchester-csp", "theme": "domestic-abuse"}, "the same partnership"),
    ({"a": "colchester-csp", "b": "braintree-csp"}, "choose either a theme or a legal duty"),
    ({"a": "colchester-csp", "b": "braintree-csp", "theme": "domestic-abuse", "duty": "serious-violence-duty"}, "not both"),
    ({"b": "braintree-csp", "theme": "domestic-abuse"}, "choose the first partnership"),
    ({"a": "x> } UNION { ?s ?p ?o", "theme": "domestic-abuse"}, "no partnership"),
])
def test_side_by_side_refuses_a_bad_choice_with_the_choices(server, params, says):
    page = requests.get(server + SIDE, params=params, headers=HTML)
    assert page.status_code == 400 and says in page.text.replace("&#39;", "'"), page.text[:300]
    assert '<select id="theme-a" name="a">' in page.text and '<option value="domestic-abuse"' in page.text
    assert ">Safer Colchester Partnership</option>" in page.text  # choices by name
    data = requests.get(server + SIDE + ".json", params=params)
    assert data.status_code == 400 and says in data.json()["error"] and data.json()["choices"]["partnership"]


def test_compare_theme_cells_open_that_partnership_on_that_theme(server):
    data = requests.get(f"{server}/compare.json").json()["data"]["themes"]
    cells = {(c["partnership"], row["iri"]): c for row in data["rows"] for c in row["cells"]}
    coverage = {(c["partnership"], c["theme"]): int(c["actions"]) for c in every_row(server, "theme-coverage")}
    assert {k: c["actions"] for k, c in cells.items() if c["href"]} == coverage
    hrefs = {c["href"] for c in cells.values() if c["href"]}
    assert len(hrefs) == len(coverage), "every cell opens its own page"
    href = cells[(ID + "partnership/colchester-csp", ID + "theme/domestic-abuse")]["href"]
    assert href == f"{SIDE}?a=colchester-csp&theme=domestic-abuse"
    one = requests.get(server + href.replace(SIDE, SIDE + ".json")).json()["data"]
    assert [c["count"] for c in one["columns"]] == [coverage[(ID + "partnership/colchester-csp", ID + "theme/domestic-abuse")]]


def same_cell(downloaded, shown) -> bool:
    """A downloaded cell (read back, our apostrophe taken off) against the JSON twin's cell."""
    from decimal import Decimal

    from cspkg.answers.spreadsheet import restore

    if shown is None:
        return downloaded in (None, "")
    if isinstance(downloaded, (int, float)) and not isinstance(downloaded, bool):
        return Decimal(str(downloaded)) == Decimal(str(shown))
    return restore(str(downloaded)) == str(shown)


@pytest.mark.parametrize("page", [p for p in LEAD_PAGES if p.twin], ids=lambda p: p.name)
def test_each_table_downloads_as_csv_and_xlsx_with_the_twins_rows(server, page):
    """Every table a lead page names is offered beside it, and its CSV and XLSX hold the JSON twin's rows."""
    import csv
    import io

    from openpyxl import load_workbook

    base, _, query = page.example.partition("?")
    tables = requests.get(server + twin(page.example)).json()["tables"]
    if page.name in ("home", "search", "plan", "trace", "duty", "duties", "coverage", "organisations", "organisation", "partnership"):
        assert tables, f"the {page.name} page offers its table(s) for download"
    html = requests.get(server + page.example, headers=HTML).text
    stem = base.rstrip("/") or "/index"
    for name, table in tables.items():
        for fmt in ("csv", "xlsx"):
            if table["rows"]:  # an empty table is not shown, so neither is its download (it still answers, with its header)
                own = query.replace("&", "&amp;") + "&amp;" if query else ""  # the page's own parameters come along
                assert f'href="{stem}.{fmt}?{own}table={name}"' in html, (name, fmt)
            response = requests.get(f"{server}{stem}.{fmt}?{query + '&' if query else ''}table={name}")
            assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
            if fmt == "csv":
                assert response.headers["Content-Type"].startswith("text/csv")
                got = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
            else:
                sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]  # not read_only: it drops empty trailing cells
                got = [list(r) for r in sheet.iter_rows(values_only=True)]
            assert got[0] == table["columns"]
            assert len(got) - 1 == len(table["rows"]), (name, fmt)
            for down, shown in zip(got[1:], table["rows"]):
                assert len(down) == len(shown) and all(map(same_cell, down, shown)), (name, fmt, down, shown)


def test_a_download_names_the_tables_it_knows(server):
    wrong = requests.get(f"{server}/plans/tendring-2021-22.csv", params={"table": "nope"}, headers={"Accept": "application/json"})
    assert wrong.status_code == 404 and "actions" in wrong.json()["error"] and "completeness" in wrong.json()["error"]
    unnamed = requests.get(f"{server}/plans/tendring-2021-22.xlsx", headers=HTML)
    assert unnamed.status_code == 400 and "?table=" in unnamed.text and "Traceback" not in unnamed.text
    none = requests.get(f"{server}/compare.csv")  # the compare page's grids are not offered as tables
    assert none.status_code in (404, 405)
    # a page with one table needs no name
    assert requests.get(f"{server}/duties.csv").status_code == 200


def test_downloaded_cells_cannot_run_as_formulas():
    """A text cell beginning with = + - @ gets the spreadsheet-safe apostrophe in both downloads; a number stays a number."""
    import csv
    import io

    from openpyxl import load_workbook

    from cspkg.web.leads.tables import Table, csv_file, xlsx_file

    risky = ["=HYPERLINK(\"http://x\")", "+44 1234", "-cmd", "@SUM(A1)", "plain", -5, "12.50"]
    table = Table("t", "test", tuple((f"c{i}", f"C{i}") for i in range(len(risky))),
                  ({f"c{i}": v for i, v in enumerate(risky)},))
    row = list(csv.reader(io.StringIO(csv_file(table).decode("utf-8"), newline="")))[1]
    assert row[:5] == ["'=HYPERLINK(\"http://x\")", "'+44 1234", "'-cmd", "'@SUM(A1)", "plain"] and row[5:] == ["-5", "12.50"]
    sheet = load_workbook(io.BytesIO(xlsx_file(table))).worksheets[0]
    cells = [c for c in sheet[2]]
    assert [c.value for c in cells[:5]] == row[:5] and all(c.data_type == "s" for c in cells[:5])
    assert cells[5].value == -5 and float(cells[6].value) == 12.5


def test_verdict_is_one_sentence_for_every_case():
    from cspkg.web.leads.plans import completeness

    full = {"actions": 3, "withLead": 3, "withOutcome": 3, "withTiming": 3, "withFunding": 3, "withAll": 3}
    assert completeness([], full)["verdict"]["sentence"] == \
        "Complete: nothing needs fixing, and all 3 actions have a lead, an outcome, timing and funding."
    one_gap = {**full, "withTiming": 2, "withAll": 2}
    assert completeness([], one_gap)["verdict"]["sentence"] == ("Incomplete: nothing must be fixed before it is published, but only"
                                                                " 2 of its 3 actions have a lead, an outcome, timing and funding (1 has no timing).")
    warning = [{"severity": "warning", "message": "m", "check": "c", "rule": "r"}]
    assert completeness(warning, full)["verdict"]["sentence"].startswith("Not ready to publish: 1 thing should be fixed first, and all")
    assert completeness([], {"actions": 0})["verdict"]["label"] == "Nothing to fix"


# Partnerships by area, a page at a time: the home, coverage, compare, duty and delivery pages (leads/areas.py).
AREA_PAGES = {"home": "/", "coverage": "/coverage", "compare": "/compare", "duty": "/duties/serious-violence-duty",
              "delivery": "/delivery"}
TABLES = {"home": "plans", "coverage": "coverage", "duty": "actions", "delivery": "partnerships"}  # compare has no download


def json_of(base: str, path: str, **params) -> requests.Response:
    return requests.get(base + twin(path), params=params, timeout=300)


def areas_by_partnership(base: str) -> dict[str, set[str]]:
    """Each partnership's area keys, as partnership-areas gives them."""
    out: dict[str, set[str]] = {}
    for row in every_row(base, "partnership-areas"):
        keys = out.setdefault(row["partnership"], set())
        for kind, column in (("police-area", "policeArea"), ("county", "county"), ("region", "region")):
            if row.get(column):
                keys.add(f"{kind}-{row[column].rsplit('/', 1)[1]}")
    return out


def shown_partnerships(name: str, data: dict) -> list[str]:
    """The partnerships one of the five pages shows, from its twin's data."""
    if name == "delivery":
        return list(dict.fromkeys(p["partnership"] for p in data["plans"]))
    if name == "home":
        return [p["partnership"] for p in data["partnerships"]]
    if name == "coverage":
        return [p["iri"] for p in data["partnerships"]]
    if name == "compare":
        return [r["iri"] for r in data["years"]["rows"]]
    return list(dict.fromkeys(a["partnershipIri"] for a in data["actions"]))


def test_partnership_areas_say_where_the_seed_partnerships_are(server):
    rows = every_row(server, "partnership-areas")
    assert len(rows) == 5 and {(r["policeAreaLabel"], r["countyLabel"], r["regionLabel"]) for r in rows} == {("Essex", "Essex", "East of England")}


@pytest.mark.parametrize("name", AREA_PAGES)
def test_one_page_of_partnerships_shows_no_choice_of_area(server, name):
    """The seed data (five partnerships, all in Essex): no form and no pager unless an area is asked for."""
    page = requests.get(server + AREA_PAGES[name], headers=HTML)
    assert page.status_code == 200
    assert 'class="area-filter"' not in page.text and 'class="pager"' not in page.text and 'rel="next"' not in page.text
    chosen = requests.get(server + AREA_PAGES[name], params={"area": "police-area-essex"}, headers=HTML)
    assert chosen.status_code == 200
    assert '<option value="police-area-essex" selected>Essex (' in chosen.text and "in Essex (police area)." in chosen.text
    data = json_of(server, AREA_PAGES[name], area="region-east-of-england").json()["data"]
    assert data["paging"]["area"]["label"] == "East of England" and data["paging"]["pages"] == 1
    assert set(shown_partnerships(name, data)) <= set(areas_by_partnership(server))


@pytest.mark.parametrize("name", AREA_PAGES)
@pytest.mark.parametrize("params, says", [({"area": "county-nowhere"}, "parameter 'area': no partnership here is in an area 'county-nowhere'"),
                                          ({"page": "0"}, "parameter 'page': '0' is not a page number"),
                                          ({"page": "two"}, "parameter 'page': 'two' is not a page number"),
                                          ({"page": "-1"}, "is not a page number"),
                                          ({"page": ["1", "2"]}, "parameter 'page' is given more than once"),
                                          ({"area": ["county-essex", "region-east-of-england"]}, "parameter 'area' is given more than once")])
def test_a_bad_area_or_page_shows_the_page_again_with_a_400(server, name, params, says):
    page = requests.get(server + AREA_PAGES[name], params=params, headers=HTML)
    assert page.status_code == 400 and page.headers["Content-Type"].startswith("text/html")
    assert says.replace("'", "&#39;") in page.text and 'role="alert"' in page.text and '<select id="area" name="area">' in page.text
    data = json_of(server, AREA_PAGES[name], **params)
    assert data.status_code == 400 and says in data.json()["error"] and data.json()["choices"]["police-area"]
    if name in TABLES:
        download = requests.get(server + twin(AREA_PAGES[name]).replace(".json", ".csv"), params={**params, "table": TABLES[name]})
        assert download.status_code == 400 and says in download.text


@pytest.mark.parametrize("name", AREA_PAGES)
def test_a_page_past_the_last_is_a_404_that_links_to_the_last(server, name):
    page = requests.get(server + AREA_PAGES[name], params={"page": "2", "area": "county-essex"}, headers=HTML)
    assert page.status_code == 404 and "There is no page 2" in page.text
    assert f'<a href="{AREA_PAGES[name]}?area=county-essex">Go to the last page (page 1)</a>' in page.text
    data = json_of(server, AREA_PAGES[name], page="9")
    assert data.status_code == 404 and data.json()["last"] == twin(AREA_PAGES[name])


@pytest.mark.parametrize("name", AREA_PAGES)
def test_national_pages_go_25_partnerships_at_a_time(national_server, name):
    base, _ = national_server
    path = AREA_PAGES[name]
    first = json_of(base, path).json()["data"]
    paging = first["paging"]
    order = every_row(base, "plans")
    if name == "duty":  # the partnerships whose plans serve or cite the duty
        involved = {a["plan"] for a in every_row(base, "actions-for-duty", duty="serious-violence-duty")}
        involved |= set((every_row(base, "duty-profile", duty="serious-violence-duty")[0].get("citedBy") or "").split())
        order = [r for r in order if r["plan"] in involved]
    if name == "delivery":  # the partnerships with a progress return, in the query's order
        order = every_row(base, "delivery-across-partnerships")
    partnerships = list(dict.fromkeys(r["partnership"] for r in order))
    assert paging["total"] == len(partnerships) > 25 and paging["pages"] == -(-len(partnerships) // 25)
    seen = []
    for number in range(1, paging["pages"] + 1):
        page = requests.get(base + path, params={"page": number} if number > 1 else {}, headers=HTML, timeout=300)
        assert page.status_code == 200
        data = json_of(base, path, **({"page": number} if number > 1 else {})).json()["data"]
        shown = shown_partnerships(name, data)
        last = min(number * 25, len(partnerships))
        assert f"Partnerships {(number - 1) * 25 + 1} to {last} of {len(partnerships)}: page {number} of {paging['pages']}." in page.text
        assert ('rel="next"' in page.text) == (number < paging["pages"]) and ('rel="prev"' in page.text) == (number > 1)
        if number < paging["pages"]:
            assert f'<link rel="next" href="{path}?page={number + 1}">' in page.text
        if name != "compare":  # the theme grid shows only partnerships with a themed action; the years grid shows every one
            assert len(shown) <= 25
        seen += shown
    if name in ("home", "compare", "delivery"):
        assert seen == partnerships
    else:
        assert set(seen) <= set(partnerships) and len(seen) == len(set(seen))
    gone = requests.get(base + path, params={"page": paging["pages"] + 1}, headers=HTML)
    assert gone.status_code == 404 and f"Go to the last page (page {paging['pages']})" in gone.text


@pytest.mark.parametrize("name", AREA_PAGES)
def test_national_pages_filter_by_area_in_the_url_links_downloads_and_twins(national_server, name):
    import csv
    import io

    base, _ = national_server
    path = AREA_PAGES[name]
    where = areas_by_partnership(base)
    everything = json_of(base, path).json()["data"]["paging"]
    # a region with more than one page of partnerships on the home page, and a police area and a county
    regions = [o for g in everything["choices"] if g["kind"] == "region" for o in g["options"]]
    region = max(regions, key=lambda o: o["count"])
    for option in (region, everything["choices"][0]["options"][0], everything["choices"][1]["options"][0]):
        key = option["key"]
        data = json_of(base, path, area=key).json()
        paging = data["data"]["paging"]
        assert paging["area"]["key"] == key and paging["total"] == option["count"]
        shown = shown_partnerships(name, data["data"])
        assert shown and all(key in where[p] for p in shown)
        page = requests.get(base + path, params={"area": key}, headers=HTML)
        assert f'<option value="{key}" selected>' in page.text
        if paging["pages"] > 1:
            assert f'href="{path}?area={key}&amp;page=2" rel="next"' in page.text
            second = json_of(base, path, area=key, page=2).json()
            assert second["data"]["paging"]["previous"] == f"{twin(path)}?area={key}"
            assert all(key in where[p] for p in shown_partnerships(name, second["data"]))
            assert second["tables"] == data["tables"]  # a download is the same from any page
        if name in TABLES:  # the downloads hold every partnership in the area, on every page, and nothing else
            table = data["tables"][TABLES[name]]
            stem = path.rstrip("/") or "/index"
            assert f'{stem}.csv?area={key}&amp;table={TABLES[name]}' in page.text
            download = requests.get(base + stem + ".csv", params={"area": key, "table": TABLES[name]})
            rows = list(csv.DictReader(io.StringIO(download.text)))
            assert len(rows) == len(table["rows"]) > 0
            names = {r["partnership"]: r["partnershipLabel"] for r in every_row(base, "partnership-areas")}
            assert {r["Partnership"] for r in rows} <= {names[p] for p, keys in where.items() if key in keys}
            # and agree with the canned queries, filtered by partnership-areas
            plans = [p for p in every_row(base, "plans") if key in where.get(p["partnership"], ())]
            if name == "home":
                assert sorted(r["Link"] for r in rows) == sorted(p["plan"] for p in plans)
            if name == "coverage":
                assert {r["Partnership"] for r in rows} == {p["partnershipLabel"] for p in plans}
            if name == "delivery":
                latest = [d for d in every_row(base, "delivery-across-partnerships") if key in where.get(d["partnership"], ())]
                assert [r["Link"] for r in rows] == [d["plan"] for d in latest]
                assert f'<p id="totals">{len(latest)} plan{"" if len(latest) == 1 else "s"},' in page.text
            if name == "duty":
                mine = {p["plan"] for p in plans}
                served = [a for a in every_row(base, "actions-for-duty", duty="serious-violence-duty") if a["plan"] in mine]
                assert len(rows) == len(served) == data["data"]["actionCount"]
                assert f'<span id="n-actions">{len(served)}</span>' in page.text
    assert region["count"] > 25 or name in ("duty", "delivery"), "a region fills more than one page"


def test_national_delivery_keeps_the_funder_and_the_area_together(national_server):
    """The delivery page's two choices: the area form keeps the funder chosen, the funder form the area, and the
    pages of partnerships keep both."""
    base, _ = national_server
    funders = json_of(base, "/delivery").json()["data"]["funders"]
    funder = max(funders, key=lambda f: f["plans"])
    funded = every_row(base, "delivery-across-partnerships", funder=funder["iri"])
    where = areas_by_partnership(base)
    data = json_of(base, "/delivery", funder=funder["key"]).json()["data"]
    assert data["planCount"] == len(funded) and data["paging"]["total"] == len({r["partnership"] for r in funded})
    area = data["paging"]["choices"][0]["options"][0]["key"]
    page = requests.get(base + "/delivery", params={"funder": funder["key"], "area": area}, headers=HTML)
    assert page.status_code == 200
    assert f'<input type="hidden" name="funder" value="{funder["key"]}">' in page.text
    assert f'<input type="hidden" name="area" value="{area}">' in page.text
    chosen = json_of(base, "/delivery", funder=funder["key"], area=area).json()["data"]
    mine = [r["plan"] for r in funded if area in where.get(r["partnership"], ())]
    assert chosen["planCount"] == len(mine) > 0
    assert [p["plan"] for p in chosen["plans"]] == mine[:len(chosen["plans"])]
    if data["paging"]["pages"] > 1:
        assert data["paging"]["next"] == f"/delivery.json?funder={funder['key']}&page=2"


def test_a_national_duty_page_lists_the_register_area_by_area(national_server):
    """At national size the register's bodies that hold a duty are hundreds: with no area chosen the
    duty page lists none and says how to choose one; with an area, those of its police areas (and
    any with no police area recorded). The download holds every one, as duty-holders gives them."""
    import csv
    import io

    base, _ = national_server
    path = "/duties/serious-violence-duty"
    holders = every_row(base, "duty-holders", duty="serious-violence-duty")
    assert len({h["policeArea"] for h in holders if h.get("policeArea")}) > 1
    page = requests.get(base + path, headers=HTML, timeout=300).text
    data = json_of(base, path).json()["data"]
    assert not data["registerListed"] and data["holdingBodies"] == data["cooperatingBodies"] == []
    assert 'choose an area under <a href="#by-partnership">By partnership</a>' in page and 'id="by-partnership"' in page
    assert '<ul class="holders">' not in page
    assert f'href="{path}.csv?table=holders"' in page
    rows = list(csv.DictReader(io.StringIO(requests.get(base + path + ".csv", params={"table": "holders"}, timeout=300).text)))
    assert [(r["Organisation"], r["Police area"] or None, r["Link"]) for r in rows] == \
        [(h["bodyLabel"], h.get("policeArea"), h["body"]) for h in holders]
    areas = {r["partnership"]: r.get("policeAreaLabel") for r in every_row(base, "partnership-areas")}
    keys = areas_by_partnership(base)
    for option in json_of(base, path).json()["data"]["paging"]["choices"][2]["options"][:2]:  # two regions
        chosen = json_of(base, path, area=option["key"]).json()["data"]
        assert chosen["registerListed"]
        where = {areas[p] for p in areas if option["key"] in keys[p]}
        listed = chosen["holdingBodies"] + chosen["cooperatingBodies"]
        want = [h for h in holders if h.get("policeArea") is None or h["policeArea"] in where]
        assert sorted(b["body"] for b in listed) == sorted(h["body"] for h in want) and listed
        html = requests.get(base + path, params={"area": option["key"]}, headers=HTML, timeout=300).text
        assert html.count("<strong>holds this</strong>") == len(chosen["holdingBodies"])
