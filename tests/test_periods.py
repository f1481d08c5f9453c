"""A plan's period as people write it, read into start and end dates; what cannot be read one way is refused with how to fix it."""

from __future__ import annotations

import datetime as dt

import pytest

from cspkg.plans.workbook import periods

D = dt.date
FY22 = (D(2022, 4, 1), D(2023, 3, 31))
FY23 = (D(2023, 4, 1), D(2024, 3, 31))

READ = {
    "2022/23": FY22,
    "2022-23": FY22,
    "2022 - 2023": FY22,
    "2022/2023": FY22,
    "2022 to 2023": FY22,
    "2022–23": FY22,  # en dash, as word processors write it
    "22/23": FY22,
    "2023/4": FY23,
    "FY 2023/24": FY23,
    "FY23/24": FY23,
    "fy2023-24": FY23,
    "Financial year 2023/24": FY23,
    "2023-24 financial year": FY23,
    "1 April 2023 to 31 March 2024": FY23,
    "1st April 2023 – 31st March 2024": FY23,
    "01/04/2023 - 31/03/2024": FY23,
    "2023-04-01 to 2024-03-31": FY23,
    "April 1, 2023 to March 31, 2024": FY23,
    "April 2023 to March 2024": FY23,
    "April 2023 to March": FY23,
    "April to March 2024": FY23,
    "1 April to 31 March 2024": FY23,
    "24/25": (D(2024, 4, 1), D(2025, 3, 31)),
    "2021-2024": (D(2021, 4, 1), D(2024, 3, 31)),
    "2021-24": (D(2021, 4, 1), D(2024, 3, 31)),
    "April 2025 to March 2028": (D(2025, 4, 1), D(2028, 3, 31)),
    "Apr 2025 - Mar 2028": (D(2025, 4, 1), D(2028, 3, 31)),
    "APR 2025 – MAR 2028": (D(2025, 4, 1), D(2028, 3, 31)),
    "Sept 2023 until Aug 2024": (D(2023, 9, 1), D(2024, 8, 31)),
    "February 2024 to February 2025": (D(2024, 2, 1), D(2025, 2, 28)),
    "2023/24 to 2025/26": (D(2023, 4, 1), D(2026, 3, 31)),
    "2023-24 - 2025-26": (D(2023, 4, 1), D(2026, 3, 31)),
    "Calendar year 2023": (D(2023, 1, 1), D(2023, 12, 31)),
    "calendar years 2022-2024": (D(2022, 1, 1), D(2024, 12, 31)),
    "January to December 2023": (D(2023, 1, 1), D(2023, 12, 31)),
    "  2022/23  ": FY22,
}

REFUSED = {
    "": "no period is given",
    "2023": "calendar year or the financial year 2023/24",
    "Year two": "not a span of years",
    "2024/23": "is not after its first",
    "2022-2040": "longer than 10 years",
    "31 April 2023 to 1 May 2024": "does not exist",
    "April to March": "neither end of the period gives a year",
    "March 2024 to April 2023": "before it starts",
    "1990/91": "1990 is not a year",
    "13/04/2023 - 12/13/2024": "13 is not a month",
    "FY calendar year 2023": "both financial and calendar",
    "ongoing": "not a span",
    "2023/24/25": "not a span",
}


@pytest.mark.parametrize("text", sorted(READ))
def test_period_wordings_read_to_dates(text):
    period = periods.parse(text)
    assert (period.start, period.end) == READ[text]
    assert f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}" in period.reading


@pytest.mark.parametrize("text", sorted(REFUSED))
def test_unreadable_periods_say_why_and_how_to_fix(text):
    with pytest.raises(ValueError) as err:
        periods.parse(text)
    assert REFUSED[text] in str(err.value)
    assert "write the period as 2024/25 or April 2024 to March 2027" in str(err.value)


def test_the_reading_says_a_bare_year_span_is_a_financial_year():
    assert "UK financial years (1 April to 31 March)" in periods.parse("2022/23").reading
    assert "calendar years" in periods.parse("calendar years 2022-2024").reading
    assert periods.parse("1 April 2023 to 31 March 2024").reading.startswith("the dates as written")
    note = periods.parse("24/25").note("24/25")
    assert note.startswith('Start and end dates derived from the period as stated, "24/25": ')


def test_every_seed_plan_period_reads_to_its_stated_dates():
    """The five seed plans state their period and dates by hand: the parser agrees with every one."""
    import pyoxigraph as ox

    from cspkg.sources import REPO

    csp = "https://w3id.org/cspkg/def/"
    for path in sorted((REPO / "data" / "plans").glob("*.ttl")):
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        (row,) = store.query(f"SELECT ?p ?s ?e WHERE {{ ?plan <{csp}periodAsStated> ?p ; <{csp}startDate> ?s ; <{csp}endDate> ?e }}")
        period = periods.parse(row["p"].value)
        assert (period.start.isoformat(), period.end.isoformat()) == (row["s"].value, row["e"].value), path.name
