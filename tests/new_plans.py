"""Four plan workbooks of partnerships outside the seed set, each of a different shape, written from the
template's sheets by code: a London borough's three-year strategy (priorities and focus areas only), a
Welsh partnership's yearly delivery plan, a county-wide strategy with approaches, and a duty strategy
with money for the plan as a whole. Each is a plausible plan of a real area, written for testing: no
partnership published it, and it names no person.

Run as a script to (re)write tests/fixtures/<key>.xlsx for every plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lichfield_workbook import write

FIXTURES = Path(__file__).parent / "fixtures"
NOTE = "Test fixture written for cspkg; not the partnership's published plan."


def note(*more: dict) -> list[dict]:
    return [{"Item": "plan", "Field": "editorial note", "Text": NOTE}, *more]


# a. A London borough's three-year strategy: priorities with focus areas and outcomes, no actions.
LAMBETH = {
    "Plan": [{"Key": "lambeth-2024-27", "Title": "Safer Lambeth Partnership Community Safety Strategy 2024-2027",
              "Partnership": "Safer Lambeth Partnership", "Kind": "strategy", "Period": "2024-2027",
              "Police and Crime Plan": "Police and Crime Plan for London 2022-25"}],
    "Partnership": [{"Name": "Safer Lambeth Partnership", "Alternative names": "Lambeth CSP",
                     "Police area": "Metropolitan Police", "Police force": "Metropolitan Police Service",
                     "Fire and rescue service": "London Fire Brigade", "Council": "Lambeth Council",
                     "Police and Crime Commissioner": "Mayor's Office for Policing and Crime"}],
    "Organisations": [
        {"Name": "Lambeth Council", "Kind": "unitary authority", "Alternative names": "London Borough of Lambeth"},
        {"Name": "Mayor's Office for Policing and Crime", "Kind": "police and crime commissioner", "Alternative names": "MOPAC"},
    ],
    "Police and Crime Plan": [
        {"Plan": "Police and Crime Plan for London 2022-25", "Period": "2022-25", "Number": "1", "Priority": "Reducing and preventing violence"},
        {"Plan": "Police and Crime Plan for London 2022-25", "Period": "2022-25", "Number": "2", "Priority": "Increasing trust and confidence"},
        {"Plan": "Police and Crime Plan for London 2022-25", "Period": "2022-25", "Number": "3", "Priority": "Better supporting victims"},
        {"Plan": "Police and Crime Plan for London 2022-25", "Period": "2022-25", "Number": "4", "Priority": "Protecting people from being exploited or harmed"},
    ],
    "Priorities": [
        {"Key": "1", "Number": "1", "Title": "Reducing serious violence", "Outcomes": "o1",
         "Legal duties": "serious-violence-duty"},
        {"Key": "1a", "Number": "1a", "Title": "Knife crime among young people", "Part of priority": "1"},
        {"Key": "1b", "Number": "1b", "Title": "Violence in the night-time economy", "Part of priority": "1"},
        {"Key": "2", "Number": "2", "Title": "Tackling violence against women and girls", "Outcomes": "o2"},
        {"Key": "2a", "Number": "2a", "Title": "Domestic abuse and coercive control", "Part of priority": "2"},
        {"Key": "3", "Number": "3", "Title": "Safer neighbourhoods and anti-social behaviour", "Outcomes": "o3"},
        {"Key": "3a", "Number": "3a", "Title": "Drug-related anti-social behaviour around transport hubs", "Part of priority": "3"},
    ],
    "Outcomes": [
        {"Key": "o1", "Outcome": "Fewer young people injured by knives in the borough"},
        {"Key": "o2", "Outcome": "More women and girls report feeling safe in public spaces"},
        {"Key": "o3", "Outcome": "Fewer repeat reports of anti-social behaviour at the same locations"},
    ],
    "Notes": note({"Item": "plan", "Field": "vision", "Text": "A borough where everyone is safe and feels safe."}),
}

# b. A Welsh partnership's yearly delivery plan: actions led by Welsh bodies, a Police and Crime Plan,
# duties that apply in Wales (CDA 1998 s6 and s17, the Serious Violence Duty; not the 2007 English
# regulations, the safe accommodation duty or the duty to have regard to police and crime objectives).
NEWPORT = {
    "Plan": [{"Key": "newport-2024-25", "Title": "Safer Newport Partnership Delivery Plan 2024/25",
              "Partnership": "Safer Newport", "Kind": "delivery plan", "Period": "2024/25",
              "Police and Crime Plan": "Gwent Police and Crime Plan 2021-2025",
              "Duties fulfilled": "cda-crime-disorder-strategies"}],
    "Partnership": [{"Name": "Safer Newport Community Safety Partnership", "Alternative names": "Safer Newport",
                     "Police area": "Gwent", "Police force": "Gwent Police",
                     "Fire and rescue service": "South Wales Fire and Rescue Service",
                     "Council": "Newport City Council",
                     "Police and Crime Commissioner": "Gwent Police and Crime Commissioner"}],
    "Organisations": [
        {"Name": "Newport City Council", "Kind": "unitary authority", "Alternative names": "Cyngor Dinas Casnewydd"},
        {"Name": "Aneurin Bevan University Health Board", "Kind": "health body", "Alternative names": "ABUHB"},
        {"Name": "Newport Youth Justice Service", "Kind": "team", "Belongs to": "Newport City Council", "Alternative names": "YJS"},
        {"Name": "Gwent Police and Crime Commissioner", "Kind": "police and crime commissioner", "Alternative names": "OPCC Gwent"},
    ],
    "Police and Crime Plan": [
        {"Plan": "Gwent Police and Crime Plan 2021-2025", "Period": "2021-2025", "Number": "1", "Priority": "Keeping neighbourhoods safe"},
        {"Plan": "Gwent Police and Crime Plan 2021-2025", "Period": "2021-2025", "Number": "2", "Priority": "Combatting serious crime"},
        {"Plan": "Gwent Police and Crime Plan 2021-2025", "Period": "2021-2025", "Number": "3", "Priority": "Supporting victims and protecting the vulnerable"},
    ],
    "Priorities": [
        {"Key": "1", "Number": "1", "Title": "Safer city centre"},
        {"Key": "2", "Number": "2", "Title": "Preventing serious violence and exploitation", "Legal duties": "serious-violence-duty"},
        {"Key": "3", "Number": "3", "Title": "Reducing reoffending by young people"},
    ],
    "Actions": [
        {"Key": "a1", "Number": "1.1", "Priorities": "1", "PFCC priorities": "1",
         "Action": "Run joint weekend patrols and a safe space in the city centre with the council's wardens.",
         "Lead agency": "Police", "Supporting agencies": "Newport City Council; Fire", "Timing": "Friday and Saturday nights",
         "Funding": "£12,500", "Legal duties": "section-17-duty"},
        {"Key": "a2", "Number": "1.2", "Priorities": "1", "PFCC priorities": "1",
         "Action": "Deliver fire-setting and water safety sessions in city centre schools.",
         "Lead agency": "Fire", "Timing": "Autumn term 2024"},
        {"Key": "a3", "Number": "2.1", "Priorities": "2", "PFCC priorities": "2",
         "Action": "Map serious violence hotspots from police and emergency department data.",
         "Lead agency": "Aneurin Bevan University Health Board", "Supporting agencies": "Police",
         "Timing": "By September 2024", "Legal duties": "serious-violence-duty"},
        {"Key": "a4", "Number": "3.1", "Priorities": "3", "PFCC priorities": "3",
         "Action": "Offer every young person leaving custody a mentor within five days of release.",
         "Lead agency": "Newport Youth Justice Service", "Supporting agencies": "Newport City Council",
         "Timing": "Throughout 2024/25", "Funding": "£30,000"},
    ],
    "Notes": note(),
}

# c. A county-wide strategy of a two-tier county: focus areas, cross-cutting approaches, a few actions.
NORFOLK = {
    "Plan": [{"Key": "norfolk-2024-27", "Title": "Norfolk County Community Safety Partnership Strategy 2024-2027",
              "Partnership": "Norfolk County Community Safety Partnership", "Kind": "strategy",
              "Period": "April 2024 to March 2027", "Police and Crime Plan": "Norfolk Police, Crime and Community Safety Plan 2022-2024"}],
    "Partnership": [{"Name": "Norfolk County Community Safety Partnership", "Alternative names": "NCCSP",
                     "Police area": "Norfolk", "Police force": "Norfolk Constabulary",
                     "Fire and rescue service": "Norfolk Fire and Rescue Service", "County council": "Norfolk County Council",
                     "Police and Crime Commissioner": "Norfolk Police and Crime Commissioner"}],
    "Organisations": [
        {"Name": "Norfolk Police and Crime Commissioner", "Kind": "police and crime commissioner", "Alternative names": "OPCCN"},
        {"Name": "Norwich City Council", "Kind": "district council"},
        {"Name": "Norfolk and Waveney Integrated Care Board", "Kind": "integrated care board"},
        {"Name": "Norfolk Youth Justice Service", "Kind": "team", "Belongs to": "Norfolk County Council"},
    ],
    "Police and Crime Plan": [
        {"Plan": "Norfolk Police, Crime and Community Safety Plan 2022-2024", "Period": "2022-2024", "Number": "1", "Priority": "Sustain Norfolk Constabulary"},
        {"Plan": "Norfolk Police, Crime and Community Safety Plan 2022-2024", "Period": "2022-2024", "Number": "2", "Priority": "Visible and trusted policing"},
        {"Plan": "Norfolk Police, Crime and Community Safety Plan 2022-2024", "Period": "2022-2024", "Number": "3", "Priority": "Tackling crime"},
    ],
    "Priorities": [
        {"Key": "1", "Number": "1", "Title": "Serious violence", "Legal duties": "serious-violence-duty"},
        {"Key": "1-1", "Number": "1.1", "Title": "County lines and criminal exploitation", "Part of priority": "1"},
        {"Key": "2", "Number": "2", "Title": "Domestic abuse and sexual violence"},
        {"Key": "2-1", "Number": "2.1", "Title": "Domestic abuse in rural communities", "Part of priority": "2"},
        {"Key": "3", "Number": "3", "Title": "Neighbourhood crime"},
    ],
    "Approaches": [
        {"Key": "prevent", "Number": "A", "Title": "Early intervention and prevention"},
        {"Key": "victims", "Number": "B", "Title": "Supporting victims"},
        {"Key": "offenders", "Number": "C", "Title": "Managing offenders"},
    ],
    "Actions": [
        {"Key": "a1", "Number": "1", "Priorities": "1-1", "PFCC priorities": "3", "Approaches": "prevent",
         "Action": "Train school and college staff across the county to spot signs of criminal exploitation.",
         "Lead agency": "County Council", "Supporting agencies": "Police; Norfolk Youth Justice Service", "Timing": "2024/25"},
        {"Key": "a2", "Number": "2", "Priorities": "2-1", "PFCC priorities": "2", "Approaches": "victims",
         "Action": "Extend the independent domestic violence adviser service to market towns.",
         "Lead agency": "Norfolk Police and Crime Commissioner", "Supporting agencies": "Norfolk and Waveney Integrated Care Board",
         "Timing": "From April 2025", "Funding": "£85,000"},
        {"Key": "a3", "Number": "3", "Priorities": "3", "PFCC priorities": "3", "Approaches": "offenders; prevent",
         "Action": "Target the most prolific neighbourhood offenders through integrated offender management.",
         "Lead agency": "Police", "Supporting agencies": "Norwich City Council", "Timing": "Quarterly review"},
    ],
    "Notes": note(),
}

# d. A duty strategy with money for the plan as a whole: a grant with match funding and an allocation.
KENT = {
    "Plan": [{"Key": "kent-sv-2024-27", "Title": "Kent Serious Violence Duty Strategy 2024-2027",
              "Partnership": "Kent Community Safety Partnership", "Kind": "duty strategy", "Period": "2024/25 to 2026/27",
              "Duties fulfilled": "serious-violence-duty", "Strategies cited": "Kent and Medway Violence Reduction Strategy"}],
    "Partnership": [{"Name": "Kent Community Safety Partnership", "Alternative names": "Kent CSP",
                     "Police area": "Kent", "Police force": "Kent Police", "Fire and rescue service": "Kent Fire and Rescue Service",
                     "County council": "Kent County Council", "Police and Crime Commissioner": "Kent Police and Crime Commissioner"}],
    "Organisations": [
        {"Name": "Kent Police and Crime Commissioner", "Kind": "police and crime commissioner"},
        {"Name": "Kent and Medway Violence Reduction Unit", "Kind": "partnership", "Alternative names": "VRU"},
    ],
    "Funding streams": [{"Name": "Serious Violence Duty Grant", "Funder": "Home Office"}],
    "Strategies": [{"Name": "Kent and Medway Violence Reduction Strategy", "Publisher": "Kent and Medway Violence Reduction Unit",
                    "Period": "2023-2026"}],
    "Priorities": [
        {"Key": "1", "Number": "1", "Title": "Understanding serious violence in Kent", "Legal duties": "serious-violence-duty", "Outcomes": "o1"},
        {"Key": "2", "Number": "2", "Title": "Preventing violence through early intervention", "Legal duties": "serious-violence-duty", "Outcomes": "o2"},
        {"Key": "2-1", "Number": "2a", "Title": "Young people excluded from school", "Part of priority": "2"},
        {"Key": "3", "Number": "3", "Title": "Enforcement against those who carry weapons", "Legal duties": "serious-violence-duty"},
    ],
    "Outcomes": [
        {"Key": "o1", "Outcome": "A shared strategic needs assessment refreshed every year"},
        {"Key": "o2", "Outcome": "Fewer hospital admissions for assault with a sharp object among under-25s"},
    ],
    "Plan funding": [
        {"Key": "alloc-2024-25", "Type": "allocation", "As written": "The Serious Violence Duty allocation for 2024/25 totals £210,000",
         "Amount (£)": "210000", "Allocated to": "Kent Community Safety Partnership", "Period": "2024/25",
         "Funder": "Home Office", "Funding stream": "Serious Violence Duty Grant", "Purpose as stated": "Delivery of the strategy"},
        {"Key": "g-mentors", "Type": "grant", "As written": "£45,000 for the Street Mentors project, matched by £15,000 from Kent County Council",
         "Amount (£)": "45000", "Period": "2024/25", "Funder": "Home Office", "Funding stream": "Serious Violence Duty Grant",
         "Project": "Street Mentors", "Match funding (£)": "15000", "Match funder": "Kent County Council"},
        {"Key": "g-hospital", "Type": "grant", "As written": "£30,000 for hospital youth workers, matched by £10,000 from the PCC",
         "Amount (£)": "30000", "Period": "2024/25", "Funder": "Home Office", "Project": "Hospital youth workers",
         "Match funding (£)": "10000", "Match funder": "PCC"},
    ],
    "Notes": note(),
}

PLANS = {rows["Plan"][0]["Key"]: rows for rows in (LAMBETH, NEWPORT, NORFOLK, KENT)}


def fixture(key: str) -> Path:
    return FIXTURES / f"{key}.xlsx"


def write_all(folder: Path = FIXTURES) -> list[Path]:
    return [write(folder / f"{key}.xlsx", rows) for key, rows in PLANS.items()]


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES):
        print(path)
