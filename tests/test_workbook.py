"""Plans in and out through the real `cspkg` command: template, import, export, round trips, bad workbooks."""

from __future__ import annotations

import csv
import hashlib
import shutil
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from defusedxml.ElementTree import fromstring

from cspkg.sources import DEFAULT_DATA, REPO
from cspkg.plans.workbook import mapping, tables, values

from conftest import PLANS
from test_cli import cspkg

EXAMPLE_CSV = REPO / "examples" / "plan-workbook"
EXAMPLE_XLSX = REPO / "examples" / "plan-workbook.xlsx"
EXAMPLE = "example-2025-26"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, copy)
    return copy


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def graph(path: Path) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


def csv_copy(tmp_path: Path, name: str = "book") -> Path:
    folder = tmp_path / name
    shutil.copytree(EXAMPLE_CSV, folder)
    return folder


def edit(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (row numbered as a spreadsheet shows it: 2 is the first data row)."""
    path = folder / file
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if column not in rows[0]:
        rows[0].append(column)
        for r in rows[1:]:
            r.append("")
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


# --- round trips -------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_seed_plan_exports_and_reimports_isomorphically(plan, fmt, tmp_path, data_copy):
    out = tmp_path / ("book.xlsx" if fmt == "xlsx" else "book")
    done = cspkg("export", plan, "--format", fmt, "-o", str(out), "--data", str(data_copy))
    assert done.returncode == 0, done.stderr
    original = graph(DEFAULT_DATA / "plans" / f"{plan}.ttl")
    done = cspkg("import", str(out), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Plan {plan} conforms" in done.stdout
    assert graph(data_copy / "plans" / f"{plan}.ttl") == original
    # the previous version is kept, byte for byte, and listed
    kept = list((data_copy / "history" / "plans" / plan).glob("*.ttl"))
    assert len(kept) == 1 and kept[0].read_bytes() == (DEFAULT_DATA / "plans" / f"{plan}.ttl").read_bytes()
    assert str(kept[0]) in cspkg("history", plan, "--data", str(data_copy)).stdout


def test_export_refuses_a_workbook_that_would_not_read_back():
    from cspkg.plans.workbook import register
    from cspkg.plans.workbook.exporter import write_tables

    # An action that does not say it belongs to its plan: a workbook row always does.
    plan = {t for t in graph(DEFAULT_DATA / "plans" / "tendring-2021-22.ttl") if t.predicate.value != "https://w3id.org/cspkg/def/actionOf"
            or t.subject.value != "https://w3id.org/cspkg/id/action/tendring-2021-22/r01"}
    with pytest.raises(Exception, match="would not read back as the same plan"):
        write_tables(plan, "tendring-2021-22", mapping.load(), register.load())


# --- the template and the worked example ------------------------------------------------------

def test_template_lists_every_sheet_and_column(tmp_path):
    out = tmp_path / "template.xlsx"
    assert cspkg("template", "-o", str(out)).returncode == 0
    read = tables.read(out, mapping.load())
    m = mapping.load()
    assert list(read) == [s.name for s in m.sheets]
    for sheet in m.sheets:
        assert read[sheet.name].header == [c.title for c in sheet.columns] and read[sheet.name].rows == []
    folder = tmp_path / "template"
    assert cspkg("template", "--format", "csv", "-o", str(folder)).returncode == 0
    assert {p.name for p in folder.iterdir()} == {s.file for s in m.sheets} | {"plan-workbook.json"}


def test_example_xlsx_and_csv_hold_the_same_tables():
    m = mapping.load()
    xlsx, folder = tables.read(EXAMPLE_XLSX, m), tables.read(EXAMPLE_CSV, m)
    assert xlsx.keys() == folder.keys()
    for name in xlsx:
        assert xlsx[name].header == folder[name].header and xlsx[name].rows == folder[name].rows


@pytest.mark.slow
def test_example_workbook_imports_builds_and_answers(tmp_path, data_copy):
    done = cspkg("import", str(EXAMPLE_XLSX), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Plan {EXAMPLE} conforms (0 violation(s), 0 warning(s))" in done.stdout
    plan = graph(data_copy / "plans" / f"{EXAMPLE}.ttl")
    act = "https://w3id.org/cspkg/id/action/example-2025-26/"
    fund = "https://w3id.org/cspkg/id/funding/example-2025-26/"
    csp = "https://w3id.org/cspkg/def/"

    def objects(s, p):
        return {t.object for t in plan if t.subject == ox.NamedNode(s) and t.predicate == ox.NamedNode(p)}

    assert len({t.subject for t in plan if t.object == ox.NamedNode(csp + "Action")}) == 5
    # agencies by abbreviation and by name resolve against the register
    assert objects(act + "a1", csp + "leadAgency") == {ox.NamedNode("https://w3id.org/cspkg/id/agency/braintree-dc")}
    assert ox.NamedNode("https://w3id.org/cspkg/id/agency/essex-police") in objects(act + "a1", csp + "supportingAgency")
    # amounts as people write them
    assert objects(fund + "a2", csp + "amount") == {values.typed("5919.63", "decimal")}
    assert objects(fund + "a3", csp + "isApproximate") == {values.typed("true", "boolean")}
    assert objects(fund + "a1", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {ox.NamedNode(csp + "NoFundingRequired")}
    assert objects(fund + "a4", csp + "funder") == {ox.NamedNode("https://w3id.org/cspkg/id/agency/essex-police")}
    # PFCC numbers resolve through the plan's Police and Crime Plan; priorities by number and by title
    assert ox.NamedNode("https://w3id.org/cspkg/id/priority/essex-pcp-2021-24/volunteers-community-support") in objects(act + "a2", csp + "addressesPriority")
    assert ox.NamedNode("https://w3id.org/cspkg/id/priority/example-2025-26/1") in objects(act + "a2", csp + "addressesPriority")
    store = tmp_path / "store"
    assert cspkg("build", "--data", str(data_copy), "--store", str(store)).returncode == 0
    done = cspkg("query", "plan-summary", "--param", f"plan={EXAMPLE}", "--store", str(store), "--format", "csv")
    assert done.returncode == 0, done.stderr
    row = next(csv.DictReader(done.stdout.splitlines()))
    assert (row["priorities"], row["actions"], row["fundedActions"], row["totalGBP"]) == ("3", "5", "4", "11419.63")


def test_import_of_the_csv_example_matches_the_xlsx_example(tmp_path, data_copy):
    for source, name in ((EXAMPLE_XLSX, "a"), (EXAMPLE_CSV, "b")):
        target = tmp_path / name
        shutil.copytree(data_copy, target)
        assert cspkg("import", str(source), "--data", str(target)).returncode == 0
    a, b = graph(tmp_path / "a" / "plans" / f"{EXAMPLE}.ttl"), graph(tmp_path / "b" / "plans" / f"{EXAMPLE}.ttl")
    # the only difference: the file name recorded as the text the plan was read from
    seed = ox.NamedNode("https://w3id.org/cspkg/def/seedFile")
    assert {t for t in a if t.predicate != seed} == {t for t in b if t.predicate != seed}


# --- bad workbooks: a clear message with its place, and nothing changes -------------------------

def refused(book: Path, data: Path, *expected: str, code: int = 2) -> str:
    before = fingerprint(data)
    done = cspkg("import", str(book), "--data", str(data))
    text = done.stdout + done.stderr
    assert done.returncode == code, text
    for e in expected:
        assert e in text, text
    assert "Traceback" not in text
    assert fingerprint(data) == before
    return text


def test_unknown_agency_is_located_with_the_closest_names(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 3, "Lead agency", "Essex Polise")
    refused(book, data_copy, "Actions row 3, column G (Lead agency)", "unknown organisation 'Essex Polise'", "Organisations sheet", "'Essex Police'")


def test_bad_amount_is_reported_not_guessed(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 4, "Funding", "some money from the council")
    refused(book, data_copy, "Actions row 4, column K (Funding)", "cannot read 'some money from the council' as funding")


def test_duplicate_action_ids(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 5, "Key", "a1")
    refused(book, data_copy, "Actions row 5, column A (Key)", "the key 'a1' is already used on row 2")


def test_wrong_columns(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    with (book / "actions.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[0][rows[0].index("Lead agency")] = "Lead organisation"
    rows[0][rows[0].index("Action")] = "Activity"
    with (book / "actions.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    refused(book, data_copy, "Actions row 1, column G (Lead organisation): unknown column heading 'Lead organisation'",
            "the required column 'Action' is missing")


def test_empty_sheet(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    (book / "plan.csv").write_text("Key,Title,Partnership\n", encoding="utf-8")
    refused(book, data_copy, "Plan: the Plan sheet is missing or empty")


def test_reference_to_a_missing_row(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 2, "Priorities", "9")
    refused(book, data_copy, "Actions row 2, column C (Priorities)", "no priority with key, number or title '9'")


def test_not_a_workbook(tmp_path, data_copy):
    fake = tmp_path / "plan.xlsx"
    fake.write_text("Priority,Action\n1,Do things\n", encoding="utf-8")
    refused(fake, data_copy, "not an Excel workbook (.xlsx)")


def test_huge_file(tmp_path, data_copy):
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as out:
        out.truncate(tables.MAX_FILE_BYTES + 1)
    refused(huge, data_copy, "is more than a workbook may hold")


def test_zip_bomb(tmp_path, data_copy):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (tables.MAX_UNPACKED_BYTES + 1))
    assert bomb.stat().st_size < 1_000_000
    refused(bomb, data_copy, "unpacks to", "more than a workbook may")


def test_xml_entity_expansion_is_refused(tmp_path, data_copy):
    """A workbook whose XML declares entities (the 'billion laughs' attack) is refused, not expanded."""
    good = tmp_path / "good.xlsx"
    shutil.copyfile(EXAMPLE_XLSX, good)
    evil = tmp_path / "evil.xlsx"
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = laughs.encode() + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            dst.writestr(item, data)
    refused(evil, data_copy, "cannot read the workbook")
    with pytest.raises(Exception):
        fromstring(laughs + "<a>&lol2;</a>")


def test_shacl_violation_points_at_sheet_row_and_column(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    (book / "funding.csv").write_text("Key,Type,As written,Amount (£)\nf1,none required,None required,100\n", encoding="utf-8")
    edit(book, "actions.csv", 2, "Funding", "")
    edit(book, "actions.csv", 2, "Funding rows", "f1")
    text = refused(book, data_copy, "Funding row 2, column Amount (£)", "(violation)", "does not conform: nothing was changed", code=1)
    assert "Violations (1):" in text


def test_warnings_are_reported_in_the_officers_words(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 6, "Lead agency", "")
    done = cspkg("import", str(book), "--data", str(data_copy), "--dry-run")
    assert done.returncode == 0, done.stdout
    assert "Actions row 6: No lead agency is given" in done.stdout and "(warning)" in done.stdout
    assert not (data_copy / "plans" / f"{EXAMPLE}.ttl").exists()


# --- reading what people type ------------------------------------------------------------------

@pytest.mark.parametrize("typed, kind, amount, approx", [
    ("£5,919.63", "money", "5919.63", False),
    ("Approx £3,500", "money", "3500", True),
    ("£2k", "money", "2000", False),
    ("£1,200 (approx)", "money", "1200", True),
    ("None required", "none required", None, False),
    ("Funding in kind by Essex Police", "in kind", None, False),
])
def test_funding_as_written(typed, kind, amount, approx):
    f = values.funding(typed)
    assert (f.kind, f.amount, f.approximate) == (kind, amount, approx)
    if kind == "in kind":
        assert f.funder == "Essex Police"


@pytest.mark.parametrize("typed", ["£3,000 + £2,000", "about three thousand", "5919.63", "TBC", "£"])
def test_ambiguous_funding_is_refused(typed):
    with pytest.raises(ValueError, match="cannot read"):
        values.funding(typed)


def test_dates_and_months():
    assert values.date("31/03/2022") == values.typed("2022-03-31", "date")
    assert values.month("March 2019") == values.typed("2019-03", "gYearMonth")
    assert values.when("2022") == values.typed("2022", "gYear")
    for bad in ("31/02/2022", "2022-13", "next spring"):
        with pytest.raises(ValueError):
            values.when(bad)


# --- other formats out --------------------------------------------------------------------------

def test_stratml_export_follows_the_performance_plan_model(tmp_path):
    from cspkg.plans.stratml import identifier

    out = tmp_path / "plan.xml"
    assert cspkg("export", "castle-point-rochford-2017-18", "--format", "stratml", "-o", str(out)).returncode == 0
    ns = {"s": "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport"}
    root = fromstring(out.read_bytes())
    # its Q1 updates are a return (derived from the plan), so the export is a report
    assert root.tag == "{%s}PerformancePlanOrReport" % ns["s"] and root.get("Type") == "Performance_Report"
    assert root.find("s:Name", ns).text.startswith("Castle Point and Rochford")
    goals = root.findall("s:StrategicPlanCore/s:Goal", ns)
    plan = graph(DEFAULT_DATA / "plans" / "castle-point-rochford-2017-18.ttl")
    priorities = {t.object for t in plan if t.predicate.value == "https://w3id.org/cspkg/def/hasPriority"}
    assert len(goals) == len(priorities) == 11
    actions = {identifier(t.object.value) for t in plan if t.predicate.value == "https://w3id.org/cspkg/def/hasAction"}
    exported = {o.find("s:Identifier", ns).text for o in root.iter("{%s}Objective" % ns["s"])}
    assert actions <= exported  # every action appears as an Objective
    roles = {r.text for r in root.iter("{%s}RoleType" % ns["s"])}
    assert roles == {"Performer"}
    assert root.find("s:AdministrativeInformation/s:StartDate", ns).text == "2017-04-01"


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_rdf_exports_hold_the_plan_graph(fmt, tmp_path):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    out = tmp_path / f"plan.{fmt}"
    assert cspkg("export", "braintree-2022-23", "--format", fmt, "-o", str(out)).returncode == 0
    if fmt == "jsonld":  # read by an independent JSON-LD processor
        import json

        from pyld import jsonld

        got = Graph().parse(data=jsonld.to_rdf(json.loads(out.read_text()), {"format": "application/n-quads"}), format="nt")
    else:
        got = Graph().parse(out, format="turtle")
    want = Graph().parse(DEFAULT_DATA / "plans" / "braintree-2022-23.ttl")
    assert isomorphic(got, want)


def test_export_of_an_unknown_plan_is_a_clear_error():
    done = cspkg("export", "nowhere-2020-21", "--format", "ttl")
    assert done.returncode == 2 and "no plan 'nowhere-2020-21'" in done.stderr and "tendring-2021-22" in done.stderr


# --- year on year -------------------------------------------------------------------------------

@pytest.mark.slow
def test_diff_with_a_next_year_plan_written_from_this_years_workbook(tmp_path, data_copy):
    """Next year's plan starts as this year's workbook: one priority renamed outright, one reworded, one action replaced."""
    book = tmp_path / "next"
    assert cspkg("export", "castle-point-rochford-2017-18", "--format", "csv", "-o", str(book), "--data", str(data_copy)).returncode == 0
    with (book / "priorities.csv").open(encoding="utf-8", newline="") as f:
        priorities = list(csv.DictReader(f))
    titles = {p["Key"]: p["Title"] for p in priorities}
    edit(book, "plan.csv", 2, "Key", "castle-point-rochford-2018-19")
    edit(book, "priorities.csv", 2, "Title", "Road safety around schools")  # was priorities[0]
    edit(book, "priorities.csv", 3, "Title", titles[priorities[1]["Key"]] + " and their families")
    edit(book, "actions.csv", 2, "Label", "Launch a new cycle safety scheme for primary schools")
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    done = cspkg("diff", "castle-point-rochford-2017-18", "castle-point-rochford-2018-19", "--format", "json", "--data", str(data_copy))
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout)
    pri = result["priorities"]
    assert [i["title"] for i in pri["added"]] == ["Road safety around schools"]
    assert [i["title"] for i in pri["dropped"]] == [priorities[0]["Title"]]
    assert len(pri["carried"]) == len(priorities) - 1
    reworded = next(p for p in pri["carried"] if p["after"]["title"].endswith("and their families"))
    assert reworded["before"]["title"] == titles[priorities[1]["Key"]] and reworded["score"] < 1
    act = result["actions"]
    assert [i["title"] for i in act["added"]] == ["Launch a new cycle safety scheme for primary schools"]
    assert len(act["dropped"]) == 1 and len(act["carried"]) == 35
    text = cspkg("diff", "castle-point-rochford-2017-18", "castle-point-rochford-2018-19", "--data", str(data_copy)).stdout
    assert "Priorities: 10 carried over, 1 added, 1 dropped" in text and '+ "Road safety around schools"' in text


# --- the plan's period ---------------------------------------------------------------------------

def test_period_as_written_gives_the_dates_and_says_they_were_derived(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "plan.csv", 2, "Period", "Apr 2025 - Mar 2026")
    edit(book, "plan.csv", 2, "Start date", "")
    edit(book, "plan.csv", 2, "End date", "")
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    plan = graph(data_copy / "plans" / f"{EXAMPLE}.ttl")
    csp = "https://w3id.org/cspkg/def/"
    said = {t.predicate.value.removeprefix(csp): t.object for t in plan if t.subject.value.endswith(f"/plan/{EXAMPLE}")}
    assert said["periodAsStated"] == values.string("Apr 2025 - Mar 2026")  # the wording as written stays
    assert (said["startDate"], said["endDate"]) == (values.typed("2025-04-01", "date"), values.typed("2026-03-31", "date"))
    assert said["periodReading"].value.startswith('Start and end dates derived from the period as stated, "Apr 2025 - Mar 2026"')


def test_stated_dates_are_kept_and_not_marked_derived(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "plan.csv", 2, "Period", "Year two of three")  # a wording of the plan's own; its dates are stated
    assert cspkg("import", str(book), "--data", str(data_copy)).returncode == 0
    plan = graph(data_copy / "plans" / f"{EXAMPLE}.ttl")
    assert not [t for t in plan if t.predicate.value.endswith("periodReading")]
    assert values.typed("2025-04-01", "date") in {t.object for t in plan if t.predicate.value.endswith("startDate")}


def test_unreadable_period_is_located_with_how_to_fix_it(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "plan.csv", 2, "Period", "Year two of three")
    edit(book, "plan.csv", 2, "Start date", "")
    edit(book, "plan.csv", 2, "End date", "")
    refused(book, data_copy, "Plan row 2, column D (Period): 'Year two of three' cannot be read as a period",
            "write the period as 2024/25 or April 2024 to March 2027")


def test_missing_period_is_refused(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "plan.csv", 2, "Period", "")
    refused(book, data_copy, "Plan row 2, column D (Period): this column is required")


def test_end_before_start_is_refused(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "plan.csv", 2, "End date", "2024-03-31")
    refused(book, data_copy, "Plan row 2, column F (End date): the plan ends (2024-03-31) before it starts (2025-04-01)")


# --- every kind of plan a partnership publishes ------------------------------------------------

def strategy_book(tmp_path: Path, kind: str) -> Path:
    """A multi-year strategy as a workbook: priorities with focus areas, no action list."""
    book = tmp_path / "strategy"
    book.mkdir()
    (book / "plan.csv").write_text(
        "Key,Title,Kind,Partnership,Period,Start date,End date,Police and Crime Plan\n"
        "example-2024-27,Example Serious Violence Strategy 2024-2027,"
        f"{kind},Braintree District Community Safety Partnership,2024-2027,01/04/2024,31/03/2027,essex-pcp-2021-24\n",
        encoding="utf-8")
    (book / "priorities.csv").write_text(
        "Key,Number,Title,Part of priority\n"
        "1,1,Prevention and early intervention,\n"
        "1-1,1a,Young people at risk of exploitation,1\n"
        "2,2,Enforcement,\n", encoding="utf-8")
    return book


@pytest.mark.parametrize("kind", ["strategy", "Duty strategy"])
def test_strategy_without_actions_imports_and_conforms(kind, tmp_path, data_copy):
    done = cspkg("import", str(strategy_book(tmp_path, kind)), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Plan example-2024-27 conforms (0 violation(s)" in done.stdout
    assert "lists no actions" not in done.stdout
    plan = graph(data_copy / "plans" / "example-2024-27.ttl")
    kinds = {t.object.value for t in plan if t.predicate.value.endswith("/def/planKind")}
    assert kinds == {"https://w3id.org/cspkg/def/" + ("partnershipStrategy" if kind == "strategy" else "dutyStrategy")}


def test_delivery_plan_without_actions_is_warned_not_refused(tmp_path, data_copy):
    done = cspkg("import", str(strategy_book(tmp_path, "delivery plan")), "--data", str(data_copy), "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lists no actions" in done.stdout and "(warning)" in done.stdout


def test_unknown_plan_kind_is_located(tmp_path, data_copy):
    refused(strategy_book(tmp_path, "vision"), data_copy, "Plan row 2, column", "Kind",
            "'vision' is not one of: delivery plan, strategy, duty strategy")


@pytest.mark.slow
def test_strategy_with_focus_areas_outcomes_and_plan_funding_builds_and_answers(tmp_path, data_copy):
    """A strategy workbook with sub-priorities, outcomes and targets on its priorities, and a
    grant with match funding for the plan as a whole: imported, built, and answered."""
    book = strategy_book(tmp_path, "strategy")
    (book / "priorities.csv").write_text(
        "Key,Number,Title,Part of priority,Outcomes,Targets\n"
        "1,1,Prevention and early intervention,,o1,t1\n"
        "1-1,1a,Young people at risk of exploitation,1,o2,\n"
        "1-2,1b,Schools and colleges,1,,\n"
        "2,2,Enforcement,,,\n", encoding="utf-8")
    (book / "outcomes.csv").write_text("Key,Outcome\no1,Fewer first-time entrants to the youth justice system\n"
                                       "o2,Young people at risk are known to a trusted adult\n", encoding="utf-8")
    (book / "targets.csv").write_text("Key,Label,Value,Unit\nt1,Reach 1500 young people a year,1500,young people\n", encoding="utf-8")
    (book / "plan-funding.csv").write_text(
        "Key,Type,As written,Amount (£),Allocated to,Period,Funder,Project,Match funding (£),Match funder\n"
        "g1,grant,\"£20,000 for Street Safe, matched by £5,000 from the council\",£20000,"
        "Braintree District Community Safety Partnership,2024/25,PFCC,Street Safe,5000,Braintree District Council\n"
        "a1,allocation,The 2024/25 allocation totals £12000,12000,Braintree District Council,2024/25,PFCC,,,\n",
        encoding="utf-8")
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Plan example-2024-27 conforms (0 violation(s)" in done.stdout
    store = tmp_path / "store"
    assert cspkg("build", "--data", str(data_copy), "--store", str(store)).returncode == 0

    def rows(query: str) -> list[dict]:
        done = cspkg("query", query, "--param", "plan=example-2024-27", "--store", str(store), "--format", "csv")
        assert done.returncode == 0, done.stderr
        return list(csv.DictReader(done.stdout.splitlines()))

    summary = rows("plan-summary")[0]
    assert (summary["priorities"], summary["subPriorities"], summary["actions"], summary["totalGBP"]) == ("2", "2", "0", "32000")
    items = {r["label"]: r for r in rows("plan-priorities")}
    assert items["Prevention and early intervention"]["outcomes"] == "Fewer first-time entrants to the youth justice system"
    assert items["Prevention and early intervention"]["targets"] == "Reach 1500 young people a year"
    assert items["Young people at risk of exploitation"]["kind"] == "sub-priority"
    assert items["Young people at risk of exploitation"]["broaderLabel"] == "Prevention and early intervention"
    assert items["Enforcement"]["actions"] == "0"
    grants = {r["kind"]: r for r in rows("plan-funding")}
    assert (grants["grant"]["project"], grants["grant"]["matchFundingGBP"], grants["grant"]["matchFunders"]) == (
        "Street Safe", "5000", "Braintree District Council")
    assert grants["allocation"]["allocatedTo"] == "Braintree District Council"
    # and back out: the workbook export reads back to the same graph
    out = tmp_path / "again"
    assert cspkg("export", "example-2024-27", "--format", "csv", "-o", str(out), "--data", str(data_copy)).returncode == 0
    assert "g1" in (out / "plan-funding.csv").read_text(encoding="utf-8")


def test_plan_funding_key_shared_with_the_funding_sheet_is_refused(tmp_path, data_copy):
    book = strategy_book(tmp_path, "strategy")
    (book / "funding.csv").write_text("Key,Type,As written\nf1,none required,None required\n", encoding="utf-8")
    (book / "plan-funding.csv").write_text("Key,Type,As written,Amount (£),Allocated to\n"
                                           "f1,allocation,£100,100,Braintree District Council\n", encoding="utf-8")
    refused(book, data_copy, "Plan funding row 2", "the key 'f1' is already used on the Funding sheet")


@pytest.mark.slow
def test_cross_cutting_approaches_classify_actions_on_query_and_page(tmp_path, data_copy):
    """Approaches from the Approaches sheet classify actions beside their priorities: the import
    conforms, plan-approaches counts them, and the plan page served by `cspkg serve` lists them."""
    import requests

    from server import serving

    book = csv_copy(tmp_path)
    (book / "approaches.csv").write_text("Key,Number,Title\nei,1,Early intervention\nsv,2,Supporting victims\n"
                                         "mo,3,Managing offenders\n", encoding="utf-8")
    edit(book, "actions.csv", 2, "Approaches", "ei")
    edit(book, "actions.csv", 3, "Approaches", "ei; sv")
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Plan {EXAMPLE} conforms (0 violation(s), 0 warning(s))" in done.stdout
    store = tmp_path / "store"
    assert cspkg("build", "--data", str(data_copy), "--store", str(store)).returncode == 0
    done = cspkg("query", "plan-approaches", "--param", f"plan={EXAMPLE}", "--store", str(store), "--format", "csv")
    assert done.returncode == 0, done.stderr
    counts = {r["label"]: int(r["actions"]) for r in csv.DictReader(done.stdout.splitlines())}
    assert counts == {"Early intervention": 2, "Supporting victims": 1, "Managing offenders": 0}
    with serving(store, workers=1) as base:
        data = requests.get(f"{base}/plans/{EXAMPLE}.json", timeout=30).json()["data"]
        assert {r["label"]: r["actions"] for r in data["approaches"]} == counts
        page = requests.get(f"{base}/plans/{EXAMPLE}", headers={"Accept": "text/html"}, timeout=30).text
        assert 'id="approaches-table"' in page and "Managing offenders" in page


def test_action_with_an_unknown_approach_is_located(tmp_path, data_copy):
    book = csv_copy(tmp_path)
    edit(book, "actions.csv", 2, "Approaches", "early-help")
    refused(book, data_copy, "Actions row 2", "Approaches", "early-help")
