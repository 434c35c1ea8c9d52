"""Staff sessions end after an idle time and after an absolute lifetime (a controlled clock);
citizens' sessions keep Django's two weeks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insieme.core import sessions
from tests.conftest import sign_in

T0 = 1_000_000_000.0
MINUTE = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sessions, "clock", fake)
    return fake


def signed_in(client: Client) -> bool:
    response = client.get(reverse("account"))
    return response.status_code == 200


def test_staff_are_signed_out_after_thirty_idle_minutes(clock, bob):
    client = sign_in(Client(), bob)
    clock.now += 29 * MINUTE
    assert signed_in(client)
    clock.now += 29 * MINUTE  # 29 minutes since the last request: still in
    assert signed_in(client)
    clock.now += 31 * MINUTE
    response = client.get("/staff/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert b"signed out after 30 minutes without activity" in response.content
    assert not signed_in(client)


def test_staff_sessions_end_after_twelve_hours_however_busy(clock, bob):
    client = sign_in(Client(), bob)
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        clock.now += 20 * MINUTE
        assert signed_in(client)
    clock.now += 20 * MINUTE
    response = client.get(reverse("account"), follow=True)
    assert b"staff sessions last at most 12 hours" in response.content
    assert not signed_in(client)


def test_the_limits_are_settings(clock, settings, alice):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client = sign_in(Client(), alice)
    clock.now += 4 * MINUTE
    assert signed_in(client)
    clock.now += 6 * MINUTE
    assert not signed_in(client)


def test_citizens_keep_their_session(clock, charlie):
    client = sign_in(Client(), charlie)
    clock.now += 3 * 24 * 60 * MINUTE  # three days idle, server side
    assert signed_in(client)


def test_a_session_from_before_is_timed_from_its_next_request(clock, bob):
    client = sign_in(Client(), bob)
    session = client.session
    del session[sessions.STARTED]
    del session[sessions.SEEN]
    session.save()
    clock.now += 10 * 60 * MINUTE
    assert signed_in(client)  # no moment recorded: this request starts the clock
    clock.now += 31 * MINUTE
    assert not signed_in(client)
