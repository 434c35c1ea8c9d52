"""Service level deadlines (insieme.catalog.sla), tested by property."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.catalog.models import DayType, ServiceTemplate
from insieme.catalog.sla import (
    MAX_SEARCH_DAYS,
    describe_day_type,
    describe_sla,
    due_date,
    holidays_of,
    is_working_day,
)

ROME = zoneinfo.ZoneInfo("Europe/Rome")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

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


@settings(max_examples=200, deadline=None)
@given(start=starts, holidays=holiday_sets)
def test_zero_working_days_is_the_first_working_day_from_the_start(start, holidays):
    """Checked day by day: a start on a working day stays; any other rolls to the next one."""
    local = start.astimezone(ROME)
    expected = local.date()
    while not is_working_day(expected, holidays):
        expected += timedelta(days=1)
    due = due_date(start, 0, DayType.WORKING, holidays, ROME)
    assert due.date() == expected
    assert due.time() == local.time().replace(tzinfo=None)  # the start's wall-clock time


WEEK = [date(2024, 6, 3) + timedelta(days=n) for n in range(7)]  # Monday 3 to Sunday 9 June


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (WEEK[0], 0, WEEK[0]),  # Monday stays
        (WEEK[0], 1, WEEK[1]),
        (WEEK[0], 2, WEEK[2]),
        (WEEK[2], 2, WEEK[4]),  # Wednesday + 2: Friday
        (WEEK[3], 2, date(2024, 6, 10)),  # Thursday + 2: Friday, then (over the weekend) Monday
        (WEEK[4], 1, date(2024, 6, 10)),  # Friday + 1: Monday
        (WEEK[5], 0, date(2024, 6, 10)),  # Saturday rolls to Monday
        (WEEK[6], 0, date(2024, 6, 10)),  # Sunday too
        (WEEK[6], 1, date(2024, 6, 10)),
        (WEEK[6], 2, date(2024, 6, 11)),
        (WEEK[4], 5, date(2024, 6, 14)),  # a working week
    ],
)
def test_working_days_from_every_day_of_the_week(start, days, expected):
    moment = datetime.combine(start, datetime.min.time(), ROME).replace(hour=15)
    due = due_date(moment, days, DayType.WORKING, set(), ROME)
    assert (due.date(), due.hour) == (expected, 15)


def test_is_working_day():
    assert [is_working_day(d, frozenset()) for d in WEEK] == [True] * 5 + [False] * 2
    assert not is_working_day(WEEK[1], {WEEK[1]})


def test_a_calendar_of_holidays_has_an_end():
    """A long closure is skipped; a calendar with no working day at all is an error."""
    start = datetime(2024, 1, 1, 9, tzinfo=ROME)  # a Monday
    closed = {date(2024, 1, 2) + timedelta(days=n) for n in range(3000)}
    reopening = date(2024, 1, 2) + timedelta(days=3000)
    while not is_working_day(reopening, closed):
        reopening += timedelta(days=1)
    assert due_date(start, 1, DayType.WORKING, closed, ROME).date() == reopening
    sunday = datetime(2024, 1, 7, 9, tzinfo=ROME)
    assert due_date(sunday, 0, DayType.WORKING, closed, ROME).date() == reopening
    never = {date(2024, 1, 1) + timedelta(days=n) for n in range(4000)}
    with pytest.raises(ValueError, match=NO_WORKING_DAY):
        due_date(sunday, 0, DayType.WORKING, never, ROME)


NO_WORKING_DAY = r"^no working day found: check the holiday calendar$"


def closed_until(reopening: date) -> tuple[date, set[date]]:
    """(a start date, holidays from it up to the day before `reopening`)."""
    start = reopening - timedelta(days=MAX_SEARCH_DAYS)
    return start, {start + timedelta(days=n) for n in range(MAX_SEARCH_DAYS)}


def test_the_search_for_a_working_day_stops_exactly_at_its_limit():
    """MAX_SEARCH_DAYS days are looked at, no more and no fewer."""
    reopening = date(2034, 3, 6)  # a Monday
    assert is_working_day(reopening, set())
    # days=0 looks at the start and the MAX_SEARCH_DAYS - 1 days after it.
    start, closed = closed_until(reopening)
    at_start = datetime.combine(start + timedelta(days=1), datetime.min.time(), ROME)
    assert due_date(at_start, 0, DayType.WORKING, closed, ROME).date() == reopening
    with pytest.raises(ValueError, match=NO_WORKING_DAY):
        due_date(at_start - timedelta(days=1), 0, DayType.WORKING, closed, ROME)
    # days=1 steps over at most 1 + MAX_SEARCH_DAYS days.
    after = datetime.combine(start - timedelta(days=1), datetime.min.time(), ROME)
    assert due_date(after, 1, DayType.WORKING, closed, ROME).date() == reopening
    with pytest.raises(ValueError, match=NO_WORKING_DAY):
        due_date(after - timedelta(days=1), 1, DayType.WORKING, closed | {after.date()}, ROME)


class NoOffset(tzinfo):
    """A time zone that does not know its offset: a datetime in it is naive."""

    def utcoffset(self, dt):
        return None

    def dst(self, dt):
        return None


def test_results_are_in_the_administrations_zone():
    """Another zone than the server's (the tests run with Europe/Rome as local time)."""
    start = datetime(2024, 6, 7, 23, 30, tzinfo=UTC)  # Friday 19:30 in New York
    calendar = due_date(start, 1, DayType.CALENDAR, set(), NEW_YORK)
    assert calendar.utcoffset() == timedelta(hours=-4)
    assert calendar == start + timedelta(days=1)
    working = due_date(start, 1, DayType.WORKING, set(), NEW_YORK)  # Monday, 19:30 there
    assert (working.date(), working.hour, working.minute) == (date(2024, 6, 10), 19, 30)
    assert working.utcoffset() == timedelta(hours=-4)


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
    naive = r"^start must be an aware datetime$"
    with pytest.raises(ValueError, match=naive):
        due_date(datetime(2024, 1, 1), 1, DayType.WORKING, set(), ROME)
    with pytest.raises(ValueError, match=naive):
        due_date(datetime(2024, 1, 1, tzinfo=NoOffset()), 1, DayType.WORKING, set(), ROME)
    with pytest.raises(ValueError, match=r"^days must be zero or more$"):
        due_date(aware, -1, DayType.WORKING, set(), ROME)
    with pytest.raises(ValueError, match=r"^unknown day type 'lunar'$"):
        due_date(aware, 1, "lunar", set(), ROME)
    every_day = {date(2024, 1, 1) + timedelta(days=n) for n in range(4000)}
    with pytest.raises(ValueError, match=NO_WORKING_DAY):
        due_date(aware, 1, DayType.WORKING, every_day, ROME)


@pytest.mark.django_db
def test_holidays_of_an_administration(montalto, lagoverde):
    montalto.holidays.create(date=date(2026, 12, 8), name="Immacolata")
    montalto.holidays.create(date=date(2026, 12, 25), name="Natale")
    lagoverde.holidays.create(date=date(2026, 8, 15), name="Ferragosto")
    assert holidays_of(montalto) == frozenset({date(2026, 12, 8), date(2026, 12, 25)})


def test_describe_sla_in_words():
    template = ServiceTemplate(
        sla_acknowledge_days=1, sla_resolve_days=10, sla_day_type=DayType.CALENDAR
    )
    assert describe_sla(template) == (
        "We acknowledge your request within 1 calendar day and "
        "aim to resolve it within 10 calendar days."
    )
    template.sla_day_type = DayType.WORKING
    template.sla_resolve_days = 1
    assert describe_sla(template) == (
        "We acknowledge your request within 1 working day and "
        "aim to resolve it within 1 working day."
    )
    template.sla_acknowledge_days = 2
    assert "within 2 working days" in describe_sla(template)
    assert describe_day_type(DayType.WORKING) == (
        "Working days exclude Saturdays, Sundays and public holidays."
    )
    assert describe_day_type(DayType.CALENDAR) == "Calendar days include weekends and holidays."
