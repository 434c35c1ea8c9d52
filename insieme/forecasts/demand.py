"""Weekly demand: the cases submitted to each service of an administration, counted by the
administration's local weeks (Monday 00:00 to Monday 00:00 where it is, whatever the clocks do
in between).

The database counts cases by local day (TruncDate in the administration's time zone, so a case
at 23:30 on a Sunday evening stays in that week also across a change of clocks); Python adds the
days into weeks. A service's series begins with the first Monday on or after its first case (the
week of the first case may be only partly covered) and ends with the last complete week.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncDate

from insieme.cases.models import Case
from insieme.core.models import Administration

MAX_WEEKS = 156  # three years of history at most


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last week that ended before `today`."""
    return monday(today) - dt.timedelta(days=7)


def weekly_counts(
    administration: Administration, last_week: dt.date
) -> dict[int, tuple[dt.date, list[int]]]:
    """{service id: (Monday of its first week, counts of its weeks up to `last_week`)}."""
    zone = zoneinfo.ZoneInfo(administration.timezone)
    first = last_week - dt.timedelta(weeks=MAX_WEEKS - 1)
    end = last_week + dt.timedelta(days=7)
    rows = (
        Case.objects.filter(
            administration=administration,
            submitted_at__gte=dt.datetime.combine(first, dt.time(), tzinfo=zone),
            submitted_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=zone),
        )
        .annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .values("service_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_day: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        by_day[row["service_id"]][row["day"]] = row["n"]
    series = {}
    for service_id, days in by_day.items():
        first_day = min(days)
        start = first_day if first_day.weekday() == 0 else monday(first_day) + dt.timedelta(7)
        weeks = (last_week - start).days // 7 + 1
        if weeks <= 0:
            continue
        counts = [0] * weeks
        for day, n in days.items():
            index = (monday(day) - start).days // 7
            if index >= 0:
                counts[index] += n
        series[service_id] = (start, counts)
    return series
