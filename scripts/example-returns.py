"""Write the example progress returns in examples/returns/ (two seed plans, two quarters each).

They are examples, not published data: the build of data/ never reads examples/. Each is a return
template (`cspkg returns template`) filled in as a partnership officer would, so the tests import
them through the real CLI. Run: PYTHONPATH=server python scripts/example-returns.py
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from cspkg.returns.workbook import COL, SPENT, write_template

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "examples" / "returns"
CYCLE = ["on track", "on track", "complete", "at risk", "on track", "not started", "off track", "on track", "", "stopped"]
# plan, period, as of, reported by, {key: (status, per cent, commentary, value, unit, against)} beyond the cycle
EXAMPLES = [
    ("castle-point-rochford-2017-18", "2017-18-q1", "2017-07-14", "Rochford District Council Community Safety Officer",
     {"r02": ("on track", 50, "Example: one of two DA campaigns promoted (White Ribbon).", 1, "campaigns", "t:r02-1"),
      "r04": ("complete", 100, "Example: road shows held in May and June.", 92, "percent", "t:r04-1")}),
    ("castle-point-rochford-2017-18", "2017-18-q2", "2017-10-13", "Rochford District Council Community Safety Officer",
     {"r02": ("at risk", 50, "Example: second campaign delayed by the county provider.", 1, "campaigns", "t:r02-1"),
      "r04": ("complete", 100, "Example: no further road shows planned.", None, None, None)}),
    ("thurrock-2023-24", "2023-24-q1", "2023-07-12", "Thurrock Council",
     {"pop-1": ("at risk", 60, "Example: strategy refresh drafted; sign-off moved to the September board.", None, None, None)}),
    ("thurrock-2023-24", "2023-24-q2", "2023-10-11", "Thurrock Council",
     {"pop-1": ("off track", 80, "Example: the refreshed strategy was not signed off by June; now due December.", None, None, None)}),
]

# pounds spent to date, in one return only (the others give no spend): an action whose own funding
# names a source without an amount (pop-1, s3-2-b2) and one funded through its row (s3-1-b1)
SPEND = {("thurrock-2023-24", "2023-24-q2"): {"pop-1": 1200, "s3-2-b2": 850.50, "s3-1-b1": 300}}


def fill(path: Path, as_of: str, reporter: str, special: dict, shift: int, spend: dict) -> None:
    book = load_workbook(path)
    ret, up = book["Return"], book["Updates"]
    ret["B4"], ret["B5"] = as_of, reporter
    for r in range(2, up.max_row + 1):
        key = up.cell(row=r, column=COL["Key"]).value
        if not key:
            continue
        if key in special:
            status, pct, text, value, unit, against = special[key]
        else:
            status = CYCLE[(r + shift) % len(CYCLE)]
            pct = {"complete": 100, "not started": 0}.get(status)
            text = f"Example commentary for {key}: {status or 'no status given'}." if status else ""
            value = unit = against = None
        for name, v in (("Status", status), ("Per cent complete", pct), ("Commentary", text), ("Value", value),
                        ("Unit", unit), ("Against", against)):
            up.cell(row=r, column=COL[name], value=v if v not in ("", None) else None)
        up.cell(row=r, column=COL[SPENT], value=spend.get(key))
    book.save(path)


def main() -> None:
    for shift, (plan, period, as_of, reporter, special) in enumerate(EXAMPLES):
        target = OUT / plan / f"{period}.xlsx"
        write_template(REPO / "data", plan, period, target)
        fill(target, as_of, reporter, special, shift, SPEND.get((plan, period), {}))
        print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
