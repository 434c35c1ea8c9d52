"""Service level deadlines: calendar or working days, with an administration's holidays.

`due_date` is the one place that turns "N days" into a moment; cases, dashboards and the public
catalogue all call it (or `describe_sla` for the words), so a deadline means the same everywhere.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insieme.catalog.models import DayType, ServiceFields
from insieme.core.models import Administration

SATURDAY = 5
# Far more than any real SLA needs; stops the search when a calendar is all holidays.
MAX_SEARCH_DAYS = 3660


def is_working_day(day: date, holidays: set[date] | frozenset[date]) -> bool:
    """Monday to Friday and not one of `holidays`."""
    return day.weekday() < SATURDAY and day not in holidays


def _next_working_day(day: date, holidays: set[date] | frozenset[date], limit: int) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    for _step in range(limit):
        if is_working_day(day, holidays):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day found: check the holiday calendar")


def _add_working_days(day: date, days: int, holidays: set[date] | frozenset[date]) -> date:
    """The `days`-th working day after `day` (for 0: `day` rolled forward to a working day)."""
    if days == 0:
        return _next_working_day(day, holidays, MAX_SEARCH_DAYS)
    counted, steps = 0, 0
    while counted < days:
        day += timedelta(days=1)
        steps += 1
        if steps > days + MAX_SEARCH_DAYS:
            raise ValueError("no working day found: check the holiday calendar")
        if is_working_day(day, holidays):
            counted += 1
    return day


def due_date(
    start: datetime,
    days: int,
    day_type: str,
    holidays: set[date] | frozenset[date],
    tz: tzinfo | str,
) -> datetime:
    """The moment a deadline of `days` days from `start` falls due, as an aware datetime in `tz`.

    Calendar days: exactly `start + days` (elapsed time). Working days: the `days`-th working day
    after the start's local date in `tz`, at the start's local time of day; weekends and
    `holidays` (local dates) are skipped, and with `days == 0` a start on a non-working day rolls
    forward to the next working day. Monotonic in `days`.

    Preconditions: `start` is aware; `days >= 0`. Raises ValueError otherwise.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")
    if days < 0:
        raise ValueError("days must be zero or more")
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    if day_type == DayType.CALENDAR:
        # Elapsed time: added in UTC, so the result does not depend on the zone `start` carries.
        return (start.astimezone(UTC) + timedelta(days=days)).astimezone(zone)
    if day_type != DayType.WORKING:
        raise ValueError(f"unknown day type {day_type!r}")
    local = start.astimezone(zone)
    target = _add_working_days(local.date(), days, holidays)
    # Wall-clock time on the target day; the zone gives the offset valid on that day.
    naive = datetime.combine(target, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=zone)


def holidays_of(admin: Administration) -> frozenset[date]:
    """The administration's holiday dates (one query)."""
    return frozenset(admin.holidays.values_list("date", flat=True))


def _days_in_words(days: int, day_type: str) -> str:
    if day_type == DayType.WORKING:
        return ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", days) % {"n": days}


def describe_sla(service: ServiceFields) -> str:
    """The promise in one sentence a citizen can read, e.g. for the public catalogue."""
    return _("We acknowledge your request within %(ack)s and aim to resolve it within %(res)s.") % {
        "ack": _days_in_words(service.sla_acknowledge_days, service.sla_day_type),
        "res": _days_in_words(service.sla_resolve_days, service.sla_day_type),
    }


def describe_day_type(day_type: str) -> str:
    """What the day count skips, in words."""
    if day_type == DayType.WORKING:
        return _("Working days exclude Saturdays, Sundays and public holidays.")
    return _("Calendar days include weekends and holidays.")
