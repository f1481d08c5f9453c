"""The coverage and compare grids keep every plan, whatever optional data its row lacks."""

from __future__ import annotations

from cspkg.web import coverage

ID = "https://w3id.org/cspkg/id/"


def plan(key: str, partnership: str, start: str | None, period: str | None = "2024/25") -> dict:
    row = {"plan": f"{ID}plan/{key}", "partnership": f"{ID}partnership/{partnership}", "partnershipLabel": partnership.title(),
           "title": f"Plan {key}", "priorities": "2", "actions": "3", "fundedActions": "1", "totalGBP": "1500.5"}
    return row | ({"startDate": start} if start else {}) | ({"period": period} if period else {})


def test_year_grid_keeps_undated_plans_and_two_plans_in_one_year():
    plans = [plan("a-2024-25", "a-csp", "2024-04-01"), plan("a-2024-27", "a-csp", "2024-04-01", "April 2024 to March 2027"),
             plan("b-undated", "b-csp", None, None)]
    grid = coverage.year_grid(plans)
    assert grid["years"] == ["2024", coverage.UNDATED]
    shown = {p["key"] for row in grid["rows"] for cell in row["cells"] for p in cell["plans"]}
    assert shown == {"a-2024-25", "a-2024-27", "b-undated"}
    undated = next(row for row in grid["rows"] if row["key"] == "b-csp")["cells"][1]["plans"][0]
    assert undated["period"] == "Plan b-undated" and undated["totalGBP"] == 1500  # no period: the title labels the cell


def test_duty_grid_skips_a_gap_whose_plan_is_not_listed():
    plans = [plan("a-2024-25", "a-csp", "2024-04-01")]
    cells = [{"partnership": f"{ID}partnership/a-csp", "duty": f"{ID}duty/d", "dutyLabel": "D", "actions": "1",
              "fundedActions": "0", "totalGBP": "0", "cited": "yes"}]
    gaps = [{"plan": f"{ID}plan/a-2024-25", "duty": f"{ID}duty/d", "gap": "cited, no funded action"},
            {"plan": f"{ID}plan/not-listed", "duty": f"{ID}duty/d", "gap": "cited, no funded action"}]
    grid = coverage.duty_grid(cells, gaps, plans)
    assert grid["rows"][0]["cells"][0]["citedNoFundedAction"] is True
