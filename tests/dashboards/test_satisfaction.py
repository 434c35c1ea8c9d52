"""Satisfaction per service and its gap to what staff expect (cell T4), on the hand-made ratings
and staff survey of tests/dashboards/conftest.py (`insight`)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from insieme.perception.models import Answer, Participation, Round
from tests.conftest import sign_in
from tests.dashboards.conftest import PERIOD
from tests.dashboards.test_panels import rows_of


def sentence(client, slug: str, key: str, **params) -> str:
    html = client.get(reverse("dashboards:page", args=[slug]), {**PERIOD, **params})
    text = html.content.decode()
    start = text.index(f'id="sentence-{key}">') + len(f'id="sentence-{key}">')
    return text[start : text.index("</p>", start)]


def test_satisfaction_per_service(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "satisfaction")
    assert rows == [
        [
            "Service",
            "Administration",
            "Ratings",
            "Mean score (1–5)",
            "Rated 4 or 5 (%)",
            "Rated 1 or 2 (%)",
        ],
        ["Pothole", "Comune di Montalto", "2", "3.5", "50.0", "50.0"],  # A 5, C 2
        ["Street lighting", "Comune di Montalto", "1", "3.0", "0.0", "0.0"],  # F 3
    ]
    assert sentence(client, "montalto", "satisfaction") == (
        "Citizens gave 3 ratings in the period, a mean of 3.3 out of 5; 33% gave 4 or 5 and 33% "
        "gave 1 or 2. In the previous 28 days: 4.0 out of 5 (1 rating). The lowest mean is "
        "Street lighting&#x27;s (3.0)."
    )


def test_satisfaction_filters_select_the_rated_cases(client, insight, dario):
    sign_in(client, dario)
    assert [r[0] for r in rows_of(client, "montalto", "satisfaction", channel="phone")[1:]] == [
        "Pothole"
    ]
    assert rows_of(client, "montalto", "satisfaction", channel="email")[1:] == []
    assert sentence(client, "montalto", "satisfaction", channel="email") == (
        "No ratings in the period."
    )


def test_the_gap_between_citizens_and_staff(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "satisfaction-gap")
    assert rows == [
        [
            "Administration",
            "Ratings",
            "Mean score (1–5)",
            "Rated 4 or 5 (%)",
            "Staff survey round (first day)",
            "Staff answers",
            "Staff agreeing (%)",
            "Gap (points)",
        ],
        # 1 of 3 ratings was 4 or 5; 3 of 5 staff agreed (5, 4, 4): 33.3 − 60.0.
        ["Comune di Montalto", "3", "3.33", "33.3", "2026-02-10", "5", "60.0", "-26.7"],
    ]
    assert sentence(client, "montalto", "satisfaction-gap") == (
        "33% of the 3 ratings citizens gave in the period were 4 or 5; 60% of staff (5 answers) "
        "agree that residents are satisfied with how their requests are handled. Citizens are "
        "27 points less satisfied than staff expect."
    )


def test_a_survey_under_the_threshold_is_never_shown(client, insight, rita):
    sign_in(client, rita)
    rows = {r[0]: r[1:] for r in rows_of(client, "valdoro", "satisfaction-gap")[1:]}
    # Lago Verde's round had two people: its ratings show, its staff's answers do not, and the
    # region's total pools Montalto's staff only.
    assert rows["Comune di Lago Verde"] == ["1", "1.0", "0.0", "", "", "", ""]
    assert rows["Comune di Montalto"][5:] == ["60.0", "-26.7"]
    assert rows["Regione Valdoro"] == ["0", "", "", "", "", "", ""]
    assert rows["All together"] == ["4", "2.75", "25.0", "", "5", "60.0", "-35.0"]


def test_a_statement_answered_by_too_few_is_never_shown(client, insight, dario, montalto):
    """Five people took part, but only four answered the statement: nothing of it shows."""
    Answer.objects.filter(statement="T4s", score=2).delete()
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "satisfaction-gap")
    assert rows[1][4:] == ["", "", "", ""]
    assert "there is no staff survey round with enough answers" in sentence(
        client, "montalto", "satisfaction-gap"
    )


def test_a_round_opened_after_the_period_does_not_count(client, insight, dario, montalto):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "satisfaction-gap", start="2026-02-01", end="2026-02-09")
    assert rows[1][4:] == ["", "", "", ""]  # the round opened on 10 February
    # A later round that too few people answered does not replace the one that counts.
    later = Round.objects.create(
        administration=montalto,
        opens_on=dt.date(2026, 2, 25),
        closes_on=dt.date(2026, 2, 28),
        created_at=insight.a.submitted_at,
    )
    Participation.objects.create(round=later, user=dario)
    Answer.objects.create(round=later, statement="T4s", score=1)
    assert rows_of(client, "montalto", "satisfaction-gap")[1][4:] == [
        "2026-02-10",
        "5",
        "60.0",
        "-26.7",
    ]


def test_the_filters_that_do_not_apply_to_the_staff_side(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "satisfaction-gap", service=insight.lighting.pk)
    # Ratings of Street lighting only (F, 3); the staff's answers are the administration's.
    assert rows[1] == ["Comune di Montalto", "1", "3.0", "0.0", "2026-02-10", "5", "60.0", "-60.0"]
