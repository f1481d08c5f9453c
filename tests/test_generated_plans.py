"""Thirty generated plan workbooks of varied shapes, imported by the real import code and built into
one store with the seed data: every page, canned query and plan document answers without a 5xx,
and each plan's page shows its title.

Hypothesis draws the plans (derandomized, so the same thirty every run, and generate-only: nothing
is shrunk); they are all written first and then built once, so the test stays within a couple of
minutes on a small machine.
"""

from __future__ import annotations

import html
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cspkg.namespaces import ID
from cspkg.pipeline.build import run
from cspkg.plans import files as planfiles
from cspkg.plans import intake
from cspkg.plans.workbook import mapping, register, tables
from cspkg.plans.workbook.register import AGENCY_PREFIXES
from cspkg.sources import DEFAULT_DATA

from server import serving
from test_periods import READ

PLANS = 30
PERIODS = sorted(READ)  # every wording the period parser's tests read; plan n takes the n-th
FUNDING = ["£5,919.63", "Approx £3,500", "£2k", "£1.2m", "None required", "In kind by Essex Police", "circa £10,000",
           "£500 (approx)", "up to £4,000", "£12000", "£ 750", "No funding required"]
DUES = ["2025-03", "2025-12-31", "March 2025", "31/03/2025", "2026"]  # a bare year is an xsd:gYear
PARTNERSHIPS = ["Braintree District Community Safety Partnership", "tendring-csp", "colchester-csp", "thurrock-csp",
                "castle-point-rochford-csp"]
# Printable text in many scripts, no control characters: what officers paste from documents. Never
# only spaces: a cell of spaces is empty, and an empty required cell is (rightly) refused.
WORDS = st.text(st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u00a0"), min_size=1,
                max_size=24).filter(lambda s: s.strip())


def _register():
    reg = register.load()
    agencies = sorted(name for iri, name in reg.names.items()
                      if iri.startswith(ID + "agency/") and ";" not in name and reg.find(AGENCY_PREFIXES, name) == {iri})
    duties = sorted(i.removeprefix(ID + "duty/") for i in reg.known if i.startswith(ID + "duty/") and "/" not in i.removeprefix(ID + "duty/"))
    pfcc = sorted(reg.notations.get(ID + "plan/essex-pcp-2021-24", {}))
    return agencies, duties, pfcc


AGENCIES, DUTIES, PFCC = _register()


def optional(strategy):
    return st.one_of(st.just(""), strategy)


def long_text():
    """Short phrases, or one repeated into a few thousand characters (a pasted paragraph)."""
    return st.one_of(WORDS, st.builds(lambda w, n: " ".join([w] * n), WORDS, st.integers(20, 150)))


@st.composite
def actions(draw, priorities: list[str]):
    funding = draw(optional(st.sampled_from(FUNDING)))
    update = draw(optional(WORDS))
    return {
        "Number": draw(optional(st.integers(1, 99).map(str))),
        "Priorities": "; ".join(draw(st.lists(st.sampled_from(priorities), min_size=0, max_size=2, unique=True))),
        "PFCC priorities": "; ".join(draw(st.lists(st.sampled_from(PFCC), max_size=2, unique=True))),
        "Label": draw(optional(WORDS)),
        "Action": draw(long_text()),
        "Desired outcome": draw(optional(WORDS)),
        "Lead agency": draw(optional(st.sampled_from(AGENCIES))),
        "Supporting agencies": "; ".join(draw(st.lists(st.sampled_from(AGENCIES), max_size=3, unique=True))),
        "Timing": draw(optional(st.sampled_from(["Ongoing", "Quarterly", "Q2 2025/26", "By summer"]))),
        "Due": draw(optional(st.sampled_from(DUES))),
        "Funding": funding,
        "Funding source": draw(optional(st.sampled_from(["Safer Communities Grant", "general-fund", "Essex Police"]))) if funding else "",
        "Measure": draw(optional(WORDS)),
        "Progress update": update,
        "Update period": draw(optional(st.just("Q1 2025/26"))) if update else "",
        "Legal duties": "; ".join(draw(st.lists(st.sampled_from(DUTIES), max_size=2, unique=True))),
    }


@st.composite
def plans(draw):
    n = draw(st.integers(1, 6))
    priorities = []
    for number in range(1, n + 1):
        priorities.append({"Key": f"p{number}", "Number": draw(optional(st.just(str(number)))), "Title": draw(WORDS),
                           "Description": draw(optional(long_text())),
                           "Legal duties": "; ".join(draw(st.lists(st.sampled_from(DUTIES), max_size=2, unique=True)))})
    keys = [p["Key"] for p in priorities]
    rows = []
    for p in priorities:
        for _ in range(draw(st.integers(0, 15))):
            row = draw(actions(keys))
            row["Priorities"] = row["Priorities"] or p["Key"]
            rows.append(row)
    if not rows:  # a plan lists at least one action (a violation otherwise)
        rows.append(draw(actions(keys)))
    plan = {"Title": draw(WORDS), "Label": draw(optional(WORDS)), "Partnership": draw(st.sampled_from(PARTNERSHIPS)),
            "Approved on": draw(optional(st.sampled_from(["2023-03-01", "01/02/2024"]))),
            "Police and Crime Plan": draw(optional(st.just("essex-pcp-2021-24"))),
            "Duties fulfilled": "; ".join(draw(st.lists(st.sampled_from(DUTIES), max_size=3, unique=True))),
            "Legal duty as stated": draw(optional(WORDS))}
    return plan, priorities, rows


def workbook(number: int, drawn) -> tuple[str, str, list[tables.Table]]:
    plan, priorities, rows = drawn
    key = f"generated-{number:02d}"
    title = f"Generated plan {number}: {plan['Title'].strip()}"
    m = mapping.load()
    out = []
    for sheet in m.sheets:
        header = [c.title for c in sheet.columns]
        if sheet.name == "Plan":
            records = [{**plan, "Key": key, "Title": title, "Period": PERIODS[(number - 1) % len(PERIODS)]}]
            if not plan["Police and Crime Plan"]:
                for r in rows:  # PFCC numbers are read through the plan's Police and Crime Plan
                    r["PFCC priorities"] = ""
        elif sheet.name == "Priorities":
            records = priorities
        elif sheet.name == "Actions":
            records = [{**r, "Key": f"a{i}"} for i, r in enumerate(rows, 1)]
        else:
            records = []
        out.append(tables.Table(sheet.name, header, [(i, [r.get(h, "") for h in header]) for i, r in enumerate(records, 2)]))
    return key, title, out


def generate(folder: Path) -> list[tuple[str, str, Path]]:
    """Thirty workbooks, drawn in one hypothesis run and written as XLSX files."""
    made: list[tuple[str, str, Path]] = []

    @settings(max_examples=PLANS, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(plans())
    def draw(drawn):
        if len(made) >= PLANS:
            return
        key, title, sheets = workbook(len(made) + 1, drawn)
        path = folder / f"{key}.xlsx"
        tables.write_xlsx(sheets, path, mapping.load())
        made.append((key, title, path))

    draw()
    return made


@pytest.mark.slow
def test_generated_plans_import_build_and_every_page_answers(tmp_path):
    started = time.monotonic()
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data, ignore=shutil.ignore_patterns("history", ".staging"))
    books = tmp_path / "books"
    books.mkdir()
    made = generate(books)
    assert len(made) == PLANS
    for key, _, path in made:  # the real workbook reader, as `cspkg import` and POST /plans use it
        taken = intake.from_workbook(path, data_dir=data)
        assert not taken.problems, f"{path.name}: " + "; ".join(map(str, taken.problems[:5]))
        assert taken.plan == key
        (data / "plans" / f"{key}.ttl").write_bytes(planfiles.turtle(taken.triples, key))
    generated_at = time.monotonic()
    store = tmp_path / "store"
    result = run(data, store)
    assert not result.violations, [(f.scope, f.message) for f in result.violations[:10]]
    built_at = time.monotonic()

    with serving(store, data=data) as base:  # /diff reads the plan files of the data folder
        catalogue = requests.get(f"{base}/queries.json", timeout=30).json()
        plan_rows = requests.get(f"{base}/queries/plans.json", timeout=30).json()["results"]["bindings"]
        keys = [b["plan"]["value"].removeprefix(ID + "plan/") for b in plan_rows]
        assert {k for k, _, _ in made} <= set(keys), "every generated plan is listed"
        duties = sorted({d.removeprefix(ID + "duty/") for d in (ID + "duty/" + x for x in DUTIES)})
        by_partnership: dict[str, list[str]] = {}
        for b in plan_rows:
            by_partnership.setdefault(b["partnership"]["value"], []).append(b["plan"]["value"].removeprefix(ID + "plan/"))
        pair = next((v[:2] for v in by_partnership.values() if len([k for k in v if k.startswith("generated-")]) >= 2), None)
        assert pair, "two generated plans of one partnership"

        urls = ["/", "/coverage", "/compare", "/search?text=plan", "/search?text=" + requests.utils.quote(made[0][1].split(":")[-1].strip()[:12])]
        urls += [f"/duties/{d}" for d in duties]
        for key in keys:
            urls += [f"/plans/{key}", f"/plans/{key}/trace", f"/doc/plan/{key}"]
        if pair:
            urls.append(f"/diff?before={pair[0]}&after={pair[1]}")
        for q in catalogue:
            takes_plan = any(p["name"] == "plan" for p in q["parameters"])
            if takes_plan:
                urls += [f"/queries/{q['name']}.json?plan={key}" for key in keys]
            else:
                urls.append(f"/queries/{q['name']}.json")

        def visit(url: str) -> tuple[str, int, str]:
            response = requests.get(base + url, headers={"Accept": "text/html"}, timeout=120)
            return url, response.status_code, response.text if url.startswith("/plans/") and "/trace" not in url else ""

        with ThreadPoolExecutor(max_workers=3) as pool:  # bounded: a fixed list of loopback URLs
            answers = list(pool.map(visit, urls))
    visited_at = time.monotonic()

    failed = [(url, status) for url, status, _ in answers if status >= 500]
    assert not failed, failed
    assert not [(url, status) for url, status, _ in answers if status != 200], "every page of a listed plan exists"
    shown = {url: body for url, _, body in answers if body}
    for key, title, _ in made:
        assert title in html.unescape(shown[f"/plans/{key}"]), f"/plans/{key} does not show its title {title!r}"
    mine = [b for b in plan_rows if b["plan"]["value"].removeprefix(ID + "plan/").startswith("generated-")]
    counts = {name: sorted(int(b[name]["value"]) for b in mine) for name in ("priorities", "actions")}
    periods = {b["period"]["value"] for b in mine}
    assert counts["priorities"][-1] > 1 and counts["actions"][-1] > 15 and periods == {p.strip() for p in PERIODS[:PLANS]}, "the plans vary in shape"
    print(f"\npriorities per plan {counts['priorities'][0]}-{counts['priorities'][-1]}, actions per plan "
          f"{counts['actions'][0]}-{counts['actions'][-1]} ({sum(counts['actions'])} in all), {len(periods)} period wordings")
    print(f"{PLANS} plans generated and read in {generated_at - started:.1f} s; "
          f"one build of {len(keys)} plans in {built_at - generated_at:.1f} s; "
          f"{len(urls)} URLs visited in {visited_at - built_at:.1f} s, none 5xx")
