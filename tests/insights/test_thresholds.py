"""Thresholds per administration (issue 14): each indicator with a better direction shows
"benefit realised", "watch" or "challenge present" against the lines the administration drew,
the cell shows its worst, and the Scorecard flags where the staff survey says otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from insieme.core.models import AuditEntry, today_in
from insieme.core.permissions import Role
from insieme.core.registry import Indicator, IndicatorResult, indicators, register_indicator
from insieme.insights import thresholds
from insieme.insights.models import Status, Threshold
from insieme.perception import actions as perception
from tests.conftest import make_staff, sign_in

KEY = "test-d3-gauge"


class Gauge:
    value: float | None = 0.5

    def compute(self, scope) -> IndicatorResult:
        return IndicatorResult(value=self.value, display=f"{self.value}")


@pytest.fixture
def gauge():
    made = Gauge()
    register_indicator(
        Indicator(
            key=KEY,
            cell="D3",
            title="Test gauge",
            method="A value the test sets, higher is better.",
            unit="share",
            compute=made.compute,
            app="tests",
            better="higher",
        )
    )
    yield made
    indicators.unregister(KEY)


def url(admin) -> str:
    return reverse("scorecard_thresholds", args=[admin.slug])


@pytest.mark.parametrize(
    ("better", "value", "status"),
    [
        ("higher", 0.9, Status.REALISED),
        ("higher", 0.8, Status.REALISED),  # at the line counts
        ("higher", 0.79, Status.WATCH),
        ("higher", 0.5, Status.CHALLENGE),
        ("higher", 0.3, Status.CHALLENGE),
        ("lower", 0.5, Status.CHALLENGE),
        ("lower", 0.1, Status.REALISED),
        ("higher", None, None),
        (None, 0.9, None),
    ],
)
def test_status_against_a_pair(better, value, status):
    pair = (0.8, 0.5) if better != "lower" else (0.2, 0.5)
    threshold = Threshold(realised=pair[0], challenge=pair[1])
    assert threshold.status_of(value, better) == status


def test_an_administrator_sets_them_in_percent(client, montalto, alice, gauge):
    sign_in(client, alice)
    page = client.get(url(montalto))
    assert page.status_code == 200
    assert f'id="threshold-{KEY}"' in page.content.decode()
    # Indicators with no better direction take none.
    assert 'id="threshold-cases-i3-load"' not in page.content.decode()
    response = client.post(url(montalto), {f"{KEY}__realised": "80", f"{KEY}__challenge": "50"})
    assert response.status_code == 302
    pair = Threshold.objects.get(administration=montalto, indicator_key=KEY)
    assert (pair.realised, pair.challenge) == (0.8, 0.5)
    assert AuditEntry.objects.filter(action="insights.threshold_set").count() == 1
    # Posting the same again writes nothing; emptying both removes the pair.
    client.post(url(montalto), {f"{KEY}__realised": "80", f"{KEY}__challenge": "50"})
    assert AuditEntry.objects.filter(action="insights.threshold_set").count() == 1
    assert client.post(url(montalto), {}).status_code == 302
    assert not Threshold.objects.exists()
    assert AuditEntry.objects.filter(action="insights.threshold_removed").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"__realised": "40", "__challenge": "60"}, "benefit must be realised above"),
        ({"__realised": "80"}, "Give both values"),
        ({"__realised": "180", "__challenge": "50"}, "less than or equal to 100"),
        ({"__realised": "eighty", "__challenge": "50"}, "Enter a number"),
        ({"__realised": "8\x010", "__challenge": "50"}, ""),
    ],
)
def test_bad_thresholds_are_refused(client, montalto, alice, gauge, data, message):
    sign_in(client, alice)
    response = client.post(url(montalto), {KEY + k: v for k, v in data.items()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Threshold.objects.exists()


def test_no_thresholds_for_an_indicator_without_a_direction(montalto, alice):
    with pytest.raises(ValidationError, match="no better direction"):
        thresholds.set_threshold(alice, montalto, "cases-i3-load", 0.8, 0.5)
    with pytest.raises(ValidationError, match="No Scorecard indicator"):
        thresholds.set_threshold(alice, montalto, "no-such", 0.8, 0.5)


def test_who_may_set_them(client, montalto, lagoverde, dario, oscar, alice, gauge):
    assert client.get(url(montalto)).status_code == 302  # to sign in
    sign_in(client, dario)  # a supervisor reads the Scorecard, does not set its lines
    assert client.get(url(montalto)).status_code == 403
    data = {f"{KEY}__realised": "80", f"{KEY}__challenge": "50"}
    assert client.post(url(montalto), data).status_code == 403
    card = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert url(montalto) not in card
    client.logout()
    sign_in(client, oscar)  # another municipality's administrator
    assert client.get(url(montalto)).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the action itself
        thresholds.set_threshold(oscar, montalto, KEY, 0.8, 0.5)
    assert not Threshold.objects.exists()


def test_the_scorecard_shows_statuses_and_flags_a_disagreement(client, montalto, alice, gauge):
    thresholds.set_threshold(alice, montalto, KEY, 0.8, 0.6)
    sign_in(client, alice)
    card = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert f'id="status-{KEY}"' in card and "Challenge present" in card  # 0.5
    assert 'id="measured-D3"' in card and 'id="disagreement-D3"' not in card  # nobody answered

    today = today_in(montalto)
    round_ = perception.open_round(alice, montalto, today, today + dt.timedelta(days=3))
    for i in range(5):
        person = make_staff(montalto, Role.OFFICER, f"s{i}@montalto.example", f"S {i}")
        perception.answer(person, round_, {"D3": 5})
    card = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert 'id="disagreement-D3"' in card and "Staff see it working" in card
    body = client.get("/api/v1/scorecard/", {"administration": "montalto"}).json()
    d3 = next(c for c in body["cells"] if c["code"] == "D3")
    assert d3["measured_status"] == "challenge"
    assert d3["disagreement"].startswith("Staff see it working")
    mine = next(i for i in d3["indicators"] if i["key"] == KEY)
    assert mine["status"] == "challenge" and mine["thresholds"] == {
        "realised": 0.8,
        "challenge": 0.6,
    }

    gauge.value = 0.7  # between the lines: watch, and no longer a disagreement
    card = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert "Watch" in card and 'id="disagreement-D3"' not in card
