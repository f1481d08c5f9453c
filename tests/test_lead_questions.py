"""The six everyday questions of a community safety strategy lead, each walked in headless Chromium
from the home page as a person clicks (two clicks at most), the answer's numbers checked against
the canned queries that define them:

1. Which of our legal duties has no funded action? (Thurrock)
2. Everything Thurrock does under the Serious Violence Duty: who leads it, what it costs.
3. Is the Tendring plan complete enough to publish?
4. Colchester against Braintree on domestic abuse.
5. Which agency leads the most actions?
6. What changed since last year?
"""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from test_pages_browser import WIDTHS, browser, screenshot, text  # noqa: F401  (browser is a fixture)
from test_pages_http import every_row as rows

THURROCK = "Thurrock Community Safety Partnership Annual Delivery Plan 2023/24"
TENDRING = "The Tendring Community Safety Partnership 2021/2022 Strategic Priorities Delivery Plan"


def click(browser, link_text: str, until: str) -> None:
    browser.find_element(By.LINK_TEXT, link_text).click()
    WebDriverWait(browser, 30).until(lambda b: until in b.current_url)


def test_1_which_of_our_duties_has_no_funded_action(server, browser):
    browser.get(f"{server}/")
    click(browser, THURROCK, "/plans/thurrock-2023-24")
    gaps = browser.find_elements(By.CSS_SELECTOR, "table.plan-duties tr.gap")
    shown = {g.find_element(By.CSS_SELECTOR, "th a").text for g in gaps}
    expected = {r["dutyLabel"] for r in rows(server, "duties-without-funded-actions") if r["plan"].endswith("/thurrock-2023-24")}
    assert expected and shown == expected
    # each gap is said in words in its row, not only by its colour
    assert all("held, no action" in g.text for g in gaps)
    # and the heatmap, one click from the plans, shows the same gaps for Thurrock
    browser.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"]').find_element(By.LINK_TEXT, "Duty coverage").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("/coverage"))
    held = browser.find_elements(By.XPATH, "//table[contains(@class,'heatmap')]//td[.//span[@class='gap-note' and text()='held, no action']]")
    assert held, "the heatmap marks the duties held with no action"


def test_2_everything_under_the_serious_violence_duty_who_leads_it_and_what_it_costs(server, browser):
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"]').find_element(By.LINK_TEXT, "Legal duties").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("/duties"))
    click(browser, "Serious Violence Duty", "/duties/serious-violence-duty")
    actions = rows(server, "actions-for-duty", duty="serious-violence-duty")
    thurrock = [a for a in actions if a["plan"].endswith("/thurrock-2023-24")]
    group = browser.find_element(By.XPATH, f"//h3[a[text()='{THURROCK}']]/following-sibling::div[1]//table")
    body = group.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(body) == len({a["action"] for a in thurrock}) > 0
    # who leads: every lead the query names is on the page, linked to its organisation
    leads = {name.strip().removesuffix(" (row lead)") for a in thurrock for name in (a.get("lead") or "").split(";") if name.strip()}
    cells = " ".join(r.find_elements(By.TAG_NAME, "td")[0].text for r in body)
    assert all(lead.removesuffix(" (row lead)") in cells for lead in leads)
    assert group.find_elements(By.CSS_SELECTOR, 'td a[href^="/organisations/"]')
    # what it costs: the kind of funding in words for each action, and the pounds stated in all
    kinds = {a["fundingKind"] for a in thurrock}
    funding = {r.find_elements(By.TAG_NAME, "td")[1].text.split(":")[0].split(" (for")[0] for r in body}
    assert funding == kinds
    stated = sum(float(a["amount"]) for a in {a["action"]: a for a in actions}.values() if a.get("amount"))
    assert text(browser, "#n-gbp") == f"£{stated:,.0f}"
    assert text(browser, "#n-actions") == str(len({a["action"] for a in actions}))


def test_3_is_the_tendring_plan_complete_enough_to_publish(server, browser):
    browser.get(f"{server}/")
    click(browser, TENDRING, "/plans/tendring-2021-22")
    findings = rows(server, "plan-completeness", plan="tendring-2021-22")
    to_fix = [f for f in findings if f["severity"] in ("violation", "warning")]
    score = rows(server, "plan-score", plan="tendring-2021-22")[0]
    verdict = text(browser, "#verdict")
    assert verdict.startswith(f"Not ready to publish: {len(to_fix)} things should be fixed first")
    assert f"{score['actions']} actions" in verdict
    for key in ("withLead", "withOutcome", "withTiming", "withFunding", "withAll"):
        assert text(browser, f"#score-{key} td") == f"{score[key]} of {score['actions']}"
    # each thing to fix says the rule in words, and no finding points at a line number alone
    rules = browser.find_elements(By.CSS_SELECTOR, "#to-fix ~ ul.findings p.rule")
    assert rules and all(r.get_attribute("textContent").strip().startswith("The rule:") for r in rules)


def test_4_colchester_against_braintree_on_domestic_abuse(server, browser):
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"]').find_element(By.LINK_TEXT, "Compare").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("/compare"))
    browser.find_element(By.CSS_SELECTOR, 'a[href="/compare/side-by-side?a=colchester-csp&theme=domestic-abuse"]').click()
    WebDriverWait(browser, 30).until(lambda b: "/compare/side-by-side" in b.current_url)
    Select(browser.find_element(By.ID, "theme-b")).select_by_visible_text("Braintree District Community Safety Partnership")
    browser.find_element(By.CSS_SELECTOR, "form.pick button").click()
    WebDriverWait(browser, 30).until(lambda b: "b=braintree-csp" in b.current_url)
    across = rows(server, "theme-across-partnerships", theme="domestic-abuse")
    for key, label in (("colchester-csp", "Safer Colchester Partnership"), ("braintree-csp", "Braintree District Community Safety Partnership")):
        expected = {r["action"] for r in across if r["partnership"].endswith("/" + key)}
        column = browser.find_element(By.CSS_SELECTOR, f'section.column[aria-labelledby="col-{key}"]')
        assert text(browser, f"#col-{key}") == label
        assert text(browser, f"#n-{key}") == str(len(expected))
        assert len(column.find_elements(By.CSS_SELECTOR, "ul.side-actions > li")) == len(expected)


def test_5_which_agency_leads_the_most_actions(server, browser):
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"]').find_element(By.LINK_TEXT, "Organisations").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("/organisations"))
    workload = rows(server, "agency-workload")
    first = max(workload, key=lambda r: int(r["leads"]))
    top = browser.find_element(By.CSS_SELECTOR, "table.organisations tbody tr")
    assert top.find_element(By.CSS_SELECTOR, "th").text == first["agencyLabel"]
    assert top.find_elements(By.CSS_SELECTOR, "td")[0].text == first["leads"]
    # Thurrock Council answers for what its posts lead (rolled up), not only what names it
    council = next(r for r in workload if r["agency"].endswith("/thurrock-council"))
    assert int(council["leads"]) >= 40
    top.find_element(By.CSS_SELECTOR, "th a").click()
    WebDriverWait(browser, 30).until(lambda b: "/organisations/" in b.current_url)
    assert text(browser, "#n-leads") == first["leads"]


def test_6_what_changed_since_last_year(two_years, browser):
    from conftest import NEXT_YEAR
    from test_pages_http import cspkg_diff

    base, data = two_years
    browser.get(f"{base}/")
    click(browser, "Castle Point and Rochford Community Safety Partnership", "/partnerships/castle-point-rochford-csp")
    changes = cspkg_diff(data, "castle-point-rochford-2017-18", NEXT_YEAR)
    for name, verb in (("priorities", "carried over"), ("actions", "continued")):
        c = changes[name]
        assert text(browser, f"#changes-{NEXT_YEAR}-{name}") == (
            f"{name.capitalize()}: {len(c['carried'])} {verb}, {len(c['added'])} new, {len(c['dropped'])} dropped")
    # the changes name the priorities, not their keys
    assert "castle-point-rochford-2017-18/" not in browser.find_element(By.ID, "year-on-year").text
