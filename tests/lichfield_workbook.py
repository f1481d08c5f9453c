"""A plan workbook for a partnership the graph does not hold (Lichfield, in Staffordshire), written from
the template's sheets by code: it declares who is who instead of anyone editing data/reference/.

Run as a script to (re)write tests/fixtures/lichfield-2024-25.xlsx.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cspkg.plans.workbook import mapping, tables

KEY = "lichfield-2024-25"
FIXTURE = Path(__file__).parent / "fixtures" / f"{KEY}.xlsx"

ROWS = {
    "Plan": [{"Key": KEY, "Title": "Lichfield District Community Safety Partnership Delivery Plan 2024/25",
              "Partnership": "Lichfield District CSP", "Period": "2024/25", "Start date": "2024-04-01", "End date": "2025-03-31",
              "Police and Crime Plan": "Staffordshire Police and Crime Plan 2021-2024",
              "Strategies cited": "Staffordshire Domestic Abuse Strategy 2022-2025"}],
    "Partnership": [{"Name": "Lichfield District Community Safety Partnership", "Alternative names": "Lichfield CSP",
                     "Police area": "Staffordshire", "Police force": "Staffordshire Police",
                     "Fire and rescue service": "Staffordshire Fire and Rescue Service",
                     "County council": "Staffordshire County Council", "Council": "Lichfield District Council",
                     "Police and Crime Commissioner": "Staffordshire Commissioner for Police, Fire and Rescue and Crime",
                     "Website": "https://www.lichfielddc.gov.uk/community-safety"}],
    "Organisations": [
        {"Name": "National Crime Agency", "Kind": "central government body", "Alternative names": "NCA"},
        {"Name": "Tamworth Borough Council", "Kind": "district council"},
        {"Name": "Lichfield District Council Community Safety Team", "Kind": "team", "Belongs to": "Lichfield District Council"},
        {"Name": "Staffordshire Domestic Abuse Forum", "Kind": "forum"},
    ],
    "Funding streams": [{"Name": "Safer Streets Fund", "Funder": "PCC", "Alternative names": "Safer Streets"}],
    "Strategies": [{"Name": "Staffordshire Domestic Abuse Strategy 2022-2025", "Publisher": "Staffordshire County Council",
                    "Period": "2022-2025"}],
    "Police and Crime Plan": [
        {"Plan": "Staffordshire Police and Crime Plan 2021-2024", "Period": "2021-2024", "Number": "1", "Priority": "A local and responsive service"},
        {"Plan": "Staffordshire Police and Crime Plan 2021-2024", "Period": "2021-2024", "Number": "2", "Priority": "Prevent harm and protect people"},
    ],
    "Priorities": [
        {"Key": "1", "Number": "1", "Title": "Reducing anti-social behaviour"},
        {"Key": "2", "Number": "2", "Title": "Tackling domestic abuse"},
    ],
    "Actions": [
        {"Key": "a1", "Number": "1.1", "Priorities": "1", "PFCC priorities": "1",
         "Action": "Hold monthly problem-solving meetings for anti-social behaviour hotspots in the city centre.",
         "Lead agency": "Police", "Supporting agencies": "Lichfield District Council Community Safety Team; Fire",
         "Timing": "Monthly", "Funding": "£20,000", "Funding source": "Safer Streets Fund"},
        {"Key": "a2", "Number": "2.1", "Priorities": "2", "PFCC priorities": "2",
         "Action": "Run the domestic abuse forum's awareness campaign in Lichfield and Tamworth.",
         "Lead agency": "Staffordshire Domestic Abuse Forum", "Supporting agencies": "Tamworth Borough Council; County Council; NCA",
         "Timing": "November 2024"},
    ],
}


def tables_for(rows: dict[str, list[dict[str, str]]] = ROWS) -> list[tables.Table]:
    """The template's sheets (every column, as `cspkg template` writes them) with these rows filled in."""
    m = mapping.load()
    out = []
    for sheet in m.sheets:
        header = [c.title for c in sheet.columns]
        given = rows.get(sheet.name, [])
        for row in given:
            unknown = set(row) - set(header)
            assert not unknown, f"{sheet.name}: no columns {unknown}"
        out.append(tables.Table(sheet.name, header, [(i + 2, [row.get(h, "") for h in header]) for i, row in enumerate(given)]))
    return out


def write(path: Path = FIXTURE, rows: dict[str, list[dict[str, str]]] = ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tables.write_xlsx(tables_for(rows), path, mapping.load())
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE))
