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


# --- the later panels, on `insight` (tests/dashboards/conftest.py) -------------------------------


def test_cost_per_case_agrees_with_the_scorecard(client, insight, dario, montalto):
    sign_in(client, dario)
    rows = {r[0]: r for r in csv_rows(client, "cost-per-case")}
    result = indicators.compute_cost(Scope.of(montalto))
    # Over the 90 days D's 20 minutes of 25 January count too: 110 minutes at the counter.
    assert int(rows["All channels"][1]) == result.denominator == 5
    assert float(rows["All channels"][5]) == round(result.value, 2) == 28.53
    assert float(rows["Counter"][5]) == 58.67


def test_burden_agrees_with_the_scorecard_over_its_year(client, insight, dario, montalto):
    sign_in(client, dario)
    text = client.get(URL + "burden.csv", {"start": "2025-03-04", "end": "2026-03-03"})
    rows = list(csv.reader(io.StringIO(text.content.decode())))[1:]
    result = indicators.compute_burden(Scope.of(montalto))
    assert {(r[0], int(r[2]), int(r[3])) for r in rows} == {(r[0], r[2], r[3]) for r in result.rows}
    hours = sum(float(r[6]) for r in rows)
    assert abs(hours - result.value) <= 0.05 * len(rows)  # each row rounded to 0.1 h
    assert round(result.value, 2) == 6.67  # with D: 10 × (5 + 3) + 30 × 2 = 140 min; 260 staff


def test_satisfaction_agrees_with_the_scorecard(client, insight, dario, montalto):
    sign_in(client, dario)
    rows = csv_rows(client, "satisfaction")
    result = indicators.compute_satisfaction(Scope.of(montalto))
    n = sum(int(r[2]) for r in rows)
    mean = sum(int(r[2]) * float(r[3]) for r in rows) / n
    assert n == result.denominator == 4  # D's rating of 25 January is inside the 90 days
    assert round(mean, 2) == round(result.value, 2) == 3.5


def test_the_staff_side_of_the_gap_is_the_scorecards_perceived_value(
    client, insight, dario, montalto
):
    from insieme.perception.results import perceived

    sign_in(client, dario)
    row = csv_rows(client, "satisfaction-gap")[0]
    cell = perceived(Scope.of(montalto))["T4"]
    staff = next(s for s in cell["statements"] if s["code"] == "T4s")
    assert int(row[5]) == staff["answers"] == 5
    assert float(row[6]) == round(staff["agree_share"] * 100, 1) == 60.0


def test_data_quality_agrees_with_the_scorecard(client, insight, dario, montalto):
    sign_in(client, dario)
    rows = csv_rows(client, "data-quality")
    scope = Scope.of(montalto)
    total = [sum(int(r[i]) for r in rows) for i in (2, 3, 4, 6, 8)]
    filed, opened, as_filed, asked, duplicates = total
    complete = indicators.compute_complete(scope)
    info = indicators.compute_info_rate(scope)
    dupes = indicators.compute_duplicates(scope)
    assert (as_filed, opened) == (complete.numerator, complete.denominator) == (2 + 1, 5 + 1)
    assert (asked, opened) == (info.numerator, info.denominator)
    assert (duplicates, filed) == (dupes.numerator, dupes.denominator) == (1, 7)


def test_regulations_agree_with_the_scorecard(client, insight, dario, montalto):
    from insieme.catalog.indicators import compute_stale_basis

    sign_in(client, dario)
    rows = csv_rows(client, "regulations")
    result = compute_stale_basis(Scope.of(montalto))
    assert [r[:5] for r in rows] == [[*r[:4], str(r[4])] for r in result.rows]
    assert (len(rows), result.denominator) == (result.numerator, 3)


def test_templates_agree_with_the_scorecard(client, insight, dario, montalto):
    from insieme.catalog.indicators import compute_overrides, compute_template_share

    sign_in(client, dario)
    rows = csv_rows(client, "templates")
    templated = [r for r in rows if r[3] != ""]
    share = compute_template_share(Scope.of(montalto))
    overrides = compute_overrides(Scope.of(montalto))
    assert (len(templated), len(rows)) == (share.numerator, share.denominator) == (2, 3)
    changes = sum(int(r[3]) for r in templated)
    assert (changes, len(templated)) == (overrides.numerator, overrides.denominator) == (2, 2)


def test_ideas_per_month_agree_with_the_scorecard(client, insight, dario, montalto):
    from insieme.participation.indicators import compute_ideas_per_month

    sign_in(client, dario)
    # The Scorecard's six calendar months, this one included.
    text = client.get(URL + "ideas-monthly.csv", {"start": "2025-10-01", "end": "2026-03-03"})
    rows = list(csv.reader(io.StringIO(text.content.decode())))[1:]
    result = compute_ideas_per_month(Scope.of(montalto))
    assert [[r[0], *map(int, r[1:5])] for r in rows] == result.rows
    assert sum(int(r[4]) for r in rows) == result.numerator == 5  # with I3 of January


def test_participants_agree_with_the_scorecard(client, insight, dario, montalto):
    from insieme.participation.indicators import compute_participants

    sign_in(client, dario)
    rows = csv_rows(client, "participants")
    result = compute_participants(Scope.of(montalto))
    assert [[r[0], *map(int, r[5:])] for r in rows] == result.rows
    people = sum(int(r[8]) for r in rows)
    assert (people, len(rows)) == (result.numerator, result.denominator) == (8, 2)
