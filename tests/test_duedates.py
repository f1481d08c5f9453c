"""Due dates parsed from the timing a plan states: the rules, over generated and real timing text."""

from __future__ import annotations

import calendar
from datetime import date

import pyoxigraph as ox
import pytest
from hypothesis import given, settings, strategies as st

from cspkg.pipeline import parsed
from cspkg.plans.duedates import parse, quarter_end
from cspkg.sources import DEFAULT_DATA, Source, parse as parse_file

PLAN_2023 = date(2023, 4, 1)  # a plan for 2023/24


@pytest.mark.parametrize("text, due", [
    ("by June 23", date(2023, 6, 30)),  # two digits after a month are a year
    ("Dec 18", date(2018, 12, 31)),
    ("Q3", date(2023, 12, 31)),  # the plan's financial Q3: October to December
    ("Q4", date(2024, 3, 31)),
    ("Q1 2024/25", date(2024, 6, 30)),
    ("2023-24", date(2024, 3, 31)),
    ("23-24", date(2024, 3, 31)),
    ("March 2024", date(2024, 3, 31)),
    ("31/03/2024", date(2024, 3, 31)),
    ("by 31st January 2024", date(2024, 1, 31)),
    ("in May", date(2023, 5, 31)),  # the May inside the plan's period
    ("in February", date(2024, 2, 29)),
    ("by the end of 2025", date(2025, 12, 31)),
    ("ongoing", None), ("Throughout the year", None), ("throughout", None),
    ("31/02/2024", None), ("2023-25", None), ("soon", None), ("", None),
])
def test_the_rules(text, due):
    assert parse(text, PLAN_2023) == due


def test_a_quarter_or_a_bare_month_needs_the_plans_period():
    assert parse("Q3") is None and parse("in May") is None
    assert parse("Q3", date(2017, 4, 1)) == date(2017, 12, 31)


months = st.integers(1, 12)
years = st.integers(2000, 2099)


@settings(max_examples=300, deadline=None)
@given(month=months, year=years, short=st.booleans(), abbreviated=st.booleans(), lead=st.sampled_from(["", "by ", "By end of ", "in "]))
def test_a_month_and_year_is_due_on_the_months_last_day(month, year, short, abbreviated, lead):
    name = (calendar.month_abbr if abbreviated else calendar.month_name)[month]
    text = f"{lead}{name} {year % 100:02d}" if short else f"{lead}{name} {year}"
    assert parse(text) == date(year, month, calendar.monthrange(year, month)[1])


@settings(max_examples=300, deadline=None)
@given(day=st.dates(date(2000, 1, 1), date(2099, 12, 31)), style=st.sampled_from(["iso", "slash", "words"]))
def test_a_written_day_is_that_day(day, style):
    text = {"iso": day.isoformat(), "slash": day.strftime("%d/%m/%Y"),
            "words": f"{day.day} {calendar.month_name[day.month]} {day.year}"}[style]
    assert parse(text) == day


@settings(max_examples=200, deadline=None)
@given(fy=st.integers(2000, 2098), q=st.integers(1, 4), start_month=months, sep=st.sampled_from(["-", "/"]))
def test_quarters_and_financial_years(fy, q, start_month, sep):
    assert parse(f"{fy}{sep}{(fy + 1) % 100:02d}") == date(fy + 1, 3, 31)
    assert parse(f"Q{q} {fy}{sep}{(fy + 1) % 100:02d}") == quarter_end(fy, q)
    # a bare quarter is of the plan's first financial year, whichever month the plan starts in
    start = date(fy, start_month, 1)
    first_fy = fy if start_month >= 4 else fy - 1
    assert parse(f"Q{q}", start) == quarter_end(first_fy, q)
    assert quarter_end(fy, q) > date(first_fy, 3, 31)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_none_and_never_fails(text):
    due = parse(text, PLAN_2023)
    assert due is None or isinstance(due, date)


def seed_timings() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((DEFAULT_DATA / "plans").glob("*.ttl")):
        for t in parse_file(Source(path, "plan")):
            if t.predicate.value.endswith("/def/timingAsStated"):
                found.append((path.stem, t.subject.value, t.object.value))
    return found


def test_the_seed_plans_timings():
    """Every timing the five seed plans state is read (29 of 29: Colchester's "Mar 19", Thurrock's
    "in May", "23-24", ...); the list of those that are not is empty, and says which if one appears."""
    timings = seed_timings()
    starts = {key: parsed.plan_start(key, parse_file(Source(DEFAULT_DATA / "plans" / f"{key}.ttl", "plan")))
              for key in {k for k, _, _ in timings}}
    unread = [(key, text) for key, _, text in timings if parse(text, starts[key]) is None]
    assert len(timings) == 29
    assert unread == []


def test_the_parsed_graph_is_apart_and_attributed():
    key = "thurrock-2023-24"
    triples = set(parse_file(Source(DEFAULT_DATA / "plans" / f"{key}.ttl", "plan")))
    graph = parsed.graph(key, triples, today=date(2026, 12, 2))
    due = {t.subject.value.rsplit("/", 1)[1]: t.object.value for t in graph if t.predicate.value.endswith("/def/dueDate")}
    assert due["pop-1"] == "2023-06-30"
    g = ox.NamedNode("https://w3id.org/cspkg/graph/parsed/" + key)
    about = {(t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], t.object.value) for t in graph if t.subject == g}
    assert ("wasAttributedTo", "https://w3id.org/cspkg/id/agency/cspkg-due-date-parser") in about
    assert ("created", "2026-12-02") in about and ("type", "https://w3id.org/cspkg/def/ParsedAssertion") in about
    # nothing the plan already says is restated
    assert not graph & triples
