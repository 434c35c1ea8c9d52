"""The dashboard and the Scorecard agree: over the Scorecard's 90 days, the promises panel's
totals are the indicator's numerator and denominator, and the median time to acknowledge is the
indicator's value."""

from __future__ import annotations

import csv
import io

from insieme.cases import indicators
from insieme.core.registry import Scope
from tests.conftest import sign_in

URL = "/staff/montalto/dashboards/"


def csv_rows(client, panel: str) -> list[list[str]]:
    # No period: the default 90 days ending today, the Scorecard's window.
    text = client.get(URL + f"{panel}.csv").content.decode()
    return list(csv.reader(io.StringIO(text)))[1:]


def test_promises_agree_with_the_scorecard(client, known, dario, montalto):
    sign_in(client, dario)
    rows = csv_rows(client, "promises")
    kept = sum(int(r[2]) + int(r[5]) for r in rows)
    due = sum(int(r[1]) + int(r[4]) for r in rows)
    result = indicators.compute_promises(Scope.of(montalto))
    assert (kept, due) == (result.numerator, result.denominator) == (5, 7)


def test_median_time_to_acknowledge_agrees_with_the_scorecard(client, known, dario, montalto):
    sign_in(client, dario)
    rows = dict(csv_rows(client, "time-to-acknowledge"))
    result = indicators.compute_acknowledge(Scope.of(montalto))
    assert float(rows["Median (hours)"]) == round(result.value, 1) == 14.5  # 2, 5, 24, 30 h
