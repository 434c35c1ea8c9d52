"""Time to acknowledge and to resolve, as distributions: how many cases fall in each band of
time, and the 50th, 90th and 95th percentiles, all computed in the database.

The cases are those of the Scorecard's indicators "Time to acknowledge" and "Time to resolve"
(insieme.cases.indicators): acknowledged, or resolved, within the period; for the resolution,
not those marked as duplicates or refused and not those reopened (NOT_RESOLVED). The median is
the Scorecard's (the mean of the two middle values for an even count); the 90th and 95th
percentiles are nearest-rank values (the smallest duration at least that share of the cases
reach).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math

from django.db import connections
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.indicators import NOT_RESOLVED
from insieme.core.figures import figure
from insieme.dashboards import rollups
from insieme.dashboards.panels import Panel, PanelData

H, D = dt.timedelta(hours=1), dt.timedelta(days=1)
# (upper bound of each band; None = no bound)
ACK_BANDS = [H, 4 * H, 8 * H, D, 2 * D, 3 * D, 7 * D, None]
RESOLVE_BANDS = [D, 3 * D, 7 * D, 14 * D, 30 * D, 60 * D, None]


def _band_label(low: dt.timedelta, high: dt.timedelta | None, unit: dt.timedelta, word: str) -> str:
    a = figure(low / unit, 0)
    if high is None:
        return _("%(a)s %(u)s or more") % {"a": a, "u": word}
    return _("%(a)s to %(b)s %(u)s") % {"a": a, "b": figure(high / unit, 0), "u": word}


def distribution(qs, field: str, bands) -> tuple[list[int], dict[int, float | None], int]:
    """(cases per band, {percentile: duration in seconds}, count) of the time from filing to
    `field` over `qs`: one query for the bands, one per percentile."""
    timed = qs.annotate(
        took=ExpressionWrapper(F(field) - F("submitted_at"), output_field=DurationField())
    )
    lows = [dt.timedelta(0), *[b for b in bands[:-1]]]
    counts = timed.aggregate(
        **{
            f"b{i}": Count(
                "id",
                filter=(Q(took__gte=low) if i else Q())
                & (Q(took__lt=high) if high is not None else Q()),
            )
            for i, (low, high) in enumerate(zip(lows, bands, strict=True))
        }
    )
    bins = [counts[f"b{i}"] for i in range(len(bands))]
    n = sum(bins)
    ordered = timed.order_by("took", "pk").values_list("took", flat=True)
    found: dict[int, float | None] = {50: None, 90: None, 95: None}
    if n:
        middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
        found[50] = sum(d.total_seconds() for d in middle) / len(middle)
        for p in (90, 95):
            rank = max(math.ceil(p * n / 100), 1)
            found[p] = ordered[rank - 1].total_seconds()
    return bins, found, n


def distribution_of(micros: list[int], bands) -> tuple[list[int], dict[int, float | None], int]:
    """The same as distribution() from the durations themselves, in microseconds."""
    ordered, n = sorted(micros), len(micros)
    # Each band's cases: where its bounds fall in the sorted durations (a band holds those at or
    # above its lower bound and below its upper one).
    edges = [0, *(bisect.bisect_left(ordered, rollups.micro(b)) for b in bands[:-1]), n]
    bins = [edges[i + 1] - edges[i] for i in range(len(bands))]
    found: dict[int, float | None] = {50: None, 90: None, 95: None}
    if n:
        middle = ordered[(n - 1) // 2 : n // 2 + 1]
        found[50] = sum(d / 1e6 for d in middle) / len(middle)
        for p in (90, 95):
            found[p] = ordered[max(math.ceil(p * n / 100), 1) - 1] / 1e6
    return bins, found, n


def _panel(found, bands, unit: dt.timedelta, word: str, what: str) -> PanelData:
    """found: what distribution() or distribution_of() answers."""
    bins, pcts, n = found
    lows = [dt.timedelta(0), *bands[:-1]]
    labels = [_band_label(lo, hi, unit, word) for lo, hi in zip(lows, bands, strict=True)]
    seconds = unit.total_seconds()
    p = {k: None if v is None else round(v / seconds, 1) for k, v in pcts.items()}
    if n:
        sentence = _(
            "Half of the %(n)s cases were %(what)s within %(p50)s %(u)s, nine in ten within "
            "%(p90)s and 95%% within %(p95)s."
        ) % {
            "n": n,
            "what": what,
            "p50": figure(p[50]),
            "p90": figure(p[90]),
            "p95": figure(p[95]),
            "u": word,
        }
    else:
        sentence = _("No case to measure in the period.")
    rows = [[label, count] for label, count in zip(labels, bins, strict=True)]
    rows += [
        [_("Median (%(u)s)") % {"u": word}, p[50]],
        [_("90th percentile (%(u)s)") % {"u": word}, p[90]],
        [_("95th percentile (%(u)s)") % {"u": word}, p[95]],
    ]
    return PanelData(
        sentence=sentence,
        columns=[_("Time"), _("Cases")],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": labels,
            "series": [{"name": _("Cases"), "data": bins}],
            "unit": "",
        },
    )


def _rolled(filters, field: str, bands):
    """One query: the period's durations as the rollups remember them (through an index), the
    bands and percentiles computed here."""
    micros = (
        rollups.rolled_cases(filters)
        .filter(**{f"{field}_at__gte": filters.start, f"{field}_at__lt": filters.end})
        .values_list(f"{field}_us", flat=True)
    )
    # Read through the cursor: a period holds hundreds of thousands of plain integers, and the
    # queryset's per-row work was half the panel's time.
    sql, params = micros.query.sql_with_params()
    with connections[micros.db].cursor() as cursor:
        cursor.execute(sql, params)
        return distribution_of([row[0] for row in cursor.fetchall()], bands)


def acknowledge(filters) -> PanelData:
    if filters.rolled:
        found = _rolled(filters, "ack", ACK_BANDS)
    else:
        qs = filters.cases().filter(
            acknowledged_at__gte=filters.start, acknowledged_at__lt=filters.end
        )
        found = distribution(qs, "acknowledged_at", ACK_BANDS)
    return _panel(found, ACK_BANDS, H, _("hours"), _("acknowledged"))


def resolve(filters) -> PanelData:
    if filters.rolled:
        found = _rolled(filters, "res", RESOLVE_BANDS)
    else:
        qs = (
            filters.cases()
            .filter(resolved_at__gte=filters.start, resolved_at__lt=filters.end)
            .exclude(NOT_RESOLVED)
        )
        found = distribution(qs, "resolved_at", RESOLVE_BANDS)
    return _panel(found, RESOLVE_BANDS, D, _("days"), _("resolved"))


PANELS = [
    Panel(
        key="time-to-acknowledge",
        order=70,
        title=gettext_lazy("Time to acknowledge"),
        definition=gettext_lazy(
            "Hours from filing to acknowledgement of the cases acknowledged in the period, as on "
            "the Scorecard; cases not yet acknowledged are left out (see the backlog). The median "
            "is the middle value (the mean of the two middle ones); the 90th and 95th "
            "percentiles are the smallest times that nine in ten, and 95 in a hundred, cases did "
            "not exceed."
        ),
        compute=acknowledge,
    ),
    Panel(
        key="time-to-resolve",
        order=80,
        title=gettext_lazy("Time to resolve"),
        definition=gettext_lazy(
            "Days from filing to resolution of the cases resolved in the period and still "
            "resolved or closed, as on the Scorecard: cases marked as duplicates or refused, and "
            "cases reopened, are left out, as are cases still open."
        ),
        compute=resolve,
    ),
]
