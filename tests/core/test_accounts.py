"""Accounts at the HTTP level: register and verify, log in and out (with the throttle), password
reset and change, e-mail change, and the preferences page. E-mails are read from the outbox."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from insieme.core import audit, background, throttle, tokens
from insieme.core.models import AuditEntry, User
from insieme.core.notify import send_templated_email
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def _fresh_throttle_and_chain(db, monkeypatch):
    """Throttle counters start empty (tests/conftest.py); the chain must stay intact."""
    # One moment for the whole test: the throttle tests move the clock themselves.
    monkeypatch.setattr(throttle, "clock", lambda: 1_000_000_050.0)
    yield
    assert audit.verify().ok


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(client, method, url, data) runs on-commit work (e-mail) as a real commit would."""

    def run(client: Client, method: str, url: str, data: dict | None = None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(url, data or {}, **extra)
        background.worker.wait_idle()  # mail that goes out after the answer
        return response

    return run


def link_in(message) -> str:
    """The path of the first link in an e-mail body."""
    url = re.search(r"https?://\S+", message.body).group(0)
    return urlparse(url).path


def actions_logged() -> list[str]:
    return list(AuditEntry.objects.values_list("action", flat=True))


def register_data(**overrides) -> dict:
    data = {
        "email": "nina@example.org",
        "full_name": "Nina Nuova",
        "preferred_language": "en",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    return data | overrides


# --- registration and verification ---------------------------------------------------------


def test_register_then_follow_the_link_verifies(client, send):
    assert client.get(reverse("register")).status_code == 200
    response = send(client, "post", reverse("register"), register_data(email="Nina@Example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("register_done")
    user = User.objects.get(email="nina@example.org")
    assert user.email_verified_at is None
    assert user.check_password(NEW_PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.org"]
    assert mail.outbox[0].extra_headers["Content-Language"] == "en"

    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 200
    assert b"is now confirmed" in response.content
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert actions_logged()[-2:] == ["user.create", "user.verify_email"]

    again = client.get(link_in(mail.outbox[0]))
    assert again.status_code == 200
    assert b"confirmed already" in again.content
    assert actions_logged().count("user.verify_email") == 1


def test_register_mismatched_passwords_keeps_input_but_not_passwords(client, send):
    data = register_data(password_confirm="something else entirely")
    response = send(client, "post", reverse("register"), data)
    assert response.status_code == 200
    assert b"The two passwords do not match." in response.content
    assert b'role="alert"' in response.content
    assert b'value="nina@example.org"' in response.content
    assert b'value="Nina Nuova"' in response.content
    assert NEW_PASSWORD.encode() not in response.content
    assert not User.objects.filter(email="nina@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "weak",
    [
        "short1",
        "12345678901234",
        "password1234",
        "Only11chars",  # 11 characters
        "ChickenWing101",  # published in breaches (12+ characters, not in Django's own list)
        "websolutions",
    ],
)
def test_register_refuses_a_weak_password(client, send, weak):
    response = send(
        client, "post", reverse("register"), register_data(password=weak, password_confirm=weak)
    )
    assert response.status_code == 200
    assert b'id="id_password_error"' in response.content
    assert not User.objects.filter(email="nina@example.org").exists()


def test_passwords_of_twelve_characters_not_on_the_lists_are_accepted(db):
    from django.contrib.auth.password_validation import validate_password

    from insieme.demo.generator import DEMO_PASSWORD

    for good in ["Twelve-chars", DEMO_PASSWORD, PASSWORD, NEW_PASSWORD]:
        validate_password(good, User(email="nina@example.org", full_name="Nina Nuova"))


def test_register_with_a_taken_address_answers_the_same_and_tells_the_owner(client, send, charlie):
    before = User.objects.count()
    data = register_data(email="CHARLIE@example.org")
    response = send(client, "post", reverse("register"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("register_done")
    assert User.objects.count() == before
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["charlie@example.org"]
    assert "already have" in mail.outbox[0].subject


def test_register_refuses_a_bad_address_and_an_empty_name(client, send):
    response = send(
        client, "post", reverse("register"), register_data(email="not-an-address", full_name="")
    )
    assert response.status_code == 200
    assert b'id="id_email_error"' in response.content
    assert b'id="id_full_name_error"' in response.content


def test_verification_link_tampered_expired_or_outdated(client, send, monkeypatch):
    send(client, "post", reverse("register"), register_data())
    path = link_in(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]

    tampered = reverse("verify_email", args=[token[:-2] + ("AA" if token[-2:] != "AA" else "BB")])
    assert client.get(tampered).status_code == 404
    assert client.get(reverse("verify_email", args=["garbage"])).status_code == 404

    monkeypatch.setattr(tokens, "VERIFY_MAX_AGE", -1)
    expired = client.get(path)
    assert expired.status_code == 410
    assert b"expired" in expired.content
    monkeypatch.undo()

    user = User.objects.get(email="nina@example.org")
    User.objects.filter(pk=user.pk).update(email="nina.other@example.org")
    assert client.get(path).status_code == 410
    user.refresh_from_db()
    assert user.email_verified_at is None


# --- log in and out --------------------------------------------------------------------------


def test_login_and_logout(client, charlie):
    response = client.post(reverse("login"), {"email": "Charlie@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("account")).status_code == 200

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("account")).status_code == 200  # still logged in
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("account")).status_code == 302


def test_login_follows_only_a_local_next(client, charlie):
    data = {"email": charlie.email, "password": PASSWORD}
    response = client.post(reverse("login"), data | {"next": "/services/"})
    assert response["Location"] == "/services/"
    client.post(reverse("logout"))
    response = client.post(reverse("login"), data | {"next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_login_wrong_password_shows_one_message_for_both_cases(client, charlie):
    wrong = client.post(reverse("login"), {"email": charlie.email, "password": "nope nope nope"})
    unknown = client.post(reverse("login"), {"email": "nobody@example.org", "password": "nope"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert b"The e-mail address or the password is not correct." in response.content
    assert b'value="charlie@example.org"' in wrong.content


def test_unverified_person_can_log_in_with_a_warning(client, send):
    send(client, "post", reverse("register"), register_data())
    response = client.post(
        reverse("login"), {"email": "nina@example.org", "password": NEW_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    assert b"not confirmed yet" in response.content
    page = client.get(reverse("account"))
    assert b"Send a new confirmation link" in page.content
    resend = send(client, "post", reverse("verify_email_resend"))
    assert resend.status_code == 302
    assert len(mail.outbox) == 2
    assert client.get(link_in(mail.outbox[1])).status_code == 200


def test_login_throttle_per_address(client, settings, charlie):
    settings.LOGIN_RATE_LIMIT = 3
    for i in range(3):
        response = client.post(reverse("login"), {"email": f"x{i}@example.org", "password": "bad"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"email": charlie.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert b"Too many attempts" in response.content
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post(reverse("login"), {"email": charlie.email, "password": PASSWORD}).status_code
        == 302
    )


def test_login_throttle_per_account(settings, charlie):
    settings.LOGIN_RATE_LIMIT = 3
    for i in range(3):
        c = Client(REMOTE_ADDR=f"10.0.0.{i}")
        assert (
            c.post(reverse("login"), {"email": charlie.email, "password": "bad"}).status_code == 200
        )
    fresh = Client(REMOTE_ADDR="10.0.0.99")
    response = fresh.post(reverse("login"), {"email": charlie.email.upper(), "password": PASSWORD})
    assert response.status_code == 429


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_does_not_reveal_whether_an_address_exists(client, send, charlie):
    known = send(client, "post", reverse("password_reset"), {"email": charlie.email})
    unknown = send(client, "post", reverse("password_reset"), {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[charlie.email]]


def test_password_reset_flow(client, send, charlie):
    send(client, "post", reverse("password_reset"), {"email": charlie.email})
    path = link_in(mail.outbox[0])
    assert client.get(path).status_code == 200

    mismatch = {"new_password": NEW_PASSWORD, "new_password_confirm": "other other other"}
    assert b"do not match" in send(client, "post", path, mismatch).content
    weak = {"new_password": "123", "new_password_confirm": "123"}
    response = send(client, "post", path, weak)
    assert response.status_code == 200
    assert b'id="id_new_password_error"' in response.content

    good = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    response = send(client, "post", path, good)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    charlie.refresh_from_db()
    assert charlie.check_password(NEW_PASSWORD)
    assert "user.password_reset" in actions_logged()
    assert "password was changed" in mail.outbox[-1].subject

    assert client.get(path).status_code == 404  # used: the token changed with the password
    bad = reverse("password_reset_confirm", args=["MTIzNDU2", "nope-token"])
    assert client.get(bad).status_code == 404
    logged = client.post(reverse("login"), {"email": charlie.email, "password": NEW_PASSWORD})
    assert logged.status_code == 302


# --- password change ---------------------------------------------------------------------------


def test_password_change(persona_client, send, charlie):
    client = persona_client(charlie)
    wrong = {
        "current_password": "not it at all",
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    response = send(client, "post", reverse("password_change"), wrong)
    assert response.status_code == 200
    assert b"Your current password is not correct." in response.content

    good = wrong | {"current_password": PASSWORD}
    response = send(client, "post", reverse("password_change"), good)
    assert response["Location"] == reverse("password_change_done")
    charlie.refresh_from_db()
    assert charlie.check_password(NEW_PASSWORD)
    assert client.get(reverse("account")).status_code == 200  # this session survives
    assert "user.password_change" in actions_logged()
    assert len(mail.outbox) == 1


# --- e-mail change -----------------------------------------------------------------------------


def test_email_change_flow(persona_client, send, charlie):
    client = persona_client(charlie)
    url = reverse("email_change")
    assert client.get(url).status_code == 200

    response = send(client, "post", url, {"new_email": "new@example.org", "password": "wrong one"})
    assert response.status_code == 200
    assert b"Your current password is not correct." in response.content
    assert b'value="new@example.org"' in response.content
    same = send(client, "post", url, {"new_email": charlie.email, "password": PASSWORD})
    assert b"already your e-mail address" in same.content
    assert mail.outbox == []

    response = send(client, "post", url, {"new_email": "New@Example.org", "password": PASSWORD})
    assert response["Location"] == reverse("email_change_done")
    assert mail.outbox[0].to == ["new@example.org"]
    charlie.refresh_from_db()
    assert charlie.email == "charlie@example.org"  # nothing changes before the link is followed

    path = link_in(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert b"new@example.org" in page.content
    done = send(Client(), "post", path)
    assert done.status_code == 200
    charlie.refresh_from_db()
    assert charlie.email == "new@example.org"
    assert charlie.email_verified_at is not None
    entry = AuditEntry.objects.filter(action="user.email_change").get()
    assert entry.before["email"] == "charlie@example.org"
    assert entry.after["email"] == "new@example.org"
    assert mail.outbox[-1].to == ["charlie@example.org"]  # the old address is told

    assert client.get(path).status_code == 410  # works once


def test_email_change_to_an_address_taken_meanwhile(persona_client, send, charlie, bob):
    client = persona_client(charlie)
    send(client, "post", reverse("email_change"), {"new_email": bob.email, "password": PASSWORD})
    response = send(client, "post", link_in(mail.outbox[0]))
    assert response.status_code == 409
    charlie.refresh_from_db()
    assert charlie.email == "charlie@example.org"


# --- the account page --------------------------------------------------------------------------


def test_account_requires_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_account_preferences_are_saved_and_audited(persona_client, charlie):
    client = persona_client(charlie)
    page = client.get(reverse("account"))
    assert page.status_code == 200
    assert page.content.count(b"<h1") == 1
    data = {
        "full_name": "Charlie C. Citizen",
        "preferred_language": "it",
        "phone": "+39 055 123456",
        "contact_channel": "sms",
        "large_text": "on",
        "high_contrast": "on",
        "easy_read": "on",
        "screen_reader": "on",
    }
    response = client.post(reverse("account"), data)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "it"
    charlie.refresh_from_db()
    assert charlie.full_name == "Charlie C. Citizen"
    assert charlie.preferred_language == "it"
    assert charlie.contact_channel == "sms"
    assert charlie.large_text and charlie.high_contrast and charlie.easy_read
    assert charlie.screen_reader
    entry = AuditEntry.objects.filter(action="user.update").get()
    assert entry.before["preferred_language"] == "en"
    assert entry.after["preferred_language"] == "it"

    client.post(reverse("account"), data)  # nothing changed: nothing written
    assert AuditEntry.objects.filter(action="user.update").count() == 1


def test_account_preferences_errors_keep_input(persona_client, charlie):
    client = persona_client(charlie)
    data = {
        "full_name": "Charlie Changed",
        "preferred_language": "en",
        "phone": "",
        "contact_channel": "sms",
    }
    response = client.post(reverse("account"), data)
    assert response.status_code == 200
    assert b"Give a phone number to receive text messages." in response.content
    assert b'value="Charlie Changed"' in response.content
    bad_phone = client.post(reverse("account"), data | {"phone": "call me maybe"})
    assert b'id="id_phone_error"' in bad_phone.content
    charlie.refresh_from_db()
    assert charlie.full_name == "Charlie Citizen"
    assert not AuditEntry.objects.filter(action="user.update").exists()


# --- the e-mail interface ----------------------------------------------------------------------


def test_email_goes_in_the_recipients_language_and_only_after_commit(
    django_capture_on_commit_callbacks, charlie
):
    charlie.preferred_language = "it"
    context = {"user": charlie, "reset_link": "http://x/"}
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(charlie, "password_changed", context)
        send_templated_email("someone@example.org", "password_changed", context, language="xx")
        with pytest.raises(RuntimeError), transaction.atomic():
            send_templated_email(charlie, "password_changed", context)
            raise RuntimeError("the write fails")
    assert [m.extra_headers["Content-Language"] for m in mail.outbox] == ["it", "en"]
    assert mail.outbox[1].to == ["someone@example.org"]
