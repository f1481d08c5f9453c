"""The pages for strategy leads in headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium with explicit paths, so nothing downloads a browser or a driver): numbers against the
canned queries, links from a plan to the legislation, axe-core accessibility checks, keyboard focus,
print styles, and screenshots.

Screenshots go to tests/.artifacts/; with CSPKG_SCREENSHOTS=1 docs/screenshots/ (shown in docs/pages.md) are
written as well.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
import requests

from cspkg.sources import REPO
from cspkg.web.leads.registry import LEAD_PAGES as REGISTRY

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never fetch anything

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.common.selenium_manager import SeleniumManager  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from test_pages_http import every_row as rows

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / ".artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
# Every page a lead opens (the registry), then the pages for the data-minded, each with a heading it must show.
PAGES = [p.example for p in REGISTRY]
LEAD_PAGES = {p.example: p.heading for p in REGISTRY} | {
              "/queries": "Questions the graph answers", "/queries/actions-for-duty?duty=serious-violence-duty": None, "/sparql": "SPARQL query",
              "/doc/plan/tendring-2021-22": "The Tendring Community Safety Partnership", "/doc/action/thurrock-2023-24/pop-3": "Serious Violence Duty",
              "/doc/duty/serious-violence-duty": "Serious Violence Duty", "/def/": "The cspkg ontology",
              "/def/shapes/": "The cspkg shapes", "/def/Action": "Action", "/doc/dataset/cspkg": "Community Safety Partnership plans (cspkg)",
              "/no/such/page": "Sorry, that did not work (404)"}


@pytest.fixture(scope="module")
def browser():
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        assert Path(path).exists(), f"{path} is missing: apt-get install {package} (or run `make test-deps`)"
    assert AXE.exists(), "node_modules/axe-core is missing: run `npm ci` (`make test` does)"
    def no_downloads(*args, **kwargs):
        raise AssertionError("Selenium Manager was asked to find (and maybe download) a browser or driver")

    guard = pytest.MonkeyPatch()
    guard.setattr(SeleniumManager, "binary_paths", no_downloads)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"):
        options.add_argument(arg)
    # Chromium's console, read after each page: it reports every Content-Security-Policy violation,
    # including those during parsing that a listener added after the load would miss.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    assert driver.capabilities["browserName"] == "chrome"
    yield driver
    driver.quit()
    guard.undo()


def text(browser, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text.strip()


def screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    if os.environ.get("CSPKG_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_plan_page_numbers_match_the_canned_queries(server, browser):
    browser.get(f"{server}/plans/tendring-2021-22")
    assert browser.title.startswith("The Tendring Community Safety Partnership")
    summary = rows(server, "plan-summary", plan="tendring-2021-22")[0]
    assert text(browser, "#n-actions") == summary["actions"] == "18"
    # money told apart by kind, each count as plan-summary gives it, the five adding up to the actions
    kinds = ("actionsWithAmount", "actionsSourceOnly", "actionsInKind", "actionsNoneRequired", "actionsFundingNotStated")
    assert [text(browser, f"#n-{k}") for k in kinds] == [summary[k] for k in kinds] == ["8", "2", "1", "3", "4"]
    assert text(browser, "#n-gbp") == f"£{int(summary['totalGBP']):,}" == "£31,906"
    # the completeness score, as plan-score gives it, and the one verdict
    score = rows(server, "plan-score", plan="tendring-2021-22")[0]
    for key in ("withLead", "withOutcome", "withTiming", "withFunding", "withAll"):
        assert text(browser, f"#score-{key} td") == f"{score[key]} of {score['actions']}"
    assert text(browser, "#verdict").startswith("Not ready to publish: 8 things should be fixed first")
    # each table's download link is beside it
    assert browser.find_elements(By.CSS_SELECTOR, 'a[href="/plans/tendring-2021-22.xlsx?table=actions"]')
    money = sum(float(f["totalGBP"]) for f in rows(server, "funding-by-source", plan="tendring-2021-22") if f["kind"] == "money")
    assert text(browser, "#funding-total") == f"£{money:,.0f}"
    action_rows = browser.find_elements(By.CSS_SELECTOR, "#priorities ~ section.priority-group table.actions tbody tr")
    assert len(action_rows) == len(rows(server, "plan-actions", plan="tendring-2021-22"))
    screenshot(browser, "plan")


def test_plan_to_action_to_duty_to_legislation(server, browser):
    browser.get(f"{server}/plans/thurrock-2023-24")
    browser.find_element(By.LINK_TEXT, "Implementation of Serious Violence Duty including Strategy development").click()
    assert browser.current_url.endswith("/doc/action/thurrock-2023-24/pop-3")
    # Linked-data pages link a thing by its IRI's path (/id/...), which answers 303 to its document.
    browser.find_element(By.CSS_SELECTOR, 'a[href$="/id/duty/serious-violence-duty"]').click()
    assert browser.current_url.endswith("/doc/duty/serious-violence-duty")
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, 'a[href^="http://www.legislation.gov.uk/id/"]')]
    assert "http://www.legislation.gov.uk/id/ukpga/2022/32/section/8" in links
    # The same path through the trace picture and the duty page for leads.
    browser.get(f"{server}/plans/thurrock-2023-24/trace")
    browser.find_element(By.CSS_SELECTOR, 'svg a[href="/duties/serious-violence-duty"]').click()
    assert browser.current_url.endswith("/duties/serious-violence-duty")
    leg = browser.find_element(By.CSS_SELECTOR, "a.leg")
    assert leg.get_attribute("href").startswith("http://www.legislation.gov.uk/id/")


def test_duty_page_counts_every_action(server, browser):
    browser.get(f"{server}/duties/serious-violence-duty")
    actions = rows(server, "actions-for-duty", duty="serious-violence-duty")
    assert text(browser, "#n-actions") == str(len(actions))
    funded = sum(a["funding"].startswith(("money", "in kind")) for a in actions)
    assert text(browser, "#n-funded") == str(funded)
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.actions tbody tr")) == len(actions)


def test_coverage_heatmap_cells_link_to_their_actions(server, browser):
    browser.get(f"{server}/coverage")
    table = browser.find_element(By.CSS_SELECTOR, "table.heatmap")
    assert table.find_elements(By.CSS_SELECTOR, 'thead th[scope="col"]') and table.find_elements(By.CSS_SELECTOR, 'tbody th[scope="row"]')
    marked = browser.find_elements(By.CSS_SELECTOR, "td.gap")
    gaps = {(g["plan"], g["duty"], g["gap"]) for g in rows(server, "duties-without-funded-actions")}
    assert marked and all("cited, no funded action" in td.text or "held, no action" in td.text for td in marked)
    assert len([td for td in marked if "cited, no funded action" in td.text]) <= len({g for g in gaps if g[2] == "cited, no funded action"})
    assert any("held, no action" in td.text for td in marked)
    cell = next(c for c in rows(server, "duty-coverage") if c["partnership"].endswith("/thurrock-csp")
                and c["duty"].endswith("/serious-violence-duty"))
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="/duties/serious-violence-duty#p-thurrock-csp"]')
    assert link.text.startswith(f"{cell['actions']} actions, {cell['fundedActions']} with funding named")
    screenshot(browser, "coverage")
    link.click()
    section = browser.find_element(By.ID, "p-thurrock-csp")
    assert "Thurrock" in section.text


def test_search_form_works_without_script(server, browser):
    browser.get(f"{server}/")
    assert len(browser.find_elements(By.CSS_SELECTOR, 'a[href^="/plans/"]')) == len(rows(server, "plans"))
    box = browser.find_element(By.ID, "search-text")
    box.send_keys("knife", Keys.ENTER)
    # ENTER submits the form; the browser navigates in its own time (a busy machine can take seconds)
    WebDriverWait(browser, 30).until(lambda b: "/search?text=knife" in b.current_url)
    assert text(browser, "h1") == "Search results for “knife”"
    assert text(browser, "[role=status]").startswith(f"{len(rows(server, 'search', text='knife'))} ")


def test_compare_shows_themes_and_years(server, browser):
    browser.get(f"{server}/compare")
    tables = browser.find_elements(By.CSS_SELECTOR, "table")
    assert len(tables) == 2
    themes = rows(server, "theme-coverage")
    cell = next(t for t in themes if t["theme"].endswith("/domestic-abuse") and t["partnership"].endswith("/colchester-csp"))
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="/compare/side-by-side?a=colchester-csp&theme=domestic-abuse"]')
    assert link.text == cell["actions"]


def test_from_compare_open_two_partnerships_side_by_side(server, browser):
    """A theme cell opens that partnership's actions on the theme; choosing a second partnership sets both side by side."""
    from selenium.webdriver.support.ui import Select

    themes = rows(server, "theme-coverage")
    count = {(t["partnership"].rsplit("/", 1)[1], t["theme"].rsplit("/", 1)[1]): t["actions"] for t in themes}
    browser.get(f"{server}/compare")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/compare/side-by-side?a=colchester-csp&theme=domestic-abuse"]').click()
    WebDriverWait(browser, 30).until(lambda b: "/compare/side-by-side" in b.current_url)
    assert text(browser, "h1") == "Domestic abuse: side by side"
    assert text(browser, "#n-colchester-csp") == count[("colchester-csp", "domestic-abuse")]
    Select(browser.find_element(By.ID, "theme-b")).select_by_visible_text("Braintree District Community Safety Partnership")
    browser.find_element(By.CSS_SELECTOR, "form.pick button").click()
    WebDriverWait(browser, 30).until(lambda b: "b=braintree-csp" in b.current_url)
    columns = browser.find_elements(By.CSS_SELECTOR, ".side-by-side section.column")
    assert [c.find_element(By.TAG_NAME, "h3").text for c in columns] == ["Safer Colchester Partnership", "Braintree District Community Safety Partnership"]
    assert text(browser, "#n-braintree-csp") == count.get(("braintree-csp", "domestic-abuse"), "0")
    assert len(columns[0].find_elements(By.CSS_SELECTOR, "ul.side-actions li")) == int(count[("colchester-csp", "domestic-abuse")])
    screenshot(browser, "side-by-side")
    # on a phone the two columns come one after the other, and the page does not scroll sideways
    browser.set_window_size(*WIDTHS["phone"])
    try:
        first, second = browser.find_elements(By.CSS_SELECTOR, ".side-by-side section.column")
        assert second.location["y"] > first.location["y"] + first.size["height"] - 1
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


def test_from_home_a_partnership_its_plans_and_what_changed(two_years, browser):
    """Home page, the partnership's name, its plans over the years and what changed from one plan to the next;
    then from the later plan back to the same changes."""
    from conftest import NEXT_YEAR
    from test_pages_http import cspkg_diff

    base, data = two_years
    browser.get(f"{base}/")
    browser.find_element(By.LINK_TEXT, "Castle Point and Rochford Community Safety Partnership").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("/partnerships/castle-point-rochford-csp"))
    plans = [p for p in rows(base, "plans") if p["partnership"].endswith("/castle-point-rochford-csp")]
    shown = browser.find_elements(By.CSS_SELECTOR, "#plans-table tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in shown] == [p["title"] for p in plans] and len(plans) == 2
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in shown] == [p["actions"] for p in plans]
    changes = cspkg_diff(data, "castle-point-rochford-2017-18", NEXT_YEAR)
    for name, verb in (("priorities", "carried over"), ("actions", "continued")):
        c = changes[name]
        assert text(browser, f"#changes-{NEXT_YEAR}-{name}") == (
            f"{name.capitalize()}: {len(c['carried'])} {verb}, {len(c['added'])} new, {len(c['dropped'])} dropped")
    screenshot(browser, "partnership")
    browser.set_window_size(*WIDTHS["phone"])
    try:
        for path in ("/partnerships/castle-point-rochford-csp", f"/diff?before=castle-point-rochford-2017-18&after={NEXT_YEAR}"):
            browser.get(base + path)
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), path
        browser.get(f"{base}/partnerships/castle-point-rochford-csp")
    finally:
        browser.set_window_size(*WIDTHS["desktop"])
    browser.find_element(By.LINK_TEXT, "Castle Point and Rochford Community Safety Partnership Partnership Plan 2018/19").click()
    browser.find_element(By.ID, "changes-link").click()
    assert browser.current_url.endswith(f"/partnerships/castle-point-rochford-csp#changes-{NEXT_YEAR}")


def test_keyboard_focus_is_visible_and_skip_link_comes_first(server, browser):
    browser.get(f"{server}/plans/tendring-2021-22")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("href").endswith("#main") and focused.is_displayed()
    assert focused.value_of_css_property("outline-style") != "none"
    focused.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.value_of_css_property("outline-style") != "none"


def test_print_styles_hide_navigation_and_search(server, browser):
    browser.get(f"{server}/")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, "form.search").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, "header nav").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "table").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_headings_in_order_and_tables_have_scoped_headers(server, browser):
    for path in PAGES:
        browser.get(server + path)
        levels = [int(h.tag_name[1]) for h in browser.find_elements(By.CSS_SELECTOR, "h1, h2, h3, h4")]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{path}: heading levels skip: {levels}"
        for th in browser.find_elements(By.CSS_SELECTOR, "table th"):
            assert th.get_attribute("scope") in ("col", "row", "rowgroup"), path


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violations(server, browser, path):
    browser.get(server + path)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0].target.join(' ')}))));")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, f"{path}: {bad}"
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
    screenshot_dir = ARTIFACTS
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(screenshot_dir / f"{name}.png"))


def csp_messages(browser) -> list[str]:
    """Console messages about the Content-Security-Policy since the last call (reading empties the log)."""
    return [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_lead_page_renders_with_no_csp_violation(server, browser, width):
    from cspkg.answers.catalogue import catalogue

    browser.set_window_size(*WIDTHS[width])
    try:
        csp_messages(browser)
        for path, heading in LEAD_PAGES.items():
            browser.get(server + path)
            expected = heading or catalogue()["actions-for-duty"].summary
            assert expected in text(browser, "h1"), path
            # the stylesheets from /static are applied: the header's rule and the body's type
            assert browser.find_element(By.TAG_NAME, "header").value_of_css_property("border-bottom-width") == "4px", path
            assert csp_messages(browser) == [], path
        browser.execute_script("document.body.setAttribute('style', 'color: red')")  # the check itself can fail
        assert any("style" in m for m in csp_messages(browser))
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


@pytest.mark.parametrize("path", [p for p in LEAD_PAGES if p not in PAGES])
def test_axe_finds_no_serious_or_critical_violations_on_other_pages(server, browser, path):
    test_axe_finds_no_serious_or_critical_violations(server, browser, path)


def test_which_agency_leads_the_most_actions(server, browser):
    """From the home page, two clicks at most: the organisations list, then the top organisation."""
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"]').find_element(By.LINK_TEXT, "Organisations").click()
    assert browser.current_url.endswith("/organisations")
    top = browser.find_element(By.CSS_SELECTOR, "table.organisations tbody tr")
    workload = rows(server, "agency-workload")
    first = max(workload, key=lambda r: int(r["leads"]))
    assert top.find_element(By.CSS_SELECTOR, "th").text == first["agencyLabel"]
    assert top.find_elements(By.CSS_SELECTOR, "td")[0].text == first["leads"]
    screenshot(browser, "organisations")
    top.find_element(By.CSS_SELECTOR, "th a").click()
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == first["agencyLabel"]
    assert text(browser, "#n-leads") == first["leads"]
    assert text(browser, "#n-supports") == first["supports"]
    screenshot(browser, "organisation")


# Phone, paper and assistive technology: every lead page at a phone's and a laptop's width, printed on A4,
# with a focus ring that shows, breadcrumbs, and the trace's picture told again as a table.
SIZES = {"phone": (375, 812), "laptop": (1366, 900)}
BOXES = ".table-scroll, .scroll"


@pytest.mark.parametrize("size", SIZES)
def test_no_lead_page_scrolls_sideways(server, browser, size):
    browser.set_window_size(*SIZES[size])
    try:
        for page in REGISTRY:
            browser.get(server + page.example)
            wide, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert wide <= inner, f"{page.example} at {size} width scrolls sideways ({wide} > {inner} px)"
            # a box that scrolls can be reached and scrolled with the keyboard, and says what it holds
            for box in browser.find_elements(By.CSS_SELECTOR, BOXES):
                assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region", page.example
                assert box.get_attribute("aria-label") or box.get_attribute("aria-labelledby"), page.example
        if size == "phone":  # the plan's tables are wider than a phone: they scroll in their box, row headers kept in view
            browser.get(f"{server}/plans/tendring-2021-22")
            box = browser.find_element(By.CSS_SELECTOR, ".table-scroll:has(table.actions)")
            assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)
            header = box.find_element(By.CSS_SELECTOR, 'tbody th[scope="row"]')
            assert header.value_of_css_property("position") == "sticky"
            browser.execute_script("arguments[0].scrollLeft = 200", box)
            assert browser.execute_script("return arguments[0].getBoundingClientRect().left - arguments[1].getBoundingClientRect().left",
                                          header, box) == 0
            screenshot(browser, "plan-phone")
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


def pdf_strings(raw: bytes, key: bytes) -> list[str]:
    """The text strings a PDF gives for `key` (/Title of its outline), literal or UTF-16 hex."""
    out = []
    for literal, hexa in re.findall(rb"/" + key + rb"\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]*)>)", raw):
        if hexa:
            data = bytes.fromhex(hexa.decode())
            out.append(data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1"))
        else:
            text = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else
                          {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m[1], m[1]), literal, flags=re.S)
            out.append(text.decode("latin-1"))
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_plan_prints_on_a4_with_every_section_open(server, browser):
    path = "/plans/tendring-2021-22"
    browser.get(server + path)
    headings = [h.get_attribute("textContent") for h in browser.find_elements(By.CSS_SELECTOR, "main h2")]
    hidden = browser.find_elements(By.CSS_SELECTOR, "details:not([open]) > :not(summary)")
    assert headings and hidden, "the Tendring plan has sections and collapsed notes"
    visible = "return arguments[0].map(e => e.checkVisibility() && e.getBoundingClientRect().height > 0)"
    assert not any(browser.execute_script(visible, hidden))  # closed on screen
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "generateDocumentOutline": True})
    raw = base64.b64decode(pdf["data"])
    boxes = [[float(n) for n in box.split()] for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", raw)]
    assert boxes and all(abs(b[2] - b[0] - 595.28) <= 1 and abs(b[3] - b[1] - 841.89) <= 1 for b in boxes), boxes  # A4
    # Chromium's PDF outline is made from the page's headings as printed: every section is in it.
    titles = {squeeze(t) for t in pdf_strings(raw, b"Title")}
    assert {squeeze(h) for h in headings} <= titles, set(map(squeeze, headings)) - titles
    browser.set_window_size(720, 900)  # an A4 page's width inside its margins
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert all(browser.execute_script(visible, hidden)), "collapsed notes print open"
        for box in browser.find_elements(By.CSS_SELECTOR, BOXES):  # tables are not cut at the page's edge
            assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth + 1", box), box.get_attribute("aria-label")
        for gone in ("header nav", 'nav[aria-label="Breadcrumb"]', ".toc"):
            assert not browser.find_element(By.CSS_SELECTOR, gone).is_displayed(), gone
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.set_window_size(*WIDTHS["desktop"])


def luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    lin = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


WHITE = "rgb(255, 255, 255)"
BACKGROUND = """let e = arguments[0];
for (; e && e.nodeType === 1; e = e.parentElement) {
  const c = getComputedStyle(e).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; }
return 'rgb(255, 255, 255)';"""


def test_focus_ring_shows_against_white_and_the_background(server, browser):
    """WCAG 1.4.11: the focus indicator has 3:1 against white and against what it is drawn on (the ring
    or its yellow halo), on every kind of thing a keyboard reaches on the lead pages."""
    targets = {"/search?text=knife": ["main a", "input#search-text", "button[type=submit]", 'nav[aria-label="Breadcrumb"] a'],
               "/plans/tendring-2021-22": ["details summary", ".table-scroll", "table.actions th a"],
               "/coverage": [".heatmap td.level-3 a", ".scroll"],
               "/plans/thurrock-2023-24/trace": ["svg.trace a.node", "table.trace-paths a"]}
    for path, selectors in targets.items():
        browser.get(server + path)
        for css in selectors:
            element = browser.find_element(By.CSS_SELECTOR, css)
            under = browser.execute_script(BACKGROUND, browser.execute_script("return arguments[0].parentElement", element))
            browser.execute_script("arguments[0].focus()", element)
            assert browser.switch_to.active_element == element, (path, css)
            ring = element.value_of_css_property("outline-color")
            assert element.value_of_css_property("outline-style") == "solid" and float(element.value_of_css_property("outline-width")[:-2]) >= 3
            assert contrast(ring, WHITE) >= 3, (path, css, ring)
            halo = re.match(r"rgba?\([^)]*\)", element.value_of_css_property("box-shadow") or "")
            best = max([contrast(ring, under)] + ([contrast(halo.group(0), under)] if halo else []))
            assert best >= 3, (path, css, ring, halo, under)


def test_trace_has_full_labels_a_lit_path_and_a_table_of_every_path(server, browser):
    key = "thurrock-2023-24"
    browser.get(f"{server}/plans/{key}/trace")
    paths = rows(server, "plan-trace", plan=key)
    actions = rows(server, "plan-actions", plan=key)
    traced = {p["action"] for p in paths}
    untraced = [a for a in actions if a["action"] not in traced]
    assert traced and untraced
    # full labels: a box's lines, put together, are its label
    for node in browser.find_elements(By.CSS_SELECTOR, "svg.trace .node"):
        label = browser.execute_script("return arguments[0].querySelector('title').textContent", node)
        lines = browser.execute_script("return [...arguments[0].querySelectorAll('tspan')].map(t => t.textContent)", node)
        assert " ".join(lines) == " ".join(label.split()) and "…" not in "".join(lines)
    # a path lights up while a box has the focus
    duty = browser.find_element(By.CSS_SELECTOR, 'svg.trace a.node[href="/duties/serious-violence-duty"]')
    lit = "return getComputedStyle(arguments[0].nextElementSibling).display"
    assert browser.execute_script(lit, duty) == "none"
    browser.execute_script("arguments[0].focus()", duty)
    assert browser.execute_script(lit, duty) != "none"
    through = {p["action"] for p in paths if p["duty"].endswith("/serious-violence-duty")}
    assert len(browser.find_elements(By.CSS_SELECTOR, 'svg.trace a.node[href="/duties/serious-violence-duty"] + .path path')) >= len(through)
    # the table: one group of rows per traced action, one row per path, links to each step
    table = browser.find_element(By.CSS_SELECTOR, "table.trace-paths")
    groups = table.find_elements(By.CSS_SELECTOR, "tbody")
    assert len(groups) == len(traced)
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == len(paths)
    heads = {a.get_attribute("href").rsplit("/doc/", 1)[1] for a in table.find_elements(By.CSS_SELECTOR, 'th[scope="rowgroup"] a')}
    assert heads == {a.split("/id/", 1)[1] for a in traced}
    hrefs = {a.get_attribute("href") for a in table.find_elements(By.CSS_SELECTOR, "a")}
    assert {f"{server}/duties/{p['duty'].rsplit('/', 1)[1]}" for p in paths} <= hrefs
    assert {p[k] for p in paths for k in ("provision", "act") if p.get(k)} <= hrefs
    # and every action that traces to nothing, by name
    assert text(browser, "#n-untraced") == str(len(untraced)) == str(len(actions) - len(traced))
    listed = browser.find_elements(By.CSS_SELECTOR, "ul.untraced > li")
    assert len(listed) == len(untraced)
    assert {li.find_element(By.TAG_NAME, "a").text for li in listed} == {a["actionLabel"] for a in untraced}
    browser.set_window_size(*SIZES["phone"])
    try:
        browser.get(f"{server}/plans/{key}/trace#paths")
        screenshot(browser, "trace-phone")
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


def test_every_lead_page_has_breadcrumbs(server, browser):
    for page in REGISTRY:
        browser.get(server + page.example)
        crumbs = browser.find_elements(By.CSS_SELECTOR, 'nav[aria-label="Breadcrumb"] ol > li')
        assert crumbs, page.example
        assert crumbs[-1].get_attribute("aria-current") == "page" and crumbs[-1].text, page.example
        for li in crumbs[:-1]:
            link = li.find_element(By.TAG_NAME, "a")
            assert requests.get(link.get_attribute("href"), headers={"Accept": "text/html"}, timeout=30).status_code == 200, page.example
    browser.get(f"{server}/plans/thurrock-2023-24/trace")
    trail = [li.text for li in browser.find_elements(By.CSS_SELECTOR, 'nav[aria-label="Breadcrumb"] li')]
    summary = rows(server, "plan-summary", plan="thurrock-2023-24")[0]
    assert trail == ["Plans", summary["partnershipLabel"], summary["title"], "Trace"]


# Questions for people: the index, an answer with links, a wide answer, and the form again with the
# actions found for a search (a 400, as a browser shows it).
QUESTION_PAGES = ["/queries", "/queries/actions-for-duty?duty=serious-violence-duty", "/queries/agency-workload",
                  "/queries/pfcc-alignment?plan=thurrock-2023-24", "/queries/trace-action?action=domestic%20abuse"]


@pytest.mark.parametrize("path", QUESTION_PAGES)
def test_question_pages_never_scroll_sideways_on_a_phone(server, browser, path):
    browser.set_window_size(*WIDTHS["phone"])
    try:
        browser.get(server + path)
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path}: the page is {width[0]} px wide in a {width[1]} px window"
        for box in browser.find_elements(By.CSS_SELECTOR, ".table-scroll"):  # a wide table scrolls in its own box
            assert box.value_of_css_property("overflow-x") == "auto"
        name = "query-phone-" + path.strip("/").replace("/", "-").split("?")[0]
        screenshot(browser, name)
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


@pytest.mark.parametrize("path", QUESTION_PAGES[2:])
def test_axe_finds_no_serious_or_critical_violations_on_question_pages(server, browser, path):
    test_axe_finds_no_serious_or_critical_violations(server, browser, path)


def test_a_question_is_asked_by_choosing_a_name(server, browser):
    browser.get(server + "/queries/actions-for-duty")
    Select(browser.find_element(By.ID, "p-duty")).select_by_visible_text("Prevent duty")
    browser.find_element(By.CSS_SELECTOR, "form.question button").click()
    WebDriverWait(browser, 10).until(lambda b: "duty=prevent-duty" in b.current_url)
    expected = requests.get(f"{server}/queries/actions-for-duty.json", params={"duty": "prevent-duty"}, timeout=30).json()
    shown = browser.find_elements(By.CSS_SELECTOR, "table.answer tbody tr")
    assert len(shown) == max(1, len(expected["results"]["bindings"]))
    if expected["results"]["bindings"]:
        link = browser.find_element(By.CSS_SELECTOR, "table.answer tbody a[href^='/plans/']")
        link.click()
        WebDriverWait(browser, 10).until(lambda b: "/plans/" in b.current_url)
        assert browser.find_element(By.TAG_NAME, "h1").text


# At national size (tests/national.py: hundreds of partnerships over the police areas): the home, coverage,
# compare, duty and delivery pages a page of partnerships at a time, chosen by area, readable on a phone.
NATIONAL_PAGES = ["/", "/?page=2", "/?area=region-east-of-england", "/coverage", "/coverage?page=2&area=region-south-east",
                  "/compare", "/compare?area=police-area-kent", "/duties/serious-violence-duty",
                  "/duties/serious-violence-duty?page=2", "/?area=nowhere", "/delivery", "/delivery?page=2"]


@pytest.mark.parametrize("size", SIZES)
def test_national_pages_do_not_scroll_sideways(national_server, browser, size):
    base, _ = national_server
    browser.set_window_size(*SIZES[size])
    try:
        for path in NATIONAL_PAGES:
            browser.get(base + path)
            wide, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert wide <= inner, f"{path} at {size} width scrolls sideways ({wide} > {inner} px)"
            for box in browser.find_elements(By.CSS_SELECTOR, BOXES):
                assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region", path
                assert box.get_attribute("aria-label") or box.get_attribute("aria-labelledby"), path
            choice = browser.find_element(By.ID, "area")  # the choice of area fits the window
            assert choice.location["x"] + choice.size["width"] <= inner, path
            assert browser.find_element(By.ID, "paging-count").text.startswith(("Partnerships 1 to", "Partnerships 26 to")) \
                or "area=" in path
        if size == "phone":  # the heatmap of 25 partnerships is wider than a phone: it scrolls in its own box
            browser.get(base + "/coverage")
            box = browser.find_element(By.CSS_SELECTOR, ".scroll:has(table.heatmap)")
            assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)
            screenshot(browser, "coverage-national-phone")
            browser.get(base + "/")
            screenshot(browser, "home-national-phone")
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", NATIONAL_PAGES[:-1])
def test_axe_finds_no_serious_or_critical_violations_at_national_size(national_server, browser, path, size):
    browser.set_window_size(*SIZES[size])
    try:
        test_axe_finds_no_serious_or_critical_violations(national_server[0], browser, path)
    finally:
        browser.set_window_size(*WIDTHS["desktop"])


def test_choose_an_area_and_page_through_it_without_script(national_server, browser):
    base, _ = national_server
    browser.get(base + "/")
    Select(browser.find_element(By.ID, "area")).select_by_value("region-east-of-england")
    browser.find_element(By.CSS_SELECTOR, "form.area-filter button").click()
    WebDriverWait(browser, 60).until(lambda b: "area=region-east-of-england" in b.current_url)
    assert text(browser, "h1") == "Community Safety Partnership plans"
    assert browser.title.startswith("Community Safety Partnership plans: East of England (region)")
    count = text(browser, "#paging-count")
    assert count.startswith("Partnerships 1 to 25 of ") and count.endswith(" in East of England (region): page 1 of 2.")
    browser.find_element(By.CSS_SELECTOR, 'nav.pager a[rel="next"]').click()
    WebDriverWait(browser, 60).until(lambda b: "page=2" in b.current_url)
    assert "area=region-east-of-england" in browser.current_url
    assert text(browser, "#paging-count").startswith("Partnerships 26 to ")
    assert Select(browser.find_element(By.ID, "area")).first_selected_option.get_attribute("value") == "region-east-of-england"
    link = browser.find_element(By.CSS_SELECTOR, 'p.downloads a[href*=".csv"]').get_attribute("href")
    assert "area=region-east-of-england" in link and "page=" not in link
    screenshot(browser, "home-national")
