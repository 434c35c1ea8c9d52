"""Small helpers shared by the panels: the weeks of a period, shares, and how a change reads."""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _

from insieme.core.figures import figure, rounded


def week_starts(filters) -> list[dt.date]:
    """The Mondays of the weeks the period touches (the first and last may be partial)."""
    monday = filters.first_day - dt.timedelta(days=filters.first_day.weekday())
    weeks = []
    while monday <= filters.last_day:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def week_of(field: str, filters) -> TruncWeek:
    """The Monday (midnight, in the administration's time zone) of the week `field` falls in."""
    return TruncWeek(field, tzinfo=filters.zone)


def by_week(rows, key: str = "week") -> dict[dt.date, dict]:
    return {r[key].date() if isinstance(r[key], dt.datetime) else r[key]: r for r in rows}


def share(part: float, whole: float) -> float | None:
    """part ÷ whole as a percentage rounded to one decimal (None for nothing to divide)."""
    return round(part / whole * 100, 1) if whole else None


def number(value: float | None, digits: int = 1) -> float | None:
    """A raw figure for a row, rounded half up as the Scorecard shows it (None stays None)."""
    return None if value is None else float(rounded(value, digits))


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def month_starts(filters) -> list[dt.date]:
    """The first days of the calendar months the period touches (the first and last may be
    partial)."""
    months, day = [], filters.first_day.replace(day=1)
    while day <= filters.last_day:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def pct_text(value: float | None) -> str:
    return figure(value, 0, "%") if value is not None else "—"


def change_sentence(now: int, before: int, days: int, what: str) -> str:
    """'Requests rose 12% on the previous 90 days (from 100 to 112).', or fell, or held."""
    if not before:
        return _("%(what)s: %(n)s; none in the previous %(d)s days to compare with.") % {
            "what": what,
            "n": now,
            "d": days,
        }
    change = (now - before) / before * 100
    values = {"what": what, "p": figure(abs(change), 0, "%"), "d": days, "a": before, "b": now}
    if round(change) > 0:
        return _("%(what)s rose %(p)s on the previous %(d)s days (from %(a)s to %(b)s).") % values
    if round(change) < 0:
        return _("%(what)s fell %(p)s on the previous %(d)s days (from %(a)s to %(b)s).") % values
    return _("%(what)s held steady on the previous %(d)s days (%(a)s, now %(b)s).") % values
