"""Sign-in throttling at the HTTP level, on both stores (the database and Redis), under a
controlled clock: a sliding window (no second helping across a window's end), pauses that grow
and end, trusted browsers that keep a known person from being locked out by someone else, a
password reset that ends every pause, and one e-mail to the owner per pause."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from insieme.core import background, throttle
from insieme.core.signin import DEVICE_COOKIE
from tests.conftest import PASSWORD

REDIS_URL = os.environ.get("INSIEME_TEST_RATELIMIT_REDIS_URL", "redis://127.0.0.1:6379/14")
WINDOW = 300
T0 = 1_000_000_100.0  # 100 s before a multiple of the window: a fixed window would end there


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["database", "redis"])
def clock(request, db, settings, monkeypatch) -> Clock:
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {exc}")
            pytest.skip(f"Redis at {REDIS_URL} does not answer: {exc}")
        settings.RATELIMIT_REDIS_URL = REDIS_URL
        throttle.store().clear()
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_RATE_WINDOW = WINDOW
    settings.LOGIN_LOCKOUT_MAX = 4 * WINDOW
    fake = Clock(T0)
    monkeypatch.setattr(throttle, "clock", fake)
    yield fake
    if request.param == "redis":
        throttle.store().clear()


WRONG = "wrong password"


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Run on-commit work (e-mail to the owner) as a real commit would, in every attempt()."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


_capture = None


def attempt(client: Client, email: str, password: str = WRONG):
    with _capture(execute=True):
        response = client.post(reverse("login"), {"email": email, "password": password})
    background.worker.wait_idle()
    return response


def test_no_second_helping_across_a_window_end(clock, charlie):
    """Before, a fixed window let the limit through just before its end and again just after."""
    assert T0 // WINDOW != (T0 + 101) // WINDOW  # the two bursts straddle a fixed window's end
    for i in range(3):
        assert attempt(Client(REMOTE_ADDR=f"10.1.0.{i}"), charlie.email).status_code == 200
    clock.now = T0 + 101
    response = attempt(Client(REMOTE_ADDR="10.1.0.9"), charlie.email)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= WINDOW - 101


def test_the_address_limit_slides_too(clock, db):
    client = Client(REMOTE_ADDR="10.2.0.1")
    for i in range(3):
        assert attempt(client, f"x{i}@example.org").status_code == 200
    clock.now = T0 + 101
    assert attempt(client, "y@example.org").status_code == 429


def test_pauses_grow_then_end(clock, charlie):
    def fail_until_refused() -> int:
        for i in range(3):
            response = attempt(Client(REMOTE_ADDR=f"10.3.{clock.now % 250:.0f}.{i}"), charlie.email)
            assert response.status_code == 200
        refused = attempt(Client(REMOTE_ADDR="10.3.9.9"), charlie.email)
        assert refused.status_code == 429
        return int(refused["Retry-After"])

    pauses = []
    for _ in range(4):
        pause = fail_until_refused()
        pauses.append(pause)
        clock.now += pause - 1
        still = attempt(Client(REMOTE_ADDR="10.3.8.8"), charlie.email, PASSWORD)
        assert still.status_code == 429  # even with the right password, from a new browser
        clock.now += 2
    # The first pause lasts the window (and up to a slice more: the window slides by slices),
    # each further one twice the one before, up to the maximum.
    assert WINDOW <= pauses[0] <= WINDOW + WINDOW // throttle.SLICES
    assert pauses[1:] == [2 * WINDOW, 4 * WINDOW, 4 * WINDOW]
    assert attempt(Client(REMOTE_ADDR="10.3.8.8"), charlie.email, PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_the_owner_out_of_their_own_browser(clock, charlie):
    owner = Client(REMOTE_ADDR="10.4.0.1")
    assert attempt(owner, charlie.email, PASSWORD).status_code == 302
    assert DEVICE_COOKIE in owner.cookies
    owner.post(reverse("logout"))

    for i in range(6):  # someone else, from many addresses
        attempt(Client(REMOTE_ADDR=f"10.4.1.{i}"), charlie.email)
    assert attempt(Client(REMOTE_ADDR="10.4.2.1"), charlie.email, PASSWORD).status_code == 429
    # The owner's browser counts on its own, whatever its address.
    assert attempt(owner, charlie.email, PASSWORD).status_code == 302


def test_a_trusted_browser_has_a_limit_of_its_own(clock, charlie):
    owner = Client(REMOTE_ADDR="10.5.0.1")
    assert attempt(owner, charlie.email, PASSWORD).status_code == 302
    owner.post(reverse("logout"))
    for _ in range(3):
        assert attempt(owner, charlie.email).status_code == 200
    assert attempt(owner, charlie.email, PASSWORD).status_code == 429
    # The account itself is not paused for other browsers by its owner's typos.
    assert attempt(Client(REMOTE_ADDR="10.5.0.2"), charlie.email, PASSWORD).status_code == 302


def test_a_trusted_browser_cookie_for_another_account_or_forged_counts_for_nothing(
    clock, charlie, bob
):
    browser = Client(REMOTE_ADDR="10.6.0.1")
    assert attempt(browser, bob.email, PASSWORD).status_code == 302
    browser.post(reverse("logout"))
    for i in range(3):
        attempt(Client(REMOTE_ADDR=f"10.6.1.{i}"), charlie.email)
    # Bob's browser is not Charlie's: the pause on Charlie's account applies.
    assert attempt(browser, charlie.email, PASSWORD).status_code == 429
    forged = Client(REMOTE_ADDR="10.6.0.2")
    forged.cookies[DEVICE_COOKIE] = "eyJhIjoieCIsImIiOiJ5In0:forged:signature"
    assert attempt(forged, charlie.email, PASSWORD).status_code == 429


def test_the_owner_is_told_once_per_pause(clock, charlie):
    for i in range(8):
        attempt(Client(REMOTE_ADDR=f"10.7.0.{i}"), charlie.email)
    told = [m for m in mail.outbox if m.to == [charlie.email]]
    assert len(told) == 1
    assert "paused" in told[0].subject
    assert reverse("password_reset") in told[0].body
    clock.now += 2 * WINDOW  # the first pause is over
    for i in range(5):
        attempt(Client(REMOTE_ADDR=f"10.7.1.{i}"), charlie.email)
    assert len([m for m in mail.outbox if m.to == [charlie.email]]) == 2


def test_a_pause_on_an_unknown_address_looks_the_same_and_mails_nobody(clock, db):
    for i in range(3):
        assert attempt(Client(REMOTE_ADDR=f"10.8.0.{i}"), "ghost@example.org").status_code == 200
    assert attempt(Client(REMOTE_ADDR="10.8.1.1"), "ghost@example.org").status_code == 429
    assert mail.outbox == []


def test_a_password_reset_ends_the_pause(clock, charlie, django_capture_on_commit_callbacks):
    for i in range(4):
        attempt(Client(REMOTE_ADDR=f"10.9.0.{i}"), charlie.email)
    new_browser = Client(REMOTE_ADDR="10.9.1.1")
    assert attempt(new_browser, charlie.email, PASSWORD).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        new_browser.post(reverse("password_reset"), {"email": charlie.email})
    background.worker.wait_idle()
    link = next(m for m in mail.outbox if "Choose a new password" in m.subject).body
    path = "/" + link.split("://", 1)[1].split("/", 1)[1].split()[0]
    new = "an entirely new passphrase 77"
    with django_capture_on_commit_callbacks(execute=True):
        done = new_browser.post(path, {"new_password": new, "new_password_confirm": new})
    assert done.status_code == 302
    assert attempt(new_browser, charlie.email, new).status_code == 302


def test_wrong_current_passwords_of_a_signed_in_person_do_not_pause_sign_in(
    clock, persona_client, charlie
):
    client = persona_client(charlie)
    data = {"current_password": "nope", "new_password": "x" * 20, "new_password_confirm": "x" * 20}
    statuses = [client.post(reverse("password_change"), data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert attempt(Client(REMOTE_ADDR="10.10.0.1"), charlie.email, PASSWORD).status_code == 302


def test_the_database_store_forgets_expired_counters(clock, settings):
    if settings.RATELIMIT_REDIS_URL:
        pytest.skip("Redis expires keys itself")
    from insieme.core.models import RateCounter

    window = throttle.SlidingWindow("probe")
    rate = throttle.Rate(2, 60)
    assert window.acquire("someone", rate).allowed
    assert window.acquire("someone", rate).allowed
    assert not window.acquire("someone", rate).allowed
    assert RateCounter.objects.count() == 1
    clock.now += 10 * 60
    assert throttle.store().purge() == 1
    assert not RateCounter.objects.exists()
    assert window.acquire("someone", rate).allowed


def test_rates_parse_as_documented():
    assert throttle.Rate.parse("120/minute") == throttle.Rate(120, 60)
    assert throttle.Rate.parse("1200/m") == throttle.Rate(1200, 60)
    assert throttle.Rate.parse("5/hour") == throttle.Rate(5, 3600)
    assert throttle.Rate.parse("10/300s") == throttle.Rate(10, 300)
    assert throttle.Rate.parse("2/day") == throttle.Rate(2, 86400)


def test_a_slot_given_back_after_a_slice_ended_is_given_back(clock, charlie):
    """A success gives its slot back even when the password check ended in the next slice of
    the window (it once gave back nothing then, and the success counted as a failure)."""
    rate = throttle.login_rate()
    window = throttle.SlidingWindow("login-account")
    assert window.acquire(charlie.email, rate).allowed
    clock.now += rate.slice  # the check took us into the next slice
    window.release(charlie.email, rate)
    assert window.count(charlie.email, rate) == 0
    for _ in range(rate.limit):
        assert window.acquire(charlie.email, rate).allowed
    assert not window.acquire(charlie.email, rate).allowed


def test_giving_back_never_goes_below_nothing(clock, charlie):
    rate = throttle.login_rate()
    window = throttle.SlidingWindow("login-account")
    window.release(charlie.email, rate)
    assert window.count(charlie.email, rate) == 0
    assert window.acquire(charlie.email, rate).allowed
    assert window.count(charlie.email, rate) == 1
