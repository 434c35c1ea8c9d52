"""Demand over time: cases filed per week in the period, and the seasonality of all history
(average cases per month of the year)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.dashboards import rollups
from insieme.dashboards.common import by_week, change_sentence, week_of, week_starts
from insieme.dashboards.panels import Panel, PanelData


def _weekly_counts(filters) -> tuple[dict[dt.date, int], int]:
    """({Monday: cases filed that week in the period}, cases filed in the previous period):
    two queries, of the rollups or of the cases."""
    if filters.rolled:
        rows = rollups.days(filters)
        weeks = rollups.per_week(
            rollups.per_day(rows.filter(day__gte=filters.first_day, day__lte=filters.last_day))
        )
        first = filters.first_day - dt.timedelta(days=filters.days)
        return weeks, rollups.total(rows.filter(day__gte=first, day__lt=filters.first_day))
    cases = filters.cases()
    rows = by_week(
        cases.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
        .annotate(week=week_of("submitted_at", filters))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    before_start, before_end = filters.previous()
    before = cases.filter(submitted_at__gte=before_start, submitted_at__lt=before_end).count()
    return {w: r["n"] for w, r in rows.items()}, before


def weekly(filters) -> PanelData:
    """The period's cases by week, and the previous period's total."""
    rows, before = _weekly_counts(filters)
    weeks = week_starts(filters)
    counts = [rows.get(w, 0) for w in weeks]
    total = sum(counts)
    sentence = change_sentence(total, before, filters.days, _("Requests"))
    if total:
        busiest = max(range(len(weeks)), key=lambda i: (counts[i], -i))
        sentence += " " + _("The busiest week began on %(day)s (requests: %(n)s).") % {
            "day": date_format(weeks[busiest], "DATE_FORMAT"),
            "n": counts[busiest],
        }
    return PanelData(
        sentence=sentence,
        columns=[_("Week beginning"), _("Requests")],
        rows=[[w, n] for w, n in zip(weeks, counts, strict=True)],
        chart={
            "kind": "line",
            "categories": [date_format(w, "SHORT_DATE_FORMAT") for w in weeks],
            "series": [{"name": _("Requests"), "data": counts}],
            "unit": "",
        },
    )


def _months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def seasonality(filters) -> PanelData:
    """One query: all history's cases by month (the period ignored, the other filters kept).
    Each month of the year averages its occurrences from the first month with a case to the
    last month that has ended, months without cases counted as 0."""
    this_month = filters.scope.today.replace(day=1)
    if filters.rolled:
        rows: dict[dt.date, int] = {}
        for day, n in rollups.per_day(rollups.days(filters).filter(day__lt=this_month)).items():
            rows[day.replace(day=1)] = rows.get(day.replace(day=1), 0) + n
    else:
        rows = {
            r["month"].date().replace(day=1): r["n"]
            for r in filters.cases()
            .filter(
                submitted_at__lt=dt.datetime.combine(this_month, dt.time(), tzinfo=filters.zone)
            )
            .annotate(month=TruncMonth("submitted_at", tzinfo=filters.zone))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        }
    per_month: dict[int, list[int]] = {m: [] for m in range(1, 13)}
    if rows:
        last = this_month - dt.timedelta(days=1)
        for y, m in _months_between(min(rows), last):
            per_month[m].append(rows.get(dt.date(y, m, 1), 0))
    averages = [
        round(sum(per_month[m]) / len(per_month[m]), 1) if per_month[m] else None
        for m in range(1, 13)
    ]
    seen = [m for m in range(1, 13) if averages[m - 1] is not None]
    history = sum(len(v) for v in per_month.values())
    if not seen:
        sentence = _("No month has ended with requests yet: there is no seasonality to show.")
    else:
        high = max(seen, key=lambda m: (averages[m - 1], -m))
        low = min(seen, key=lambda m: (averages[m - 1], m))
        sentence = _(
            "Over %(h)s months of history, %(high)s is the busiest month on average "
            "(%(a)s requests) and %(low)s the quietest (%(b)s)."
        ) % {
            "h": history,
            "high": MONTHS[high],
            "a": averages[high - 1],
            "low": MONTHS[low],
            "b": averages[low - 1],
        }
        if history < 12:
            sentence += " " + _("Less than a year of history: some months have no figure yet.")
    return PanelData(
        sentence=sentence,
        columns=[_("Month"), _("Average requests"), _("Months counted")],
        rows=[[str(MONTHS[m]), averages[m - 1], len(per_month[m])] for m in range(1, 13)],
        chart={
            "kind": "bar",
            "categories": [str(MONTHS[m]) for m in range(1, 13)],
            "series": [{"name": _("Average requests"), "data": averages}],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="demand-weekly",
        order=10,
        title=gettext_lazy("Requests per week"),
        definition=gettext_lazy(
            "Cases filed in the period (any channel, any status, duplicates included), counted "
            "by the week of filing, Monday to Sunday in the administration's time zone; the first "
            "and last weeks may be partial. The change compares the period with the same number "
            "of days just before it."
        ),
        compute=weekly,
    ),
    Panel(
        key="demand-seasonality",
        order=20,
        title=gettext_lazy("Seasonality: average requests by month of the year"),
        definition=gettext_lazy(
            "Over all history, not only the period (the other filters apply): the cases filed in "
            "each calendar month, averaged over every occurrence of that month from the first "
            "month with a case to the last month that has ended (the current month is left out; "
            "months without cases count as 0)."
        ),
        compute=seasonality,
        ignores=("period",),
    ),
]
