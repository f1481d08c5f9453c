"""Four plans of partnerships the seed data does not hold, each a different shape (tests/new_plans.py),
go in from their workbooks alone: through `cspkg import` and `cspkg build`, and by upload to a running
server. Each is then on /, its plan page, /coverage, /compare, its duties' pages and in the canned
queries, with no hand edit under data/reference/ and no server error anywhere."""

from __future__ import annotations

import html
import shutil

import pytest
import requests

from cspkg.namespaces import ID
from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA
from new_plans import NOTE, PLANS, fixture, write_all
from server import serving
from test_cli import cspkg
from test_workbook import fingerprint

pytestmark = pytest.mark.slow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = "new-partnerships-test-token"
AREAS = {"lambeth-2024-27": "metropolitan-police", "newport-2024-25": "gwent", "norfolk-2024-27": "norfolk",
         "kent-sv-2024-27": "kent"}
# What plan-summary (and plans) should count: priorities, focus areas, actions, funded actions, pounds.
COUNTS = {"lambeth-2024-27": (3, 4, 0, 0, 0), "newport-2024-25": (3, 0, 4, 2, 42500),
          "norfolk-2024-27": (3, 2, 3, 1, 85000), "kent-sv-2024-27": (3, 1, 0, 0, 210000 + 45000 + 30000)}
# Plans whose every priority and focus area must be on their page, and the grants of (d).
GRANTS = {"kent-sv-2024-27": {"Street Mentors": ("45000", "15000", "Kent County Council"),
                              "Hospital youth workers": ("30000", "10000", "Kent Police and Crime Commissioner")}}
# Plans that cite a duty with no action serving it (for the plan as a whole, or on priorities of a
# strategy without actions): not among the duty page's actions, but among the plans that cite it.
NOT_ON_DUTY_PAGE = {("lambeth-2024-27", "serious-violence-duty"), ("kent-sv-2024-27", "serious-violence-duty"),
                    ("newport-2024-25", "cda-crime-disorder-strategies")}


def cell_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def cited(rows: dict) -> set[str]:
    """The duties a workbook cites, by key: for the plan, on a priority or on an action."""
    return {d for sheet, column in (("Plan", "Duties fulfilled"), ("Priorities", "Legal duties"), ("Actions", "Legal duties"))
            for row in rows.get(sheet, []) for d in cell_list(row.get(column, ""))}


class Watched:
    """GETs that remember every status, so the test can say no answer anywhere was a server error."""

    def __init__(self, base: str):
        self.base, self.seen = base, []

    def get(self, path: str, **kw) -> requests.Response:
        r = requests.get(self.base + path, timeout=60, **kw)
        self.seen.append((path, r.status_code))
        return r

    def bindings(self, query: str, **params) -> list[dict]:
        r = self.get(f"/queries/{query}.json", params=params)
        assert r.status_code == 200, (query, params, r.text[:500])
        return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]

    def errors(self) -> list:
        return [(p, s) for p, s in self.seen if s >= 500]


def published(site: Watched, key: str) -> None:
    """Everything a reader should find about one new plan on a running server."""
    rows = PLANS[key]
    plan, partnership = rows["Plan"][0], rows["Partnership"][0]["Name"]
    title = plan["Title"]
    home = site.get("/")
    assert home.status_code == 200 and title in html.unescape(home.text), key
    page = site.get(f"/plans/{key}")
    assert page.status_code == 200, (key, page.status_code)
    text = html.unescape(page.text)
    assert title in text and partnership in text
    missing = [p["Title"] for p in rows["Priorities"] if p["Title"] not in text]
    assert not missing, f"{key}: priorities not on its page: {missing}"
    commissioner = rows["Partnership"][0].get("Police and Crime Commissioner")
    if commissioner and rows.get("Police and Crime Plan"):  # the page names this area's Commissioner, not Essex's
        assert f"set by {commissioner}" in text, key
    for project, (amount, match, funder) in GRANTS.get(key, {}).items():
        assert project in text and f"£{int(amount):,}" in text and f"£{int(match):,}" in text, (key, project)
    for where in ("/coverage", "/compare"):
        r = site.get(where)
        assert r.status_code == 200 and partnership in html.unescape(r.text), (key, where)
    for duty in cited(rows):
        r = site.get(f"/duties/{duty}.json")
        assert r.status_code == 200, (duty, r.status_code)
        listed = {a["plan"] for a in r.json()["data"]["actions"]}
        assert (f"{ID}plan/{key}" in listed) == ((key, duty) not in NOT_ON_DUTY_PAGE), (key, duty)
        citing = {c["key"] for c in r.json()["data"]["citedBy"]}
        assert key in citing or f"{ID}plan/{key}" in listed, f"{key} is not on /duties/{duty}"
        assert title in html.unescape(site.get(f"/duties/{duty}").text)

    # the canned queries
    plans = {b["plan"]: b for b in site.bindings("plans")}
    listed = plans[f"{ID}plan/{key}"]
    summary = site.bindings("plan-summary", plan=key)
    assert len(summary) == 1
    for row in (listed, summary[0]):
        got = tuple(int(float(row[k])) for k in ("priorities", "subPriorities", "actions", "fundedActions", "totalGBP"))
        assert got == COUNTS[key], (key, got)
        assert row["period"] == plan["Period"] and row["partnershipLabel"] == partnership
    items = site.bindings("plan-priorities", plan=key)
    assert sorted(i["label"] for i in items) == sorted(p["Title"] for p in rows["Priorities"])
    subs = {i["label"]: i.get("broaderLabel") for i in items if i["kind"] == "sub-priority"}
    titles = {p["Key"]: p["Title"] for p in rows["Priorities"]}
    assert subs == {p["Title"]: titles[p["Part of priority"]] for p in rows["Priorities"] if p.get("Part of priority")}
    actions = site.bindings("plan-actions", plan=key)
    assert {a["action"] for a in actions} == {f"{ID}action/{key}/{a['Key']}" for a in rows.get("Actions", [])}
    money = site.bindings("plan-funding", plan=key)
    assert len(money) == len(rows.get("Plan funding", []))
    for project, (amount, match, funder) in GRANTS.get(key, {}).items():
        grant = next(m for m in money if m.get("project") == project)
        assert (grant["kind"], grant["amountGBP"], grant["matchFundingGBP"], grant["matchFunders"]) == ("grant", amount, match, funder)


def test_the_fixture_workbooks_are_the_ones_the_code_writes(tmp_path):
    """tests/fixtures/<key>.xlsx are what `python tests/new_plans.py` writes: the committed files are current."""
    from cspkg.plans.workbook import mapping, tables

    for path in write_all(tmp_path):
        committed = tables.read(fixture(path.stem), mapping.load())
        written = tables.read(path, mapping.load())
        assert committed == written, f"{path.stem}: run `python tests/new_plans.py` to rewrite tests/fixtures/"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The seed data with the four workbooks imported by `cspkg import` and built by `cspkg build` once."""
    root = tmp_path_factory.mktemp("new-partnerships-cli")
    data = root / "data"
    shutil.copytree(DEFAULT_DATA, data)
    before = fingerprint(data / "reference")
    said = {}
    for key in PLANS:
        done = cspkg("import", str(fixture(key)), "--data", str(data))
        assert done.returncode == 0, done.stdout + done.stderr
        said[key] = done.stdout
    after = fingerprint(data / "reference")
    built = cspkg("build", "--data", str(data), "--store", str(root / "store"))
    assert built.returncode == 0, built.stdout + built.stderr
    return data, root / "store", before, after, said, built.stdout


def test_each_workbook_imports_through_the_cli_without_touching_hand_kept_reference_data(imported):
    data, _, before, after, said, built = imported
    for key, out in said.items():
        partnership = PLANS[key]["Partnership"][0]["Name"]
        assert f"new: partnership '{partnership}'" in out, out
        assert f"Plan {key} conforms (0 violation(s)" in out, out
        assert NOTE in (data / "plans" / f"{key}.ttl").read_text(encoding="utf-8")  # says it is a test fixture
        if PLANS[key]["Plan"][0]["Kind"] != "delivery plan":  # a strategy's priorities need no actions
            assert "No action in the plan addresses this priority" not in out and "lists no actions" not in out, out
    assert {k: v for k, v in after.items() if not k.startswith("areas/")} == before  # byte for byte
    assert {k for k in after if k.startswith("areas/")} == {f"areas/{a}.ttl" for a in AREAS.values()}
    assert "0 violations" in built.splitlines()[-1] or " 0 violations" in built, built[-2000:]
    for area in AREAS.values():
        assert f"reference/areas/{area}" in built


def test_each_plan_built_from_the_cli_is_published(imported):
    _, store, *_ = imported
    with serving(store, workers=1) as base:
        site = Watched(base)
        for key in PLANS:
            published(site, key)
    assert site.errors() == []


def test_each_workbook_uploaded_to_a_running_server_is_published_at_once(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    store = tmp_path / "store"
    assert not run(data, store).violations
    before = fingerprint(data / "reference")
    with serving(store, workers=2, data=data, write_token=TOKEN) as base:
        site = Watched(base)
        for key in PLANS:
            r = requests.post(base + "/plans", data=fixture(key).read_bytes(), timeout=120,
                              headers={"Content-Type": XLSX, "X-Filename": f"{key}.xlsx", "Authorization": f"Bearer {TOKEN}"})
            site.seen.append(("POST /plans " + key, r.status_code))
            assert r.status_code == 201, (key, r.text[:2000])
            assert f"{ID}plan/{key}" in r.headers.get("Location", "") or r.headers.get("Location", "").endswith(f"/plan/{key}")
            assert f"{ID}partnership/" in " ".join(r.json()["new"])
        for key in PLANS:  # no build in between: the store answers from the uploads
            published(site, key)
    assert site.errors() == []
    after = fingerprint(data / "reference")
    assert {k: v for k, v in after.items() if not k.startswith("areas/")} == before
    assert {k for k in after if k.startswith("areas/")} == {f"areas/{a}.ttl" for a in AREAS.values()}


def test_a_plan_citing_a_duty_without_an_action_serving_it_is_on_the_duty_page(imported):
    """A strategy with no action list, or a plan citing a duty for the plan as a whole, is listed under
    "Plans that cite it" (duty-profile's citedBy), marked as having no action listed for it."""
    _, store, *_ = imported
    with serving(store, workers=1) as base:
        site = Watched(base)
        for key, duty in sorted(NOT_ON_DUTY_PAGE):
            data = site.get(f"/duties/{duty}.json").json()["data"]
            cited = {c["key"]: c for c in data["citedBy"]}
            assert key in cited and not cited[key]["served"], (key, duty, data["citedBy"])
            assert cited[key]["title"] == PLANS[key]["Plan"][0]["Title"]
            page = html.unescape(site.get(f"/duties/{duty}").text)
            assert f'<a href="/plans/{key}">{PLANS[key]["Plan"][0]["Title"]}</a>' in page
        # a plan that cites the duty on a priority its actions serve is listed and marked served
        norfolk = {c["key"]: c for c in site.get("/duties/serious-violence-duty.json").json()["data"]["citedBy"]}["norfolk-2024-27"]
        assert norfolk["served"]
    assert site.errors() == []


def test_a_welsh_plan_is_in_wales_and_is_warned_of_a_duty_of_england_only(imported, tmp_path):
    import copy

    from new_plans import NEWPORT, write

    data, store, *_ = imported
    with serving(store, workers=1) as base:
        ask = ("PREFIX csp: <https://w3id.org/cspkg/def/> ASK { ?p csp:partnership ?pt . ?pt csp:inJurisdiction "
               "<https://w3id.org/cspkg/id/jurisdiction/wales> FILTER(?p = <https://w3id.org/cspkg/id/plan/newport-2024-25>) }")
        answer = requests.get(base + "/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.json()["boolean"] is True
    rows = copy.deepcopy(NEWPORT)
    rows["Actions"][3]["Legal duties"] = "safe-accommodation-duty"  # Domestic Abuse Act 2021 Part 4: England only
    book = write(tmp_path / "newport.xlsx", rows)
    done = cspkg("import", str(book), "--data", str(data), "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "does not apply where the partnership is" in done.stdout, done.stdout
    plain = cspkg("import", str(fixture("newport-2024-25")), "--data", str(data), "--dry-run")
    assert "does not apply where the partnership is" not in plain.stdout, plain.stdout
