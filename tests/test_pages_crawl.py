"""A crawl of the pages for leads, from every page in the registry: no internal link is broken, no raw
IRI is shown to a person as text, and every link to legislation.gov.uk names a provision or Act the
reference data holds (checked against data/reference, never fetched).

The crawl follows links between lead pages (any path a registry route matches) and checks, without
following, every other link on this server (linked-data pages, questions, the ontology). It is
bounded: at most MAX_PAGES pages are fetched whatever the links say.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import requests
from rdflib import Graph, URIRef
from werkzeug.routing import Map, Rule

from cspkg.sources import REPO
from cspkg.web.leads.registry import LEAD_PAGES

MAX_PAGES = 600  # the seed data's lead pages, with an action page for each action a return reports on
HTML = {"Accept": "text/html"}
# Our IRIs, the legislation's and the vocabularies': a plan's own words may name a web site, which is
# what the plan says, but an identifier is never what a person should read.
RAW_IRI = re.compile(r"(?:https?://)?(?:w3id\.org/cspkg|(?:www\.)?legislation\.gov\.uk/id|www\.w3\.org|purl\.org|schema\.org"
                     r"|data\.europa\.eu)/\S*|\burn:\S+")
DATA = (".json", ".csv", ".xlsx", ".ttl", ".rq", ".jsonld", ".nt", ".trig", ".nq")
LEAD_ROUTES = Map([Rule(p.rule, endpoint=p.name) for p in LEAD_PAGES]).bind("localhost")


class Links(HTMLParser):
    """The links of a page, and the text a reader sees (outside scripts, styles and the head)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script", "head")
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script", "head")

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.text.append(data.strip())


def is_lead_page(path: str) -> bool:
    if urlsplit(path).path.endswith(DATA):  # a page's data twin or download, checked but not read
        return False
    try:
        LEAD_ROUTES.match(urlsplit(path).path)
    except Exception:  # noqa: BLE001 - werkzeug's NotFound / MethodNotAllowed: not a lead page
        return False
    return True


@pytest.fixture(scope="module")
def legislation() -> set[str]:
    """Every legislation.gov.uk IRI the reference data names (subject or object)."""
    graph = Graph()
    for path in sorted((REPO / "data" / "reference").glob("*.ttl")):
        graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    out = set()
    for s, _, o in graph:
        for term in (s, o):
            if isinstance(term, URIRef) and "legislation.gov.uk" in term:
                out.add(str(term))
    return out


@pytest.fixture(scope="module")
def crawl(server):
    """Fetch the lead pages reachable from the registry's examples: {path: (status, Links)}, and
    every other internal link met on the way: {path: status}."""
    session = requests.Session()
    queue = deque(p.example for p in LEAD_PAGES)
    pages: dict[str, tuple[int, Links]] = {}
    others: dict[str, int] = {}
    while queue:
        path = queue.popleft()
        if path in pages:
            continue
        assert len(pages) < MAX_PAGES, "the crawl met more lead pages than it allows"
        response = session.get(server + path, headers=HTML)
        parsed = Links()
        parsed.feed(response.text)
        pages[path] = (response.status_code, parsed)
        for href in parsed.links:
            target, _ = urldefrag(href)
            if not target.startswith("/") or target.startswith("//"):
                continue
            if is_lead_page(target):
                queue.append(target)
            elif target not in others and not target.startswith("/static/"):
                others[target] = session.get(server + target, headers=HTML).status_code
                assert len(others) < 4 * MAX_PAGES, "the crawl met more links than it allows"
    return pages, others


def test_every_lead_page_reached_answers(crawl):
    pages, _ = crawl
    assert len(pages) >= len(LEAD_PAGES)
    broken = {path: status for path, (status, _) in pages.items() if status != 200}
    assert not broken, f"lead pages that do not answer 200: {broken}"


def test_no_internal_link_is_broken(crawl):
    _, others = crawl
    broken = {path: status for path, status in others.items() if status >= 400}
    assert not broken, f"links on lead pages that do not answer: {broken}"


def test_no_raw_iri_is_shown_as_text(crawl):
    pages, _ = crawl
    shown = {path: [m.group(0) for t in links.text for m in RAW_IRI.finditer(t)] for path, (_, links) in pages.items()}
    shown = {path: found[:3] for path, found in shown.items() if found}
    assert not shown, f"raw IRIs shown as text: {shown}"


def test_links_to_legislation_name_provisions_in_the_reference_data(crawl, legislation):
    pages, _ = crawl
    unknown = {href for _, links in pages.values() for href in links.links
               if urlsplit(href).netloc.endswith("legislation.gov.uk") and href not in legislation}
    assert legislation, "the reference data names no legislation"
    assert not unknown, f"links to legislation.gov.uk the reference data does not hold: {sorted(unknown)[:5]}"
    assert any("legislation.gov.uk" in h for _, links in pages.values() for h in links.links), \
        "the crawl met no link to the legislation (the duty pages link each provision)"
