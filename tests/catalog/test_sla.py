"""Service level deadlines (insieme.catalog.sla), tested by property."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.catalog.models import DayType, ServiceTemplate
from insieme.catalog.sla import describe_sla, due_date, is_working_day

ROME = zoneinfo.ZoneInfo("Europe/Rome")

# Real instants shown in a zone (drawn in UTC, then converted): a wall-clock time that a DST
# change skips never reaches due_date from an actual clock.
starts = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
    ),
    st.sampled_from([ROME, UTC, zoneinfo.ZoneInfo("America/New_York")]),
)
day_counts = st.integers(min_value=0, max_value=400)
holiday_sets = st.sets(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2062, 12, 31)), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=day_counts, holidays=holiday_sets)
def test_working_days_never_end_on_a_weekend_or_holiday(start, days, holidays):
    due = due_date(start, days, DayType.WORKING, holidays, ROME)
    local = due.astimezone(ROME)
    assert local.weekday() < 5
    assert local.date() not in holidays
    assert due.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    days=st.integers(min_value=0, max_value=200),
    holidays=holiday_sets,
    day_type=st.sampled_from(list(DayType)),
)
def test_deadlines_are_monotonic_in_days(start, days, holidays, day_type):
    assert due_date(start, days, day_type, holidays, ROME) <= due_date(
        start, days + 1, day_type, holidays, ROME
    )


@settings(max_examples=200, deadline=None)
@given(start=starts, days=st.integers(min_value=1, max_value=200), holidays=holiday_sets)
def test_working_days_strictly_increase_and_count_exactly(start, days, holidays):
    due = due_date(start, days, DayType.WORKING, holidays, ROME)
    assert due < due_date(start, days + 1, DayType.WORKING, holidays, ROME)
    first, last = start.astimezone(ROME).date(), due.astimezone(ROME).date()
    counted = sum(
        1
        for n in range(1, (last - first).days + 1)
        if is_working_day(first + timedelta(days=n), holidays)
    )
    assert counted == days


@settings(max_examples=200, deadline=None)
@given(start=starts, days=day_counts, holidays=holiday_sets)
def test_calendar_days_are_start_plus_days(start, days, holidays):
    # Elapsed time, compared as instants: an ambiguous local hour (the night DST ends) never
    # compares equal across zones, whatever instant it stands for.
    due = due_date(start, days, DayType.CALENDAR, holidays, ROME)
    assert due.timestamp() == (start.astimezone(UTC) + timedelta(days=days)).timestamp()


def test_examples():
    friday = datetime(2024, 12, 20, 10, 30, tzinfo=ROME)
    christmas = {date(2024, 12, 25), date(2024, 12, 26)}
    due = due_date(friday, 3, DayType.WORKING, christmas, ROME)
    assert due == datetime(2024, 12, 27, 10, 30, tzinfo=ROME)  # Mon, Tue, (Wed, Thu off), Fri
    saturday = datetime(2024, 6, 1, 9, 0, tzinfo=ROME)
    assert due_date(saturday, 0, DayType.WORKING, set(), "Europe/Rome").date() == date(2024, 6, 3)
    assert due_date(saturday, 1, DayType.WORKING, set(), ROME).date() == date(2024, 6, 3)
    assert due_date(saturday, 2, DayType.CALENDAR, set(), ROME).date() == date(2024, 6, 3)


def test_bad_arguments_are_refused():
    aware = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        due_date(datetime(2024, 1, 1), 1, DayType.WORKING, set(), ROME)
    with pytest.raises(ValueError):
        due_date(aware, -1, DayType.WORKING, set(), ROME)
    with pytest.raises(ValueError):
        due_date(aware, 1, "lunar", set(), ROME)
    every_day = {date(2024, 1, 1) + timedelta(days=n) for n in range(4000)}
    with pytest.raises(ValueError):
        due_date(aware, 1, DayType.WORKING, every_day, ROME)


def test_describe_sla_in_words():
    template = ServiceTemplate(
        sla_acknowledge_days=1, sla_resolve_days=10, sla_day_type=DayType.CALENDAR
    )
    assert describe_sla(template) == (
        "We acknowledge your request within 1 calendar day and "
        "aim to resolve it within 10 calendar days."
    )
