"""Weekly demand is counted by the administration's local weeks, Monday 00:00 to Monday 00:00
where it is, across the nights the clocks change."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from insieme.forecasts import demand
from tests.forecasts.conftest import make_service, put_cases

UTC = dt.UTC


def test_last_complete_week():
    assert demand.last_complete_week(dt.date(2026, 3, 4)) == dt.date(2026, 2, 23)  # a Wednesday
    assert demand.last_complete_week(dt.date(2026, 3, 2)) == dt.date(2026, 2, 23)  # a Monday
    assert demand.last_complete_week(dt.date(2026, 3, 1)) == dt.date(2026, 2, 16)  # a Sunday


def test_weeks_are_local_across_the_spring_change_of_clocks(montalto):
    # Sunday 29 March 2026 the clocks go forward in Rome (02:00 -> 03:00).
    service = make_service(montalto)
    put_cases(
        service,
        [
            dt.datetime(2026, 3, 16, 9, tzinfo=UTC),  # a Monday: the series starts that week
            dt.datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # Sunday 23:30 CEST: week of 23 March
            dt.datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # Monday 00:30 CEST: week of 30 March
            dt.datetime(2026, 3, 22, 23, 30, tzinfo=UTC),  # Monday 00:30 CET: week of 23 March
        ],
    )
    start, counts = demand.weekly_counts(montalto, dt.date(2026, 3, 30))[service.pk]
    assert start == dt.date(2026, 3, 16)
    assert counts == [1, 2, 1]  # in UTC, three of them would fall on a Sunday


def test_weeks_are_local_across_the_autumn_change_of_clocks(montalto):
    # Sunday 25 October 2026 the clocks go back in Rome (03:00 -> 02:00).
    service = make_service(montalto)
    put_cases(
        service,
        [
            dt.datetime(2026, 10, 19, 8, tzinfo=UTC),  # Monday 19 October: the first week
            dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # Sunday 23:59 CET: week of 19 Oct
            dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # Monday 00:00 CET: week of 26 Oct
        ],
    )
    _start, counts = demand.weekly_counts(montalto, dt.date(2026, 10, 26))[service.pk]
    assert counts == [2, 1]


def test_another_time_zone_counts_its_own_weeks(montalto):
    montalto.timezone = "America/New_York"
    montalto.save(update_fields=["timezone"])
    service = make_service(montalto)
    zone = zoneinfo.ZoneInfo("America/New_York")
    put_cases(
        service,
        [
            dt.datetime(2026, 3, 2, 9, tzinfo=zone),  # Monday: the series starts
            # Sunday 8 March 2026, 22:00 in New York is Monday 03:00 UTC: still its Sunday.
            dt.datetime(2026, 3, 8, 22, tzinfo=zone),
        ],
    )
    _start, counts = demand.weekly_counts(montalto, dt.date(2026, 3, 9))[service.pk]
    assert counts == [2, 0]


def test_a_series_starts_on_the_first_whole_week(montalto):
    service = make_service(montalto)
    rome = zoneinfo.ZoneInfo("Europe/Rome")
    put_cases(
        service,
        [
            dt.datetime(2026, 2, 4, 12, tzinfo=rome),  # a Wednesday: its week is partly covered
            dt.datetime(2026, 2, 10, 12, tzinfo=rome),
            dt.datetime(2026, 2, 24, 12, tzinfo=rome),  # in the current week: not yet counted
        ],
    )
    start, counts = demand.weekly_counts(montalto, dt.date(2026, 2, 16))[service.pk]
    assert start == dt.date(2026, 2, 9)
    assert counts == [1, 0]
