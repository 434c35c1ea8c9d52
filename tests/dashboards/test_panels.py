"""Each panel's figures on hand-made cases with known answers (tests/dashboards/conftest.py),
read the way users read them: the CSV of the panel, with the page's filters."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from tests.conftest import sign_in
from tests.dashboards.conftest import PERIOD


def rows_of(client, slug: str, panel: str, **params) -> list[list[str]]:
    query = {**PERIOD, **params, "format": "csv", "panel": panel}
    response = client.get(reverse("dashboards:page", args=[slug]), query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def column(rows, name: str) -> list[str]:
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]


def test_requests_per_week_in_the_administrations_time_zone(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "demand-weekly")
    # B was filed on Monday 9 Feb at 00:30 in Rome, still Sunday in UTC: it counts in week 9 Feb.
    assert rows == [
        ["Week beginning", "Requests"],
        ["2026-02-02", "1"],
        ["2026-02-09", "1"],
        ["2026-02-16", "1"],
        ["2026-02-23", "0"],
    ]


def test_the_sentence_compares_with_the_previous_period(client, known, dario):
    sign_in(client, dario)
    page = client.get(reverse("dashboards:page", args=["montalto"]), PERIOD)
    text = page.content.decode()
    assert "Requests rose 200% on the previous 28 days (from 1 to 3)." in text
    # Three hours with one request each: the first of the week is named.
    assert "Monday at 00–01 is the busiest hour of the week (requests: 1)" in text


def test_seasonality_averages_each_month_over_history(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "demand-seasonality")
    assert rows[1] == ["January", "1.0", "1"]
    assert rows[2] == ["February", "3.0", "1"]
    assert rows[3] == ["March", "", "0"]  # the current month has not ended


def test_hour_of_the_week(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "hour-of-week")
    assert rows[0][:3] == ["Day", "00–01", "01–02"]
    grid = {(r[0], h): int(v) for r in rows[1:] for h, v in enumerate(r[1:])}
    assert {k for k, v in grid.items() if v} == {("Monday", 0), ("Monday", 8), ("Wednesday", 10)}
    assert sum(grid.values()) == 3


def test_channels_with_the_previous_period(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "channels")
    by = {r[0]: r[1:] for r in rows[1:]}
    assert by["Web"] == ["2", "66.7", "0", "0.0"]
    assert by["Phone"] == ["1", "33.3", "0", "0.0"]
    assert by["Counter"] == ["0", "0.0", "1", "100.0"]


def test_backlog_at_each_weeks_end(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "backlog")
    assert rows == [
        ["Week beginning", "Filed", "Ended", "Open at the week's end"],
        ["2026-02-02", "1", "1", "1"],  # D from January, A filed and resolved
        ["2026-02-09", "1", "0", "2"],
        ["2026-02-16", "1", "1", "2"],
        ["2026-02-23", "0", "0", "2"],
    ]


def test_promises_kept_per_week(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "promises")
    assert [r[:3] + r[4:6] for r in rows[1:]] == [
        ["2026-02-02", "1", "1", "1", "0"],  # A acknowledged in time; D's resolution broken
        ["2026-02-09", "1", "1", "0", "0"],
        ["2026-02-16", "1", "1", "1", "1"],  # C acknowledged, A resolved in time
        ["2026-02-23", "0", "0", "1", "0"],  # B's resolution broken
    ]


def test_time_to_acknowledge_distribution(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "time-to-acknowledge")
    bands = dict(rows[1:9])
    assert bands == {
        "0 to 1 hours": "0",
        "1 to 4 hours": "1",
        "4 to 8 hours": "1",
        "8 to 24 hours": "0",
        "24 to 48 hours": "1",
        "48 to 72 hours": "0",
        "72 to 168 hours": "0",
        "168 hours or more": "0",
    }
    assert rows[9:] == [
        ["Median (hours)", "5.0"],
        ["90th percentile (hours)", "30.0"],
        ["95th percentile (hours)", "30.0"],
    ]


def test_time_to_resolve_distribution(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "time-to-resolve")
    assert dict(rows[1:8])["1 to 3 days"] == "1"
    assert dict(rows[1:8])["3 to 7 days"] == "1"
    assert rows[8:] == [
        ["Median (days)", "2.0"],
        ["90th percentile (days)", "3.0"],
        ["95th percentile (days)", "3.0"],
    ]


def test_team_load_and_fairness(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "team-load")
    roads = [r for r in rows if r[0] == "Roads"]
    # Olga carries B and D, Piero nothing: one case would move to even them out.
    assert roads == [["Roads", "Comune di Montalto", "2", "8", "2", "25.0", "1"]]


def test_handoffs_and_bounce_backs(client, known, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "handoffs")
    assert rows[1:] == [["Parks", "Comune di Montalto", "2", "1", "1", "0", "50.0"]]
