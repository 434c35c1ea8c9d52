"""Liberal readers of Open311 parameters: W3C datetimes, numbers, comma lists, attribute keys.

Old clients differ: some send a space instead of the `T`, microseconds, `Z` or a `+01:00`
offset whose `+` arrives as a space when the query string was not encoded, or a date alone.
Every reader raises Open311Error (HTTP 400) with a message naming the parameter; none lets a
ValueError or OverflowError through.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.utils.translation import gettext as _

from insieme.open311.errors import Open311Error

_DATETIME_RE = re.compile(
    r"""^\s*
    (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    (?:
        [Tt\ ]+
        (?P<hour>\d{1,2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,12}))?)?
        \s*
        (?P<tz>[Zz]|(?P<sign>[+\-\ ])(?P<tzh>\d{2}):?(?P<tzm>\d{2})?)?
    )?
    \s*$""",
    re.VERBOSE,
)

MAX_LIST_ITEMS = 1000


def parse_datetime(value: str, name: str, default_tz: dt.tzinfo) -> dt.datetime:
    """An aware datetime from a W3C/ISO 8601 text; naive ones are in `default_tz`.

    Accepted: `2026-03-01T10:00:00+01:00`, `2026-03-01 10:00:00.123456Z`, `2026-03-01T10:00`,
    `2026-03-01` (midnight), and a `+hh:mm` offset whose `+` became a space."""
    match = _DATETIME_RE.match(value or "")
    if match is None:
        raise Open311Error(
            _("%(name)s is not a date and time like 2026-03-01T10:00:00+01:00.") % {"name": name}
        )
    parts = match.groupdict()
    fraction = (parts["fraction"] or "").ljust(6, "0")[:6]
    try:
        tzinfo = _offset(parts) or default_tz
        moment = dt.datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
        )
        moment = moment.replace(tzinfo=tzinfo)
        moment.astimezone(dt.UTC)  # the database compares in UTC: it must exist there too
        return moment
    except (ValueError, OverflowError) as exc:
        raise Open311Error(_("%(name)s is not a valid date and time.") % {"name": name}) from exc


def _offset(parts: dict) -> dt.tzinfo | None:
    if not parts["tz"]:
        return None
    if parts["tz"] in ("Z", "z"):
        return dt.UTC
    hours, minutes = int(parts["tzh"]), int(parts["tzm"] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    delta = dt.timedelta(hours=hours, minutes=minutes)
    # A space is a `+` that the client forgot to encode.
    return dt.timezone(-delta if parts["sign"] == "-" else delta)


def format_datetime(moment: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """W3C datetime with the offset, in the jurisdiction's time zone, to the second."""
    if moment is None:
        return None
    return moment.astimezone(tz).isoformat(timespec="seconds")


def parse_float(value: str, name: str, low: float, high: float) -> float:
    """A finite number within [low, high]; a decimal comma is accepted."""
    try:
        number = float((value or "").strip().replace(",", "."))
    except ValueError as exc:
        raise Open311Error(_("%(name)s must be a number.") % {"name": name}) from exc
    if not math.isfinite(number) or not low <= number <= high:
        raise Open311Error(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return number


def parse_int(value: str, name: str, low: int, high: int) -> int:
    text = (value or "").strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise Open311Error(_("%(name)s must be a whole number.") % {"name": name})
    number = int(text)
    if not low <= number <= high:
        raise Open311Error(
            _("%(name)s must be between %(low)d and %(high)d.")
            % {"name": name, "low": low, "high": high}
        )
    return number


def parse_list(value: str, name: str) -> list[str]:
    """Items of a comma-separated list, blanks dropped, order kept, duplicates removed."""
    items = list(dict.fromkeys(item.strip() for item in (value or "").split(",") if item.strip()))
    if len(items) > MAX_LIST_ITEMS:
        raise Open311Error(
            _("%(name)s lists more than %(n)d items.") % {"name": name, "n": MAX_LIST_ITEMS}
        )
    return items


def parse_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


_ATTRIBUTE_KEY_RE = re.compile(r"^attribute\[(?P<code>[^\[\]]+)\](?P<multi>\[\])?$")


def attribute_values(items) -> dict[str, list[str]]:
    """{code: [values]} from `attribute[CODE]` and `attribute[CODE][]` parameters.

    `items` yields (key, list of values) pairs, as QueryDict.lists() does."""
    answers: dict[str, list[str]] = {}
    for key, values in items:
        match = _ATTRIBUTE_KEY_RE.match(key)
        if match is None:
            continue
        answers.setdefault(match.group("code"), []).extend(v for v in values if v != "")
    return answers
