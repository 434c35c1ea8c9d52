"""An indicator's period runs from midnight to midnight where the administration is (issue 14,
item 9: the window was cut at Rome's midnight whatever the administration's time zone)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

from insieme.cases.indicators import window
from insieme.cases.models import Case
from insieme.core.registry import Scope, indicators
from tests.cases.conftest import filed_case  # noqa: F401  (fixture)
from tests.catalog.conftest import cat  # noqa: F401  (fixture)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DAY = dt.date(2026, 3, 10)  # New York on summer time, Rome not yet: 5 hours apart


def test_the_scope_takes_the_administrations_zone(montalto):
    montalto.timezone = "America/New_York"
    montalto.save(update_fields=["timezone"])
    scope = Scope.of(montalto)
    assert scope.time_zone == "America/New_York"
    start, end = window(dataclasses.replace(scope, today=DAY), 30)
    assert end == dt.datetime(2026, 3, 11, tzinfo=NEW_YORK)
    assert start == dt.datetime(2026, 2, 9, tzinfo=NEW_YORK)


def test_a_case_filed_late_in_the_evening_counts_on_its_local_day(filed_case):  # noqa: F811
    # 21:00 in New York on the scope's day is 02:00 of the next day in Rome.
    Case.objects.filter(pk=filed_case.pk).update(
        submitted_at=dt.datetime.combine(DAY, dt.time(21), tzinfo=NEW_YORK)
    )
    ids = (filed_case.administration_id,)
    new_york = Scope(administration_ids=ids, today=DAY, time_zone="America/New_York")
    rome = dataclasses.replace(new_york, time_zone="Europe/Rome")
    d1 = indicators.get("cases-d1-interactions")
    assert d1.compute(new_york).value == 1
    assert not d1.compute(rome).value
