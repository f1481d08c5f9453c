"""The canned questions as pages for people (`/queries/<name>` in HTML), over the real server: choices
by name, a name resolved to its key, the form again with the choices for a wrong value, answers with
labels linked to the lead pages and columns named in words. The JSON answers are the API's and do not
change: their rows are the pages' rows."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import requests

from cspkg.answers.catalogue import catalogue
from cspkg.namespaces import ID

HTML = {"Accept": "text/html"}
QUERIES = catalogue()


class Page(HTMLParser):
    """What a person sees of a question page: the form's lists, the problem, the people's table."""

    def __init__(self, text: str):
        super().__init__()
        self.selects: dict[str, list[dict]] = {}
        self.inputs: dict[str, str] = {}
        self.forms = 0
        self.problem = ""
        self.headings: list[dict] = []
        self.rows: list[list[dict]] = []
        self._select = self._option = None
        self._in_problem = self._in_table = False
        self._cell = None
        self._link = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms += 1
        elif tag == "select":
            self._select = self.selects.setdefault(a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self._select.append(self._option)
        elif tag == "input" and a.get("type") == "text":
            self.inputs[a["name"]] = a.get("value") or ""
        elif tag == "p" and a.get("id") == "problem":
            self._in_problem = True
        elif tag == "table" and "answer" in (a.get("class") or "").split():
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = {"text": "", "links": [], "class": a.get("class") or ""}
            (self.headings if tag == "th" else self.rows[-1]).append(self._cell)
        elif self._in_table and tag == "a" and self._cell is not None:
            self._link = {"href": a["href"], "text": ""}
            self._cell["links"].append(self._link)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "p":
            self._in_problem = False
        elif tag == "table":
            self._in_table = False
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._in_problem:
            self.problem += data
        if self._cell is not None:
            self._cell["text"] += data
        if self._link is not None:
            self._link["text"] += data

    @property
    def body(self) -> list[list[dict]]:
        return [r for r in self.rows if r]


def page(server, path: str, params: dict | None = None, status: int = 200) -> Page:
    response = requests.get(server + path, params=params, headers=HTML, timeout=60)
    assert response.status_code == status, (path, params, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("text/html")
    return Page(response.text)


def bindings(server, name: str, params: dict) -> list[dict]:
    return requests.get(f"{server}/queries/{name}.json", params=params, timeout=60).json()["results"]["bindings"]


def test_short_lists_are_select_lists_of_names_with_keys_as_values(server):
    shown = page(server, "/queries/actions-for-duty", {"duty": "serious-violence-duty"})
    duties = shown.selects["duty"]
    listed = QUERIES["actions-for-duty"].enumerate["duty"]
    assert {o["value"] for o in duties} == {iri.removeprefix(ID + "duty/") for iri in listed}
    chosen = [o for o in duties if o["selected"]]
    assert [(o["value"], o["text"]) for o in chosen] == [("serious-violence-duty", "Serious Violence Duty")]
    assert all(o["text"] and "https://" not in o["text"] for o in duties)
    # plans and themes too; a theme list offers themes, not every concept the query would accept
    plans = page(server, "/queries/plan-summary", {"plan": "thurrock-2023-24"}).selects["plan"]
    assert any(o["text"].startswith("Thurrock Community Safety Partnership") and o["selected"] for o in plans)
    themes = page(server, "/queries/theme-across-partnerships", {"theme": "domestic-abuse"}).selects["theme"]
    assert themes and all("/" not in o["value"] for o in themes)
    assert [o["text"] for o in themes] == sorted((o["text"] for o in themes), key=str.casefold)


def test_an_optional_parameter_can_be_left_as_any(server):
    shown = page(server, "/queries/funding-by-source")
    assert shown.selects["plan"][0] == {"value": "", "text": "Any", "selected": False}


def test_a_plain_name_resolves_to_its_key(server):
    for typed in ("Serious Violence Duty", "serious violence duty", "  SERIOUS   violence DUTY "):
        response = requests.get(f"{server}/queries/actions-for-duty", params={"duty": typed}, headers=HTML,
                                allow_redirects=False, timeout=60)
        assert response.status_code == 303, typed
        assert response.headers["Location"] == "/queries/actions-for-duty?duty=serious-violence-duty"
    followed = page(server, "/queries/actions-for-duty", {"duty": "Serious Violence Duty"})
    assert len(followed.body) == len(bindings(server, "actions-for-duty", {"duty": "serious-violence-duty"}))
    # an action, found by its name among every plan's (the search step's words, exactly)
    found = requests.get(f"{server}/queries/trace-action", params={"action": "asb patrol officer"}, headers=HTML,
                         allow_redirects=False, timeout=60)
    assert found.status_code == 303 and found.headers["Location"] == "/queries/trace-action?action=tendring-2021-22/r04"


def test_the_api_does_not_take_names(server):
    # the JSON and CSV answers are the API's: a key or an IRI, as before
    response = requests.get(f"{server}/queries/actions-for-duty.json", params={"duty": "Serious Violence Duty"}, timeout=60)
    assert response.status_code == 400 and response.json()["ok"] is False
    assert requests.get(f"{server}/queries/actions-for-duty.csv", params={"duty": "serious-violence-duty"}, timeout=60).ok


def test_a_wrong_value_shows_the_form_again_with_every_choice(server):
    shown = page(server, "/queries/actions-for-duty", {"duty": "no such duty"}, status=400)
    assert shown.forms >= 1 and "parameter 'duty'" in shown.problem and "no such duty" in shown.problem
    assert len(shown.selects["duty"]) == len(QUERIES["actions-for-duty"].enumerate["duty"])
    assert not shown.rows  # no answer for a question not asked


def test_a_name_matching_several_lists_them_by_name(server):
    shown = page(server, "/queries/actions-for-duty", {"duty": "violence"}, status=400)
    assert "parameter 'duty'" in shown.problem
    for name in ("Serious Violence Duty", "Section 17 duty: serious violence"):
        assert name in shown.problem


def test_a_long_list_is_searched_then_chosen_from(server):
    shown = page(server, "/queries/trace-action", {"action": "patrol"}, status=400)
    assert "parameter 'action'" in shown.problem
    found = shown.selects["action"]
    assert [o["value"] for o in found] == ["tendring-2021-22/r04"] and "ASB Patrol Officer" in found[0]["text"]
    assert shown.inputs["action"] == "patrol"  # to search again
    # the candidates are what the canned search finds (words in the title or the description)
    several = page(server, "/queries/trace-action", {"action": "domestic abuse"}, status=400).selects["action"]
    searched = bindings(server, "search-actions", {"text": "domestic abuse"})
    assert [o["value"] for o in several] == list(dict.fromkeys(r["action"]["value"].removeprefix(ID + "action/") for r in searched))
    assert len(several) > 1 and all(o["text"].startswith(r["actionLabel"]["value"]) for o, r in zip(several, searched))
    too_long = page(server, "/queries/trace-action", {"action": "k" * 600}, status=400)
    assert "at most 500" in too_long.problem and too_long.forms
    nothing = page(server, "/queries/trace-action", {"action": "zzzz qqqq"}, status=400)
    assert "no action" in nothing.problem and "action" in nothing.inputs
    # a chosen action: the text box holds its key and names it
    chosen = requests.get(f"{server}/queries/trace-action", params={"action": "tendring-2021-22/r04"}, headers=HTML, timeout=60)
    assert chosen.status_code == 200 and "ASB Patrol Officer" in chosen.text


@pytest.mark.parametrize("params", [{"plan": "https://example.org/not-a-plan"}, {"colour": "red"},
                                    [("plan", "thurrock-2023-24"), ("plan", "tendring-2021-22")]])
def test_other_bad_values_show_the_form_again_too(server, params):
    shown = page(server, "/queries/plan-summary", params, status=400)
    assert shown.forms and shown.problem and "plan" in shown.selects


def test_headings_are_words(server):
    shown = page(server, "/queries/theme-across-partnerships", {"theme": "domestic-abuse"})
    headings = [h["text"] for h in shown.headings]
    assert headings[:3] == ["Partnership", "Partnership actions", "Plan"]
    assert not any(h.endswith("Label") or any(c.isupper() for c in h[1:]) for h in headings)
    # a heading the query's header gives in words
    assert "Police and Crime Plan" in [h["text"] for h in page(server, "/queries/pfcc-alignment").headings]
    assert "Amount (£)" in [h["text"] for h in page(server, "/queries/plan-funding").headings]


def test_the_peoples_table_shows_labels_linked_to_lead_pages_and_no_iri(server):
    params = {"duty": "serious-violence-duty"}
    shown = page(server, "/queries/actions-for-duty", params)
    rows = bindings(server, "actions-for-duty", params)
    assert len(shown.body) == len(rows) > 0
    cells = [c for row in shown.body for c in row]
    assert not any("http://" in c["text"] or "https://" in c["text"] for c in cells)
    links = {(link["href"], link["text"]) for c in cells for link in c["links"]}
    first = rows[0]
    assert ("/duties/serious-violence-duty", "Serious Violence Duty") not in links  # what was asked: said once, above
    assert '<p class="asked">Duty: <a href="/duties/serious-violence-duty">Serious Violence Duty</a></p>' in \
        requests.get(f"{server}/queries/actions-for-duty", params=params, headers=HTML, timeout=60).text
    plan_key = first["plan"]["value"].removeprefix(ID + "plan/")
    assert (f"/plans/{plan_key}", first["planLabel"]["value"]) in links
    assert (first["action"]["value"].replace(ID, "/doc/"), first["actionLabel"]["value"]) in links
    for href in {h for h, _ in links}:
        assert href.startswith(("/plans/", "/duties/", "/doc/")), href
    for href in {h for h, _ in links if not h.startswith("/doc/")}:
        assert requests.get(server + href, headers=HTML, timeout=60).status_code == 200, href


def test_numbers_are_right_aligned_and_agree_with_the_api(server):
    shown = page(server, "/queries/agency-workload")
    headings = [h["text"] for h in shown.headings]
    leads = headings.index("Leads")
    assert "n" in shown.headings[leads]["class"].split()
    rows = bindings(server, "agency-workload", {})
    assert [r[leads]["text"] for r in shown.body] == [r["leads"]["value"] for r in rows]
    assert all("n" in r[leads]["class"].split() for r in shown.body)
    assert "n" not in shown.headings[headings.index("Agency")]["class"].split()


def test_the_iris_and_the_sparql_stay_one_click_away(server):
    response = requests.get(f"{server}/queries/actions-for-duty", params={"duty": "serious-violence-duty"}, headers=HTML, timeout=60)
    text = response.text
    for href in ("/queries/actions-for-duty.csv?duty=serious-violence-duty", "/queries/actions-for-duty.json?duty=serious-violence-duty",
                 "/queries/actions-for-duty.rq"):
        assert f'href="{href}"' in text, href
    assert "<summary>Show the data as IRIs</summary>" in text
    assert f'href="{ID}duty/serious-violence-duty"' in text  # the raw table, behind the summary
    assert "SELECT" in text and "#+ enumerate" not in text


def test_pages_of_a_long_answer_link_to_each_other(server):
    shown = requests.get(f"{server}/queries/agency-workload", headers=HTML, timeout=60).text
    assert 'href="/queries/agency-workload?page=2" rel="next"' in shown
    second = requests.get(f"{server}/queries/agency-workload", params={"page": 2}, headers=HTML, timeout=60).text
    assert 'href="/queries/agency-workload" rel="prev"' in second


def test_the_index_reads_as_questions_with_the_developer_details_apart(server):
    text = requests.get(f"{server}/queries", headers=HTML, timeout=60).text
    people, _, developers = text.partition('<h2 id="developers">For developers</h2>')
    assert developers, "the developer details are a section of their own"
    first = QUERIES["actions-for-duty"]
    assert f'<a href="/queries/actions-for-duty">{first.summary}</a>' in people and "You choose: legal duty" in people
    assert "/queries/actions-for-duty.rq" not in people and "/queries/actions-for-duty.rq" in developers
    assert people.index(first.summary) < text.index(first.description.split("\n")[0][:40].replace('"', "&#34;"))
    # every question, by its name, for those who call it
    assert all(f"<code>{name}</code>" in developers for name in QUERIES)



def test_headings_from_variable_names():
    from cspkg.web.questions import heading

    assert heading("fundedActions") == "Funded actions"
    assert heading("amountGBP") == "Amount (£)" and heading("matchFundingGBP") == "Match funding (£)"
    assert heading("inForceFrom") == "In force from" and heading("plan") == "Plan"


@pytest.mark.parametrize("name", [n for n, q in QUERIES.items() if q.headings])
def test_a_headers_headings_name_its_columns_or_parameters(name):
    query = QUERIES[name]
    for var in query.headings:
        assert f"?{var}" in query.text or var in {p.name for p in query.params}, f"{name}: no ?{var} to name"


def test_what_was_asked_in_words_is_said_once(server):
    text = requests.get(f"{server}/queries/search-actions", params={"text": "knife"}, headers=HTML, timeout=60).text
    assert '<p class="asked">Words to look for: knife</p>' in text
    assert "Words to look for" not in "".join(h["text"] for h in Page(text).headings)


def test_a_resource_with_no_label_column_is_shown_by_its_name(server):
    text = requests.get(f"{server}/queries/member-duties", params={"plan": "thurrock-2023-24"}, headers=HTML, timeout=60).text
    title = bindings(server, "plan-summary", {"plan": "thurrock-2023-24"})[0]["title"]["value"]
    assert f'<p class="asked">Plan: <a href="/plans/thurrock-2023-24">{title}</a></p>' in text
    # a bare `label` column names the `item` beside it
    shown = page(server, "/queries/search", {"text": "violence"})
    assert "Label" not in [h["text"] for h in shown.headings]
    item = [h["text"] for h in shown.headings].index("Item")
    rows = bindings(server, "search", {"text": "violence"})
    assert [r[item]["links"][0]["text"] for r in shown.body] == [r["label"]["value"] for r in rows]


def test_the_first_name_found_is_chosen_in_the_list(server):
    shown = page(server, "/queries/actions-for-duty", {"duty": "violence"}, status=400)
    chosen = [o["text"] for o in shown.selects["duty"] if o["selected"]]
    assert len(chosen) == 1 and chosen[0] in shown.problem
