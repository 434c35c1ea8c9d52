"""Reading the Scorecard for an item: which indicators there are, the value of one for an
administration on a day, and how a stored value reads.

An item is measured for its own administration alone (never with the administrations a region
hosts), as `Scope.of(administration)` computes it: as of `day` in the administration's time
zone (today unless the caller says otherwise, e.g. the demo back-dating its items).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from insieme.core.figures import figure, percent
from insieme.core.models import Administration
from insieme.core.registry import Indicator, Scope, indicators

logger = logging.getLogger(__name__)

# How the units indicators declare read after a number (a share reads as a percentage).
UNIT_WORDS = {
    "days": _("days"),
    "hours": _("hours"),
    "seconds": _("seconds"),
    "fields": _("fields"),
    "interactions": _("interactions"),
    "people": _("people"),
    "ideas": _("ideas"),
    "organisations": _("organisations"),
    "EUR": "€",
}


@dataclass(frozen=True)
class Measurement:
    value: float | None
    better: str  # "higher", "lower" or ""
    day: dt.date


def indicator(key: str) -> Indicator | None:
    return indicators.get(key) if key and key in indicators else None


def choices() -> list[tuple[str, str]]:
    """(key, "cell · title") of every registered indicator, by cell and key."""
    return [
        (i.key, f"{i.cell} · {i.title}")
        for i in sorted(indicators, key=lambda i: (i.cell[0], i.cell, i.key))
    ]


def title(key: str) -> str:
    found = indicator(key)
    return str(found.title) if found is not None else key


def scope_of(administration: Administration, day: dt.date | None = None) -> Scope:
    """`Scope.of(administration)`, as of `day` when given."""
    scope = Scope.of(administration)
    if day is None or day == scope.today:
        return scope
    return Scope(
        administration_ids=scope.administration_ids,
        today=day,
        label=scope.label,
        time_zone=scope.time_zone,
    )


def measure(key: str, administration: Administration, day: dt.date | None = None) -> Measurement:
    """The indicator's value for the administration (None when it has nothing to measure, or
    when computing it failed: an item is never refused because an indicator broke)."""
    found = indicator(key)
    scope = scope_of(administration, day)
    if found is None:
        return Measurement(None, "", scope.today)
    try:
        value = found.compute(scope).value
    except Exception:  # noqa: BLE001 - logged; the item keeps "not measured"
        logger.exception("indicator %s failed for administration %s", key, administration.pk)
        value = None
    return Measurement(
        None if value is None else float(value),
        found.better if found.better in ("higher", "lower") else "",
        scope.today,
    )


def shown(value: float | None, key: str) -> str:
    """A stored value as people read it, in the indicator's unit ("—" for none)."""
    if value is None:
        return "—"
    found = indicator(key)
    unit = found.unit if found is not None else ""
    if unit == "share":
        return percent(value, 1, "%")
    if unit == "%":
        return figure(value, 1, "%")
    word = UNIT_WORDS.get(unit)
    return f"{figure(value, 1)} {word}" if word else figure(value, 1)
