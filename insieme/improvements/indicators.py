"""The improvement backlog's Scorecard indicators (cell D4, value from data left unexploited):
how many insights turned into a change whose effect was measured, and how long that took.

Each reads the items of a 90-day window (midnight to midnight in the scope's time zone, as the
cases' indicators do) in one query; the medians are taken in Python (SQLite has none). With no
item to count, the value is None and the display says so. Rows name the items and their owners
(staff), never a citizen.
"""

from __future__ import annotations

import datetime as dt
import statistics

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog.indicators import share
from insieme.core.figures import figure
from insieme.core.registry import Indicator, IndicatorResult, Scope
from insieme.improvements import measure
from insieme.improvements.models import Item, Status

WINDOW_DAYS = 90
SECONDS_A_DAY = 86400


def window(scope: Scope, days: int = WINDOW_DAYS) -> tuple[dt.datetime, dt.datetime]:
    return scope.window(days)


def _no_data() -> str:
    return _("Nothing to measure yet")


def _items(scope: Scope):
    return Item.objects.filter(administration_id__in=scope.administration_ids).select_related(
        "administration", "owner"
    )


def _days(item: Item) -> float:
    return (item.closed_at - item.opened_at).total_seconds() / SECONDS_A_DAY


def _row(item: Item) -> list:
    return [
        item.title,
        item.administration.name,
        str(item.get_status_display()),
        measure.title(item.indicator_key) if item.indicator_key else "—",
        measure.shown(item.value_before, item.indicator_key),
        measure.shown(item.value_after, item.indicator_key),
        item.owner.full_name if item.owner_id else "—",
    ]


ROW_COLUMNS = (
    gettext_lazy("Item"),
    gettext_lazy("Administration"),
    gettext_lazy("Status"),
    gettext_lazy("Indicator"),
    gettext_lazy("Before"),
    gettext_lazy("After"),
    gettext_lazy("Owner"),
)


def compute_conversion(scope: Scope) -> IndicatorResult:
    """Of the items opened in the window, those closed as done with both measurements."""
    start, end = window(scope)
    items = list(
        _items(scope).filter(opened_at__gte=start, opened_at__lt=end).order_by("opened_at", "pk")
    )
    hits = sum(1 for item in items if item.has_effect)
    value, display = share(hits, len(items))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=len(items),
        columns=[str(c) for c in ROW_COLUMNS] + [_("Done with a measured effect")],
        rows=[_row(item) + [_("Yes") if item.has_effect else _("No")] for item in items],
    )


def compute_time_to_effect(scope: Scope) -> IndicatorResult:
    """Median days from opening to closing as done, over the items closed as done in the window."""
    start, end = window(scope)
    items = list(
        _items(scope)
        .filter(status=Status.DONE, closed_at__gte=start, closed_at__lt=end)
        .order_by("closed_at", "pk")
    )
    days = [_days(item) for item in items]
    value = statistics.median(days) if days else None
    return IndicatorResult(
        value=value,
        display=(
            _("median %(m)s days (%(n)s items done)") % {"m": figure(value, 1), "n": len(items)}
            if value is not None
            else _no_data()
        ),
        numerator=value,
        denominator=len(items),
        columns=[str(c) for c in ROW_COLUMNS] + [_("Days to done")],
        rows=[_row(item) + [figure(d, 1)] for item, d in zip(items, days, strict=True)],
    )


INDICATORS: list[Indicator] = [
    Indicator(
        key="improvements-d4-conversion",
        cell="D4",
        title=gettext_lazy("Insights turned into a measured change"),
        method=gettext_lazy(
            "Of the improvement items opened in the last 90 days, the share closed as done with "
            "a measured effect: the indicator they target computed both when they were opened "
            "and when they were closed. Items still open, dropped, or done without an indicator "
            "(or whose indicator had nothing to measure) count as not converted; insights that "
            "never became an item are not seen."
        ),
        unit="share",
        compute=compute_conversion,
        app="improvements",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="improvements-d4-time-to-effect",
        cell="D4",
        title=gettext_lazy("Time from insight to change"),
        method=gettext_lazy(
            "Median days from opening an improvement item to closing it as done, over the items "
            "closed as done in the last 90 days. Dropped items and items still open are left "
            "out, so a backlog that never closes does not show here but in the share above."
        ),
        unit="days",
        compute=compute_time_to_effect,
        app="improvements",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
]
