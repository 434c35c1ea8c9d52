"""Every indicator's series: its value as of the report's day and, for an indicator that reads a
period, as of every STEP_DAYS before, so that a spreadsheet can draw the trend. A state (the
open load, the catalogue as it is) has one value, today's: recomputing it for an earlier day
would only repeat today's state."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator

from django.utils.translation import gettext as _

from insieme.core.cells import CELLS
from insieme.core.csvsafe import neutralise
from insieme.core.registry import Indicator, Scope, indicators

logger = logging.getLogger(__name__)

STEP_DAYS = 30
CELL_ORDER = {code: n for n, code in enumerate(CELLS)}


def in_table_order() -> list[Indicator]:
    return sorted(indicators, key=lambda i: (CELL_ORDER.get(i.cell, 99), i.key))


def rows(scope: Scope, points: int) -> Iterator[list]:
    """[key, cell, title, unit, period days, as of, value] per indicator and point, newest first;
    an indicator that fails at a point gives an empty value there (and is logged)."""
    for indicator in in_table_order():
        steps = range(points) if indicator.period_days else range(1)
        for step in steps:
            at = scope.earlier(step * STEP_DAYS)
            try:
                value = indicator.compute(at).value
            except Exception:
                logger.exception("indicator %s failed as of %s", indicator.key, at.today)
                value = None
            yield [
                indicator.key,
                indicator.cell,
                str(indicator.title),
                indicator.unit,
                indicator.period_days if indicator.period_days else "",
                at.today.isoformat(),
                "" if value is None else value,
            ]


def csv_text(scope: Scope, points: int) -> str:
    """The series as CSV: numbers raw, text guarded against spreadsheet formulas, with a
    byte-order mark so that spreadsheets read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [_("Indicator"), _("Cell"), _("Title"), _("Unit"), _("Period (days)"), _("As of")]
    writer.writerow(header + [_("Value")])
    for row in rows(scope, points):
        writer.writerow([neutralise(c) for c in row])
    return "\ufeff" + buffer.getvalue()
