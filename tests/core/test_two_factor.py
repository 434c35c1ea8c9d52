"""Two-step sign-in at the HTTP level, through the real forms: administrators must set up an
authenticator app before any staff page works; other staff may opt in; codes from the app and
recovery codes (stored hashed, each once); throttled codes; turning it off (not administrators);
the REST API ignores a session still owing its code, and API keys are unaffected."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core import actions as core_actions
from insieme.core import audit, background, throttle, twofactor
from insieme.core.models import AuditEntry, RecoveryCode
from tests.conftest import PASSWORD, fresh_code, give_authenticator

STAFF_PAGE = "/staff/"


@pytest.fixture(autouse=True)
def _chain(db):
    yield
    assert audit.verify().ok


def password_step(client: Client, user, next_url: str = STAFF_PAGE):
    return client.post(
        reverse("login"), {"email": user.email, "password": PASSWORD, "next": next_url}
    )


def setup_key(page: bytes) -> str:
    return re.search(rb'id="two-factor-key">([A-Z2-7 ]+)<', page).group(1).decode()


def code_for(user) -> str:
    device = twofactor.totp_device(user)
    device.refresh_from_db()
    return fresh_code(device)


def set_up(client: Client, user, capture) -> list[str]:
    """The set-up page as a person uses it; returns the recovery codes shown."""
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert setup_key(page.content) == twofactor.secret_text(device)
    with capture(execute=True):
        done = client.post(
            reverse("two_factor_setup"),
            {"code": twofactor.current_code(device), "next": STAFF_PAGE},
        )
    assert done.status_code == 200
    return re.findall(
        r"<code class=\"fs-5\">([a-z2-9]{5}-[a-z2-9]{5})</code>", done.content.decode()
    )


def test_an_administrator_must_set_up_the_app_before_any_staff_page(
    alice, montalto, django_capture_on_commit_callbacks
):
    client = Client()
    response = password_step(client, alice)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    # Every staff page, and the account page, sends them back to the set-up.
    for path in (STAFF_PAGE, f"/staff/{montalto.slug}/", reverse("account")):
        held = client.get(path)
        assert held.status_code == 302, path
        assert held["Location"].startswith(reverse("two_factor_setup"))
    # The REST API treats the session as none.
    assert client.get("/api/v1/cases/").status_code in (401, 403)

    codes = set_up(client, alice, django_capture_on_commit_callbacks)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(STAFF_PAGE).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    # Stored hashed: no raw code in the database.
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert AuditEntry.objects.filter(action="user.second_factor_on", object_id=str(alice.pk))
    assert "Two-step sign-in is on" in mail.outbox[-1].subject


@pytest.mark.parametrize("drift", [-1, 0, 1])
def test_the_tests_next_code_is_accepted_whatever_the_drift(alice, drift):
    # A set-up code typed just after the app moved on is accepted one step back and leaves the
    # device with drift -1 (CI once failed this way: the tests' helper then gave the used code).
    device = give_authenticator(alice)
    device.drift = drift
    device.last_t = int((twofactor.clock() - device.t0) // device.step) + drift
    device.save()
    assert device.verify_token(fresh_code(device))


def test_a_wrong_code_at_set_up_turns_nothing_on(alice):
    client = Client()
    password_step(client, alice)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    if response.status_code == 200 and b"does not match" not in response.content:
        pytest.skip("000000 happened to be the right code")  # one chance in a million
    assert b"does not match" in response.content
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert client.get(STAFF_PAGE).status_code == 302


def test_with_an_app_the_password_then_the_code(alice, montalto):
    give_authenticator(alice)
    client = Client()
    response = password_step(client, alice, f"/staff/{montalto.slug}/")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(STAFF_PAGE)["Location"].startswith(reverse("two_factor_verify"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'autocomplete="one-time-code"' in page.content

    wrong = client.post(reverse("two_factor_verify"), {"code": "12345x"})
    assert b"That code is not right" in wrong.content
    code = code_for(alice)
    right = client.post(
        reverse("two_factor_verify"), {"code": code, "next": f"/staff/{montalto.slug}/"}
    )
    assert right.status_code == 302
    assert right["Location"] == f"/staff/{montalto.slug}/"
    assert client.get(STAFF_PAGE).status_code == 200
    # The same code cannot sign in a second browser (a code is used once).
    other = Client()
    password_step(other, alice)
    again = other.post(reverse("two_factor_verify"), {"code": code})
    assert again.status_code == 200
    assert other.get(STAFF_PAGE).status_code == 302


def test_a_recovery_code_works_once(alice, django_capture_on_commit_callbacks):
    client = Client()
    password_step(client, alice)
    codes = set_up(client, alice, django_capture_on_commit_callbacks)
    client.post(reverse("logout"))

    for attempt, expected in ((codes[3].upper(), 302), (codes[3], 200)):
        browser = Client()
        password_step(browser, alice)
        response = browser.post(reverse("two_factor_verify"), {"code": attempt}, follow=False)
        assert response.status_code == expected
    browser = Client()
    password_step(browser, alice)
    response = browser.post(reverse("two_factor_verify"), {"code": codes[4]}, follow=True)
    assert b"8 left" in response.content


def test_new_recovery_codes_replace_the_old_ones(alice, persona_client):
    client = persona_client(alice)
    first = client.post(reverse("two_factor_codes"))
    old = re.findall(r'<code class="fs-5">([a-z2-9]{5}-[a-z2-9]{5})<', first.content.decode())
    second = client.post(reverse("two_factor_codes"))
    new = re.findall(r'<code class="fs-5">([a-z2-9]{5}-[a-z2-9]{5})<', second.content.decode())
    assert len(old) == len(new) == 10 and not set(old) & set(new)
    browser = Client()
    password_step(browser, alice)
    assert browser.post(reverse("two_factor_verify"), {"code": old[0]}).status_code == 200
    assert browser.post(reverse("two_factor_verify"), {"code": new[0]}).status_code == 302


def test_other_staff_may_opt_in_and_out(bob, django_capture_on_commit_callbacks):
    client = Client()
    assert password_step(client, bob)["Location"] == STAFF_PAGE  # no second step yet
    assert client.get(reverse("two_factor")).status_code == 200
    set_up(client, bob, django_capture_on_commit_callbacks)
    client.post(reverse("logout"))

    assert password_step(client, bob)["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code_for(bob)})
    wrong = client.post(reverse("two_factor_off"), {"password": "not it at all"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=bob).exists()
    with django_capture_on_commit_callbacks(execute=True):
        off = client.post(reverse("two_factor_off"), {"password": PASSWORD})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert "Two-step sign-in is off" in mail.outbox[-1].subject
    client.post(reverse("logout"))
    assert password_step(client, bob)["Location"] == STAFF_PAGE


def test_administrators_cannot_turn_it_off(alice, persona_client):
    client = persona_client(alice)
    page = client.get(reverse("two_factor"))
    assert b"Administrators must keep two-step sign-in." in page.content
    response = client.post(reverse("two_factor_off"), {"password": PASSWORD})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_replacing_the_app_needs_the_current_one(alice):
    give_authenticator(alice)
    client = Client()
    password_step(client, alice)
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"] == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_citizens_have_no_two_step_pages(persona_client, charlie):
    client = persona_client(charlie)
    assert client.get(reverse("two_factor")).status_code == 403
    assert client.get(reverse("two_factor_setup")).status_code == 403


def test_wrong_codes_are_throttled_and_the_owner_told(
    alice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LOGIN_RATE_LIMIT = 3
    monkeypatch.setattr(throttle, "clock", lambda: 1_000_000_050.0)
    give_authenticator(alice)
    client = Client()
    password_step(client, alice)
    statuses = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("two_factor_verify"), {"code": "99999x"})
        statuses.append(response.status_code)
    background.worker.wait_idle()
    assert statuses == [200, 200, 200, 429, 429]
    told = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(told) == 1
    assert "not your code" in told[0].subject
    right = client.post(reverse("two_factor_verify"), {"code": code_for(alice)})
    assert right.status_code == 429  # even the right code waits for the pause


def test_api_keys_need_no_second_factor(alice, montalto):
    _key, raw = core_actions.create_api_key(alice, montalto, name="app", scopes=["cases:read"])
    response = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_the_code_page_needs_a_signed_in_person(db):
    response = Client().get(reverse("two_factor_verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
