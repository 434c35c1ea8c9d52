"""Use by hour of the week (a 7 × 24 heat map) and by channel."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import Channel
from insieme.dashboards import rollups
from insieme.dashboards.common import pct_text, share
from insieme.dashboards.models import hour_field
from insieme.dashboards.panels import Panel, PanelData

HOURS = range(24)


def hour_label(hour: int) -> str:
    return f"{hour:02d}–{hour + 1:02d}"


def _hours_of_cases(filters, grid) -> None:
    """One query of the cases: the period's by ISO weekday and hour, in the page's time zone."""
    for row in (
        filters.cases()
        .filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
        .annotate(
            day=ExtractIsoWeekDay("submitted_at", tzinfo=filters.zone),
            hour=ExtractHour("submitted_at", tzinfo=filters.zone),
        )
        .values("day", "hour")
        .annotate(n=Count("id"))
        .order_by()
    ):
        grid[row["day"] - 1][row["hour"]] = row["n"]


def hour_of_week(filters) -> PanelData:
    """The period's cases by ISO weekday and hour, in the administration's time zone (one query
    of the rollups or of the cases)."""
    grid = [[0] * 24 for _day in range(7)]
    if filters.rolled:
        for row in (
            rollups.days(filters)
            .filter(day__gte=filters.first_day, day__lte=filters.last_day)
            .values("day")
            .annotate(**{f"n{h}": Sum(hour_field(h)) for h in HOURS})
            .order_by()
        ):
            for h in HOURS:
                grid[row["day"].weekday()][h] += row[f"n{h}"] or 0
    else:
        _hours_of_cases(filters, grid)
    days = [str(WEEKDAYS[d]) for d in range(7)]
    total = sum(map(sum, grid))
    if total:
        n, day, hour = max((grid[d][h], -d, -h) for d in range(7) for h in HOURS)
        day, hour = -day, -hour
        weekend = sum(grid[5]) + sum(grid[6])
        sentence = _(
            "%(day)s at %(hours)s is the busiest hour of the week (requests: %(n)s); "
            "%(weekend)s of the requests came on a Saturday or Sunday."
        ) % {
            "day": days[day],
            "hours": hour_label(hour),
            "n": n,
            "weekend": pct_text(share(weekend, total)),
        }
    else:
        sentence = _("No requests in the period.")
    return PanelData(
        sentence=sentence,
        columns=[_("Day"), *[hour_label(h) for h in HOURS]],
        rows=[[days[d], *grid[d]] for d in range(7)],
        chart={
            "kind": "heatmap",
            "x": [hour_label(h) for h in HOURS],
            "y": days,
            "data": [[h, d, grid[d][h]] for d in range(7) for h in HOURS],
            "max": max(max(r) for r in grid),
            "name": _("Requests"),
        },
    )


def by_channel(filters) -> PanelData:
    """One query (of the rollups or of the cases): the period's and the previous period's cases
    by channel."""
    before_start, _before_end = filters.previous()
    now_q = Q(submitted_at__gte=filters.start)
    if filters.rolled:
        first = filters.first_day - dt.timedelta(days=filters.days)
        new = Q(day__gte=filters.first_day)
        rows = (
            rollups.days(filters)
            .filter(day__gte=first, day__lte=filters.last_day)
            .values("channel")
            .annotate(now=Sum("filed", filter=new), before=Sum("filed", filter=~new))
            .order_by()
        )
    else:
        rows = (
            filters.cases()
            .filter(submitted_at__gte=before_start, submitted_at__lt=filters.end)
            .values("channel")
            .annotate(now=Count("id", filter=now_q), before=Count("id", filter=~now_q))
            .order_by()
        )
    counts = {r["channel"]: r for r in rows}
    now = {c: counts[c]["now"] or 0 if c in counts else 0 for c in Channel.values}
    before = {c: counts[c]["before"] or 0 if c in counts else 0 for c in Channel.values}
    total, total_before = sum(now.values()), sum(before.values())
    rows = [
        [
            str(Channel(c).label),
            now[c],
            share(now[c], total),
            before[c],
            share(before[c], total_before),
        ]
        for c in Channel.values
    ]
    if total:
        ranked = sorted(Channel.values, key=lambda c: (-now[c], Channel.values.index(c)))
        top = ranked[0]
        sentence = _(
            "Most requests came by %(channel)s: %(p)s of %(n)s (%(q)s in the previous %(d)s days)."
        ) % {
            "channel": str(Channel(top).label).lower(),
            "p": pct_text(share(now[top], total)),
            "n": total,
            "q": pct_text(share(before[top], total_before)),
            "d": filters.days,
        }
    else:
        sentence = _("No requests in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Channel"),
            _("Requests"),
            _("Share (%)"),
            _("Requests, previous period"),
            _("Share, previous period (%)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Period"), "data": [now[c] for c in Channel.values]},
                {"name": _("Previous period"), "data": [before[c] for c in Channel.values]},
            ],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="hour-of-week",
        order=30,
        title=gettext_lazy("Requests by hour of the week"),
        definition=gettext_lazy(
            "Cases filed in the period by day of the week and hour of filing, in the "
            "administration's time zone (for cases filed at a counter or by phone, the hour staff "
            "entered them)."
        ),
        compute=hour_of_week,
    ),
    Panel(
        key="channels",
        order=40,
        title=gettext_lazy("Requests by channel"),
        definition=gettext_lazy(
            "Cases filed in the period by the channel they came through, with the same number of "
            "days just before for comparison. Assisted filing at a counter or by phone counts "
            "under that channel."
        ),
        compute=by_channel,
    ),
]
