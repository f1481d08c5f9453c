"""Browser and spreadsheet safety: link schemes, security headers on every response, and CSV cells
a spreadsheet would run as formulas; through the real server over a private store whose plan states
a `javascript:` homepage and a title that is a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA
from cspkg.answers.spreadsheet import csv_bytes, from_sparql_csv, is_number, neutralise, restore
from cspkg.web.presentation import href
from cspkg.web.trace import href as trace_href
from server import serving
from test_cli import cspkg

HTML = {"Accept": "text/html"}
PLAN = "tendring-2021-22"
PLAN_IRI = f"https://w3id.org/cspkg/id/plan/{PLAN}"
FORMULA = '=HYPERLINK("http://127.0.0.1/x","Tendring plan")'
FOAF_HOMEPAGE = "http://xmlns.com/foaf/0.1/homepage"
SOURCE = ox.NamedNode("javascript:alert(3)")
CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


# --- the neutraliser ---------------------------------------------------------------------------

@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_each_trigger_character_gets_an_apostrophe(trigger):
    cell = trigger + "SUM(A1:A9)"
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("number", ["-5", "+3.2", "-0.5", "-.5", "12", "-1.5E3", "+1e-5", "0"])
def test_numbers_are_untouched(number):
    assert is_number(number) and neutralise(number) == number


@pytest.mark.parametrize("text", ["-", "+", "-5 apples", "-inf", "+nan", "-1_000", "- 5", "-0x1F", "-٥", "--5", "-5-3"])
def test_text_that_only_looks_numeric_is_neutralised(text):
    # '٥' is an Arabic-Indic digit: float() reads it, a spreadsheet does not.
    assert not is_number(text) and neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "plain", "Ümlaut = value", "日本語", "a=b", "'quoted", "'-5", "5-3", "é@x"])
def test_other_text_is_untouched(text):
    assert neutralise(text) == text and restore(text) == text


@pytest.mark.parametrize("text", ["'=x", "''=x", "'@x", "=x", "'", "'-5", "''", "-"])
def test_restore_undoes_neutralise_exactly(text):
    assert restore(neutralise(text)) == text


def test_spreadsheet_csv_quotes_every_cell_and_rewrites_a_sparql_answer():
    body = csv_bytes([["name", "n"], ["a;=1+1", "-5"], [FORMULA, None]])
    assert body.decode() == '"name","n"\r\n"a;=1+1","-5"\r\n"\'=HYPERLINK(""http://127.0.0.1/x"",""Tendring plan"")",""\r\n'
    sparql = 'title,n\r\n"=HYPERLINK(""http://127.0.0.1/x"",""Tendring plan"")",74\r\n@home,-3\r\n'.encode()
    assert list(csv.reader(io.StringIO(from_sparql_csv(sparql).decode()))) == [["title", "n"], ["'" + FORMULA, "74"], ["'@home", "-3"]]


# --- link targets --------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                                    "java\nscript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "mailto:a@b.example",
                                    "//evil.example/x", "http:/no-host", "urn:isbn:123", "/\\evil.example", "http://[::1", ""])
def test_only_http_links_and_paths_here_pass(target):
    assert href(target) is None


@pytest.mark.parametrize("target", ["http://www.legislation.gov.uk/id/ukpga/2022/32/section/8", "HTTPS://w3id.org/cspkg/x",
                                    "/doc/plan/x", "/sparql?query=SELECT%20*", "#main", "?page=2"])
def test_http_links_and_paths_here_pass_unchanged(target):
    assert href(target) == target


def test_the_trace_picture_links_no_other_scheme():
    assert trace_href("act", "javascript:alert(1)") is None
    assert trace_href("act", "http://www.legislation.gov.uk/id/ukpga/1998/37") == "http://www.legislation.gov.uk/id/ukpga/1998/37"
    assert trace_href("duty", "https://w3id.org/cspkg/id/duty/prevent-duty") == "/duties/prevent-duty"


class Links(HTMLParser):
    """Every href and src in a page, and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.targets: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.targets += [v or "" for k, v in attrs if k in ("href", "src", "xlink:href", "action")]

    def handle_data(self, data):
        self.text.append(data)


def schemes(targets: list[str]) -> set[str]:
    from urllib.parse import urlsplit

    return {urlsplit(t.strip()).scheme.lower() for t in targets} - {""}


# --- a private store with hostile values -----------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A data folder whose Tendring plan has a formula for a title and javascript: homepage and
    seeAlso IRIs, a store built from it, and the real server over it."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(DEFAULT_DATA, data)
    plan = data / "plans" / f"{PLAN}.ttl"
    triples = [q.triple for q in ox.parse(path=str(plan), format=ox.RdfFormat.TURTLE)]
    subject, title = ox.NamedNode(PLAN_IRI), ox.NamedNode("http://purl.org/dc/terms/title")
    assert sum(t.subject == subject and t.predicate == title for t in triples) == 1
    triples = [t for t in triples if not (t.subject == subject and t.predicate == title)] + [
        ox.Triple(subject, title, ox.Literal(FORMULA, language="en")),
        ox.Triple(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), ox.NamedNode("javascript:alert(1)")),
        ox.Triple(subject, ox.NamedNode(FOAF_HOMEPAGE), ox.NamedNode("javascript:alert(document.domain)")),
        ox.Triple(subject, ox.NamedNode(FOAF_HOMEPAGE), ox.NamedNode("https://www.tendringdc.gov.uk/")),
        # a source document with a javascript: IRI: the page's "Source:" line names it
        ox.Triple(subject, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), SOURCE),
        ox.Triple(SOURCE, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("https://w3id.org/cspkg/def/SourceDocument")),
        ox.Triple(SOURCE, title, ox.Literal("A source document", language="en")),
        ox.Triple(SOURCE, ox.NamedNode("https://w3id.org/cspkg/def/seedFile"), ox.Literal(f"{PLAN}.txt"))]
    plan.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    store = root / "store"
    result = run(data, store)
    assert not result.violations, [f.message for f in result.violations]
    with serving(store, workers=1, data=data) as base:
        yield base, data


def test_a_javascript_homepage_is_shown_as_text_on_the_plan_document(hostile):
    base, _ = hostile
    page = requests.get(f"{base}/doc/plan/{PLAN}", headers=HTML, timeout=30)
    assert page.status_code == 200
    links = Links(page.text)
    assert "javascript" not in schemes(links.targets), [t for t in links.targets if "javascript" in t.lower()]
    assert schemes(links.targets) <= {"http", "https"}
    text = "".join(links.text)
    assert "javascript:alert(1)" in text and "javascript:alert(document.domain)" in text  # still shown, as text
    assert "A source document" in text
    assert "https://www.tendringdc.gov.uk/" in links.targets  # an http(s) homepage is still a link
    assert FORMULA in text  # the title, as text (HTML escaping is Jinja's)


@pytest.mark.parametrize("path", ["/", f"/plans/{PLAN}", f"/plans/{PLAN}/trace", "/compare", "/coverage", "/search?text=tendring",
                                  f"/doc/dataset/cspkg", f"/graph/plan/{PLAN}", "/rdf-graph-store?graph=javascript:alert(1)",
                                  "/rdf-graph-store?graph=javascript:alert(1)%3E%20%7B%7D%7D%20%23", f"/diff?before={PLAN}&after={PLAN}",
                                  f"/queries/plan-summary?plan={PLAN}"])
def test_no_page_links_any_scheme_but_http(hostile, path):
    base, _ = hostile
    page = requests.get(base + path, headers=HTML, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html"), path
    assert schemes(Links(page.text).targets) <= {"http", "https"}, path


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_canned_query_csv_is_neutralised_but_sparql_csv_stays_exact(hostile):
    base, _ = hostile
    canned = requests.get(f"{base}/queries/plan-summary.csv", params={"plan": PLAN}, timeout=30)
    assert canned.status_code == 200 and canned.headers["Content-Type"].startswith("text/csv")
    header, row = rows(canned.text)
    cells = dict(zip(header, row))
    assert cells["title"] == "'" + FORMULA
    assert cells["actions"] == "18" and cells["plan"] == PLAN_IRI  # numbers and IRIs as they were
    assert all(line.startswith('"') for line in canned.text.splitlines())  # every cell quoted
    # The same value through /sparql: the W3C CSV format, exact, as pyoxigraph writes it.
    query = f"SELECT ?title WHERE {{ <{PLAN_IRI}> <http://purl.org/dc/terms/title> ?title }}"
    answer = requests.get(f"{base}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    assert answer.status_code == 200
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(PLAN_IRI), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(FORMULA, language="en")))
    assert answer.content == store.query(query).serialize(format=ox.QueryResultsFormat.CSV)
    assert rows(answer.text) == [["title"], [FORMULA]]
    # TSV (RDF terms) and JSON are for programs and stay as they were
    tsv = requests.get(f"{base}/queries/plan-summary.tsv", params={"plan": PLAN}, timeout=30).text
    assert '"' + FORMULA.replace('"', '\\"') + '"@en' in tsv


def test_workbook_csv_export_neutralises_and_reimports_the_same_plan(hostile, tmp_path):
    _, data = hostile
    out = tmp_path / "book"
    done = cspkg("export", PLAN, "--format", "csv", "-o", str(out), "--data", str(data))
    assert done.returncode == 0, done.stderr
    with (out / "plan.csv").open(encoding="utf-8", newline="") as f:
        plan = list(csv.DictReader(f))[0]
    assert plan["Title"] == "'" + FORMULA
    raw = (out / "plan.csv").read_text(encoding="utf-8")
    assert all(line.startswith('"') for line in raw.splitlines())
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    done = cspkg("import", str(out), "--data", str(copy))
    assert done.returncode == 0, done.stdout + done.stderr
    read = lambda p: {q.triple for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)}
    assert read(copy / "plans" / f"{PLAN}.ttl") == read(data / "plans" / f"{PLAN}.ttl")


# --- security headers on every response ----------------------------------------------------------------

ROUTES = [("/", HTML, 200), ("/plans/tendring-2021-22", HTML, 200), ("/queries.json", {}, 200), ("/openapi.json", {}, 200),
          ("/queries/plan-summary.csv", {}, 200), ("/doc/plan/tendring-2021-22.ttl", {}, 200),
          ("/doc/plan/tendring-2021-22", {"Accept": "application/ld+json"}, 200), ("/id/plan/tendring-2021-22", {}, 303),
          ("/sparql", HTML, 200), ("/sparql?query=ASK%7B%7D", {}, 200), ("/static/site.css", {}, 200), ("/static/pages.css", {}, 200),
          ("/healthz", {}, 200), ("/no/such/page", HTML, 404), ("/no/such/page", {}, 404), ("/queries/no-such", {}, 404),
          ("/plans/no-such", HTML, 404), ("/queries/plan-summary?page=x", {}, 400), ("/sparql?query=SELEKT", {}, 400),
          ("/static/no-such.css", {}, 404)]


@pytest.mark.parametrize("path, headers, status", ROUTES)
def test_security_headers_on_every_response(server, path, headers, status):
    r = requests.get(server + path, headers=headers, allow_redirects=False, timeout=30)
    assert r.status_code == status, (path, r.text[:200])
    assert r.headers["Content-Security-Policy"] == CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Access-Control-Allow-Origin"] == "*"  # reads stay open to other origins


def test_post_and_method_errors_have_the_headers_too(server):
    for r in (requests.post(server + "/sparql", data={"query": "ASK {}"}, timeout=30),
              requests.delete(server + "/queries", timeout=30)):
        assert r.headers["Content-Security-Policy"] == CSP and r.headers["X-Frame-Options"] == "DENY", r.status_code


def test_no_page_has_inline_script_or_style(server):
    """What the policy would refuse, read from the HTML: no <script>, <style>, style= or on...= anywhere."""
    paths = ["/", "/search?text=knife", "/plans/tendring-2021-22", "/plans/thurrock-2023-24/trace", "/duties/serious-violence-duty",
             "/coverage", "/compare", "/queries", "/queries/actions-for-duty", "/sparql", "/doc/plan/tendring-2021-22", "/def/",
             "/def/shapes/", "/doc/dataset/cspkg", "/diff?before=tendring-2021-22&after=thurrock-2023-24", "/no/such/page",
             "/partnerships/thurrock-csp", "/compare/side-by-side?a=colchester-csp&b=braintree-csp&duty=serious-violence-duty",
             "/compare/side-by-side?a=nowhere&theme=domestic-abuse"]

    class Inline(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.found.append(tag)
            self.found += [f"{tag} {k}" for k, _ in attrs if k == "style" or k.startswith("on")]

    for path in paths:
        page = requests.get(server + path, headers=HTML, timeout=30)
        parser = Inline()
        parser.found = []
        parser.feed(page.text)
        assert not parser.found, (path, parser.found)


def test_lead_pages_show_other_schemes_as_text():
    """The duty page's legislation links and the trace picture's boxes, rendered with javascript: IRIs."""
    from flask import render_template

    from cspkg.web import create_app
    from cspkg.web.trace import layout

    app = create_app()
    evil = "javascript:alert(1)"
    duty = {"duty": "https://w3id.org/cspkg/id/duty/x", "key": "x", "label": "A duty", "status": None, "requires": None,
            "holders": None, "heldBy": None, "fundedActions": 0, "plans": 1,
            "legislation": [{"provision": evil, "provisionLabel": "Section 1", "act": "http://www.legislation.gov.uk/id/ukpga/1998/37",
                             "actLabel": "Crime and Disorder Act 1998"}],
            "actions": [{"plan": PLAN_IRI, "planLabel": "A plan", "partnershipKey": "p", "action": evil, "actionLabel": "An action",
                         "lead": None, "funding": "none", "amount": None, "linked": "directly", "funded": False}]}
    paths = [{"action": "https://w3id.org/cspkg/id/action/p/a1", "actionLabel": "An action", "duty": "https://w3id.org/cspkg/id/duty/x",
              "dutyLabel": "A duty", "act": evil, "actLabel": "An Act"}]
    with app.test_request_context("/duties/x"):
        pages = [render_template("pages/duty.html", title="t", data=duty, sources=[], json_href="/duties/x.json"),
                 render_template("pages/trace.html", title="t", data={"key": "p", "title": "A plan", "tracedActions": 1, "actions": 1,
                                                                       "paths": paths}, picture=layout(paths), sources=[], json_href="/x.json")]
    for html in pages:
        links = Links(html)
        assert schemes(links.targets) <= {"http", "https"}
        assert "http://www.legislation.gov.uk/id/ukpga/1998/37" in links.targets or "/duties/x" in links.targets
    assert "Section 1" in "".join(Links(pages[0]).text) and "An action" in Links(pages[0]).text  # shown, not linked
    assert "An Act" in Links(pages[1]).text
