"""Registration and password reset do the same work whether or not the address has an account,
so their time tells nothing (the figures are in `make bench`: core.account_timing).

Never a wall-clock assertion: the tests count what each path does (slow password hashes, e-mail
templates rendered, messages handed over) and check that the answer never waits for the mail
server, with a mail backend that holds every message until the test lets it go.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from insieme.core import background

PASSWORD = "a brand new passphrase 42"


class CountingHasher(MD5PasswordHasher):
    """Counts how many passwords are hashed (the slow step of a real hasher)."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


class HeldMailServer(EmailBackend):
    """Holds every message until `release` is set (at most 3 s), as a slow mail server would."""

    release = threading.Event()
    accepted: list[str] = []

    def send_messages(self, messages):
        self.release.wait(3)
        HeldMailServer.accepted.extend(m.to[0] for m in messages)
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def held_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.HeldMailServer"
    HeldMailServer.release.clear()
    HeldMailServer.accepted.clear()
    yield HeldMailServer
    HeldMailServer.release.set()
    background.worker.wait_idle()


def email_templates(response) -> list[str]:
    return sorted(t.name for t in response.templates if t.name.startswith("email/"))


def post(client: Client, url: str, data: dict, capture):
    with capture(execute=True):
        return client.post(url, data)


def register_data(email: str) -> dict:
    return {
        "email": email,
        "full_name": "Nina Nuova",
        "preferred_language": "en",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }


def test_registration_hashes_once_and_mails_once_either_way(
    counting, charlie, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    counting.calls = 0
    known = post(Client(), reverse("register"), register_data(charlie.email), capture)
    known_hashes = counting.calls
    counting.calls = 0
    new = post(Client(), reverse("register"), register_data("nina@example.org"), capture)
    new_hashes = counting.calls
    background.worker.wait_idle()

    assert known_hashes == new_hashes == 1
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    # One message each (subject and body rendered), to the address typed.
    assert len(email_templates(known)) == len(email_templates(new)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [charlie.email, "nina@example.org"]


def test_password_reset_makes_the_same_message_either_way(
    counting, charlie, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    counting.calls = 0
    known = post(Client(), reverse("password_reset"), {"email": charlie.email}, capture)
    unknown = post(Client(), reverse("password_reset"), {"email": "ghost@example.org"}, capture)
    background.worker.wait_idle()

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert (
        email_templates(known)
        == email_templates(unknown)
        == [
            "email/password_reset_body.txt",
            "email/password_reset_subject.txt",
        ]
    )
    assert counting.calls == 0
    assert [m.to for m in mail.outbox] == [[charlie.email]]  # only the real one is sent


@pytest.mark.parametrize("url_name", ["register", "password_reset"])
def test_the_answer_never_waits_for_the_mail_server(
    url_name, held_mail, charlie, django_capture_on_commit_callbacks
):
    data = register_data(charlie.email) if url_name == "register" else {"email": charlie.email}
    response = post(Client(), reverse(url_name), data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # The answer is here while the mail server still holds the message.
    assert held_mail.accepted == []
    held_mail.release.set()
    assert background.worker.wait_idle()
    assert held_mail.accepted == [charlie.email]
    assert [m.to for m in mail.outbox] == [[charlie.email]]
