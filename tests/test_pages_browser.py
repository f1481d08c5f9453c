"""The pages for strategy leads in headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium with explicit paths, so nothing downloads a browser or a driver): numbers against the
canned queries, links from a plan to the legislation, axe-core accessibility checks, keyboard focus,
print styles, and screenshots.

Screenshots go to tests/.artifacts/; with CSPKG_SCREENSHOTS=1 docs/screenshots/ (shown in docs/pages.md) are
written as well.
"""

from __future__ import annotations

import os
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
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
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
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="/queries/theme-across-partnerships?theme=domestic-abuse"]')
    assert link.text == next(t["actions"] for t in themes if t["theme"].endswith("/domestic-abuse"))


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
