"""The officer's sheet: the template opens on an eight-column Action plan sheet with drop-down lists,
its rows import (through the real `cspkg import`) exactly as the same actions on the detailed
Actions sheet, the two sheets may describe one action but not contradict each other, and messages
for unknown names say how to fix them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from cspkg.plans.workbook import mapping, register
from cspkg.plans.workbook.dropdowns import organisation_names
from cspkg.sources import DEFAULT_DATA
from openpyxl import load_workbook
from test_cli import cspkg
from test_workbook import graph, refused

OFFICER_COLUMNS = ["Priority", "Action", "Desired outcome", "Lead", "Partners", "Timing", "Funding", "Progress"]
PLAN = "officer-2025-26"
PARTNERSHIP = "Braintree District Community Safety Partnership"
PRIORITIES = [("p1", "1", "Tackling anti-social behaviour"), ("p2", "2", "Protecting vulnerable people from harm")]
# What an officer writes: priority by title, lead by abbreviation, partners by name, funding as stated.
ROWS = [
    ["Tackling anti-social behaviour", "Run monthly problem-solving meetings for hotspots.", "Fewer repeat calls about anti-social behaviour.",
     "BDC", "Essex Police; Eastlight Community Homes", "Monthly", "None required", "Meetings held in April and May."],
    ["Protecting vulnerable people from harm", "Fund a domestic abuse outreach worker.", "More victims supported.",
     "Braintree District Council", "Essex Police", "2025/26", "Approx £3,500", ""],
    ["Tackling anti-social behaviour", "Diversionary youth activities in the school holidays.", "",
     "Essex Police", "", "July to August 2025", "£5,919.63", ""],
]


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, copy)
    return copy


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("template") / "template.xlsx"
    done = cspkg("template", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def header(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def fill(template: Path, out: Path, action_plan: list[list[str]], actions: list[dict[str, str]] = ()) -> Path:
    """A workbook made from the template as an officer would: the Plan and Priorities sheets, then
    rows on the Action plan sheet and, given actions, on the detailed Actions sheet (by heading)."""
    book = load_workbook(template)
    plan = book["Plan"]
    row = {"Key": PLAN, "Title": "Officer Example Community Safety Partnership Plan 2025/26", "Partnership": PARTNERSHIP,
           "Period": "2025/26"}
    plan.append([row.get(h, "") for h in header(plan)])
    pri = book["Priorities"]
    for key, number, title in PRIORITIES:
        pri.append([{"Key": key, "Number": number, "Title": title}.get(h, "") for h in header(pri)])
    for cells in action_plan:
        book["Action plan"].append(cells)
    detailed = book["Actions"]
    for action in actions:
        detailed.append([action.get(h, "") for h in header(detailed)])
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def imported(book: Path, data: Path) -> set[ox.Triple]:
    done = cspkg("import", str(book), "--data", str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Plan {PLAN} conforms" in done.stdout, done.stdout
    return graph(data / "plans" / f"{PLAN}.ttl")


# --- the template ------------------------------------------------------------------------------

def test_template_opens_on_the_action_plan_sheet_in_the_order_plans_use(template):
    book = load_workbook(template)
    assert book.active.title == "Action plan"
    assert book.sheetnames[:3] == ["About", "Action plan", "Plan"]
    assert header(book["Action plan"])[:8] == OFFICER_COLUMNS
    assert header(book["Action plan"])[8:] == ["Key"]  # optional, at the end
    assert book["Lists"].sheet_state == "hidden"
    about = "\n".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
    assert "Action plan" in about and "cannot hold drop-down lists" in about


def _cells_of(book, formula: str) -> list[str]:
    """The values a list validation's range (Sheet!$A$2:$A$9) holds."""
    sheet, _, cells = formula.partition("!")
    ws = book[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row if c.value is not None]


def _rules(ws) -> dict[str, object]:
    """Column heading -> its validation rule (each rule here covers one column from row 2)."""
    titles = {c.column_letter: c.value for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_row == 2 and rng.min_col == rng.max_col and rng.max_row >= 500
            out[titles[rng.coord.split(":")[0].rstrip("0123456789")]] = dv
    return out


def test_drop_down_lists_on_the_name_columns_draw_on_the_register_and_the_workbook(template):
    book = load_workbook(template)
    reg = register.load()
    rules = _rules(book["Action plan"])
    assert set(rules) == {"Priority", "Lead", "Partners", "Funding"}
    for dv in rules.values():
        assert dv.type == "list" and dv.errorStyle == "warning"  # warns, never forbids
        assert len(dv.error or "") <= 255 and len(dv.prompt) <= 255  # Excel's limits
    listed = _cells_of(book, rules["Lead"].formula1)
    registered = organisation_names(reg, mapping.load())
    assert listed[:len(registered)] == registered and len(registered) > 20
    assert {"Essex Police", PARTNERSHIP} <= set(registered)
    # then every row of the workbook's own Partnership and Organisations sheets' Name column, as formulas
    own = listed[len(registered):]
    for sheet, rows in (("Partnership", [2]), ("Organisations", list(range(2, 502)))):
        column = next(c.column_letter for c in book[sheet][1] if c.value == "Name")
        refs = [f"'{sheet}'!${column}${r}" for r in rows]
        assert own[:len(refs)] == [f'=IF(ISBLANK({ref}),"",{ref})' for ref in refs]
        own = own[len(refs):]
    assert own == []
    assert rules["Partners"].formula1 == rules["Lead"].formula1
    assert "Organisations sheet" in rules["Lead"].error and "choose Yes to keep them" in rules["Partners"].error
    assert "Add the priority there first" in rules["Priority"].error
    # Priority refers to the Priorities sheet's Title column, which an officer fills in
    sheet, _, cells = rules["Priority"].formula1.partition("!")
    assert sheet == "Priorities" and cells.startswith("$D$2:$D$")
    assert book["Priorities"]["D1"].value == "Title"
    assert not rules["Funding"].showErrorMessage and _cells_of(book, rules["Funding"].formula1) == ["None required", "In kind"]
    # duties on the detailed sheet: every key in the duty register
    duties = _rules(book["Actions"])["Legal duties"]
    keys = _cells_of(book, duties.formula1)
    assert "asb-case-review" in keys and all(reg.find((register.ID + "duty/",), k) == {register.ID + "duty/" + k} for k in keys)
    assert _rules(book["Plan"])["Kind"].formula1 == '"delivery plan,strategy,duty strategy"'


def test_csv_template_has_the_action_plan_sheet(tmp_path):
    folder = tmp_path / "template"
    assert cspkg("template", "--format", "csv", "-o", str(folder)).returncode == 0
    with (folder / "action-plan.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == OFFICER_COLUMNS + ["Key"]


# --- importing the officer's sheet --------------------------------------------------------------

@pytest.mark.slow
def test_action_plan_sheet_imports_as_the_same_plan_as_the_detailed_sheet(template, tmp_path, data_copy):
    short = fill(template, tmp_path / "short" / "plan.xlsx", ROWS)
    names = {"Priority": "Priorities", "Lead": "Lead agency", "Partners": "Supporting agencies", "Progress": "Progress update"}
    detailed_rows = [{"Key": f"a{i}", **{names.get(h, h): v for h, v in zip(OFFICER_COLUMNS, cells)}} for i, cells in enumerate(ROWS, start=1)]
    detailed = fill(template, tmp_path / "detailed" / "plan.xlsx", [], detailed_rows)
    a = tmp_path / "a"
    shutil.copytree(data_copy, a)
    from_short, from_detailed = imported(short, a), imported(detailed, data_copy)
    assert from_short == from_detailed
    action = ox.NamedNode(f"https://w3id.org/cspkg/id/action/{PLAN}/a2")
    lead = ox.NamedNode("https://w3id.org/cspkg/def/leadAgency")
    assert any(t.subject == action and t.predicate == lead for t in from_short)
    amounts = {t.object.value for t in from_short if t.predicate.value == "https://w3id.org/cspkg/def/amount"}
    assert amounts == {"3500", "5919.63"}


@pytest.mark.slow
def test_detailed_row_with_the_same_key_adds_detail(template, tmp_path, data_copy):
    rows = [r + ["youth"] if i == 2 else r for i, r in enumerate(ROWS)]
    book = fill(template, tmp_path / "plan.xlsx", rows, [{"Key": "youth", "Number": "1.3", "Legal duties": "asb-case-review",
                                                           "Timing": "July to August 2025"}])
    g = imported(book, data_copy)
    action = f"https://w3id.org/cspkg/id/action/{PLAN}/youth"
    said = {(t.predicate.value, t.object.value) for t in g if t.subject.value == action}
    assert ("https://w3id.org/cspkg/def/actionNumber", "1.3") in said
    assert ("https://w3id.org/cspkg/def/timingAsStated", "July to August 2025") in said
    assert ("https://w3id.org/cspkg/def/contributesToDuty", "https://w3id.org/cspkg/id/duty/asb-case-review") in said
    assert ("http://purl.org/dc/terms/description", "Diversionary youth activities in the school holidays.") in said
    assert sum(1 for t in g if t.predicate.value == "https://w3id.org/cspkg/def/actionOf") == 3


def test_contradiction_between_the_two_sheets_is_located(template, tmp_path, data_copy):
    rows = [r + ["youth"] if i == 2 else r for i, r in enumerate(ROWS)]
    book = fill(template, tmp_path / "plan.xlsx", rows, [{"Key": "youth", "Lead agency": "Braintree District Council"}])
    text = refused(book, data_copy, "Action plan row 4, column D (Lead): 'Essex Police' contradicts the Actions sheet row 2",
                   "(Key 'youth')", "make the two cells the same, or leave one of them empty")
    assert "(1 problem)" in text  # the rest of the row merged: no knock-on problems


def test_problems_on_the_action_plan_sheet_are_located_there(template, tmp_path, data_copy):
    rows = [list(r) for r in ROWS]
    rows[1][6] = "some money"
    book = fill(template, tmp_path / "plan.xlsx", rows)
    refused(book, data_copy, "Action plan row 3, column G (Funding): cannot read 'some money' as funding")


# --- messages that say how to fix --------------------------------------------------------------

def test_unknown_organisation_says_how_to_fix_it(template, tmp_path, data_copy):
    rows = [list(r) for r in ROWS]
    rows[0][3] = "Essex Polise"
    book = fill(template, tmp_path / "plan.xlsx", rows)
    refused(book, data_copy, "Action plan row 2, column D (Lead): unknown organisation 'Essex Polise'", "'Essex Police'",
            "pick the name from the column's drop-down list", "Declare it on the Organisations sheet")


def test_unknown_priority_says_to_add_it_to_the_priorities_sheet(template, tmp_path, data_copy):
    rows = [list(r) for r in ROWS]
    rows[0][0] = "Tackling anti social behavior"
    book = fill(template, tmp_path / "plan.xlsx", rows)
    refused(book, data_copy, "Action plan row 2, column A (Priority): no priority with key, number or title",
            "Closest known: 'Tackling anti-social behaviour'",
            "add the priority to the Priorities sheet (a Key and the Title 'Tackling anti social behavior') first")


def test_unknown_duty_and_missing_row_say_how_to_fix_them(template, tmp_path, data_copy):
    book = fill(template, tmp_path / "plan.xlsx", [], [{"Key": "x1", "Action": "Something.", "Legal duties": "no-such-duty",
                                                        "Objectives": "o9"}])
    refused(book, data_copy, "unknown duty 'no-such-duty'", "write the key one has in data/reference/ (in Excel, the column's drop-down list offers them)",
            "no row with key 'o9' on the Objectives sheet (it has no rows yet); correct the key, or add a row with Key 'o9'")


def test_two_rows_with_one_key_on_the_action_plan_sheet(template, tmp_path, data_copy):
    rows = [ROWS[0] + ["k1"], ROWS[1] + ["k1"]]
    book = fill(template, tmp_path / "plan.xlsx", rows)
    refused(book, data_copy, "Action plan row 3, column I (Key): the key 'k1' is already used on row 2")
