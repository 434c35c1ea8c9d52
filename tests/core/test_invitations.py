"""Staff invitations at the HTTP level: who may invite, what may be chosen, and acceptance by a new
person and by an existing account; expired, used and unknown links are refused."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insieme.core import actions, audit, background, throttle
from insieme.core.access import has_perm
from insieme.core.models import AuditEntry, Invitation, Membership, User
from insieme.core.permissions import Perm, Role
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def _fresh_throttle_and_chain(db, monkeypatch):
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


@pytest.fixture
def roads(alice, montalto):
    return actions.create_department(alice, montalto, name="Roads", code="roads")


@pytest.fixture
def lake_dept(oscar, lagoverde):
    return actions.create_department(oscar, lagoverde, name="Lake", code="lake")


def invite_url(slug: str = "montalto") -> str:
    return reverse("invitation_create", args=[slug])


def invite_data(**overrides) -> dict:
    data = {
        "email": "Nora@Example.org",
        "full_name": "Nora Nuova",
        "role": Role.OFFICER,
        "department": "",
        "capacity": 15,
    }
    return data | overrides


def link_in(message) -> str:
    url = re.search(r"https?://\S+", message.body).group(0)
    return urlparse(url).path


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def invited(alice, roads, persona_client, send):
    """An open invitation for nora@example.org; returns the acceptance path from the e-mail."""
    send(persona_client(alice), "post", invite_url(), invite_data(department=roads.pk))
    return link_in(mail.outbox[-1])


# --- who may invite ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, montalto):
    response = client.get(invite_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_administrator_may_invite(persona_client, alice):
    response = persona_client(alice).get(invite_url())
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


@pytest.mark.parametrize("persona", ["bob", "carla", "dario", "elena", "rita"])
def test_staff_without_membership_manage_get_403(request, persona_client, send, persona):
    user = request.getfixturevalue(persona)
    assert not has_perm(user, Perm.MEMBERSHIP_MANAGE, user.memberships.get().administration)
    client = persona_client(user)
    assert client.get(invite_url()).status_code == 403
    assert send(client, "post", invite_url(), invite_data()).status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["oscar", "charlie"])
def test_other_tenant_and_citizens_get_404(request, persona_client, send, montalto, persona):
    client = persona_client(request.getfixturevalue(persona))
    assert client.get(invite_url()).status_code == 404
    assert send(client, "post", invite_url(), invite_data()).status_code == 404
    assert client.get(invite_url("no-such-place")).status_code == 404
    assert not Invitation.objects.exists()


# --- creating an invitation --------------------------------------------------------------------


def test_invitation_is_created_audited_and_mailed(persona_client, send, alice, roads, montalto):
    client = persona_client(alice)
    response = send(client, "post", invite_url(), invite_data(department=roads.pk))
    assert response.status_code == 302
    inv = Invitation.objects.get()
    assert (inv.email, inv.full_name, inv.role) == ("nora@example.org", "Nora Nuova", "officer")
    assert (inv.department, inv.capacity, inv.invited_by) == (roads, 15, alice)
    assert timedelta(days=6, hours=23) < inv.expires_at - timezone.now() <= timedelta(days=7)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nora@example.org"]
    raw = token_of(link_in(mail.outbox[0]))
    assert inv.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert mail.outbox[0].extra_headers["Content-Language"] == montalto.locale

    page = client.get(invite_url())
    assert raw.encode() not in page.content  # the secret is only in the e-mail
    assert b"nora@example.org" in page.content  # listed as waiting
    entry = AuditEntry.objects.filter(action="invitation.create").get()
    assert entry.actor == alice and entry.administration == montalto
    assert "token_hash" not in entry.after


def test_department_must_belong_to_the_administration(persona_client, send, alice, lake_dept):
    response = send(
        persona_client(alice), "post", invite_url(), invite_data(department=lake_dept.pk)
    )
    assert response.status_code == 200
    assert b'id="id_department_error"' in response.content
    assert b'value="Nora@Example.org"' in response.content
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invitation_form_errors(persona_client, send, alice, bob):
    client = persona_client(alice)
    response = send(
        client, "post", invite_url(), invite_data(email="nope", role="wizard", capacity=-1)
    )
    assert response.status_code == 200
    for field in ("email", "role", "capacity"):
        assert f'id="id_{field}_error"'.encode() in response.content
    again = send(client, "post", invite_url(), invite_data(email=bob.email, role=Role.OFFICER))
    assert b"already has this role" in again.content
    assert not Invitation.objects.exists()


# --- accepting ---------------------------------------------------------------------------------


def test_new_person_accepts_and_becomes_staff(client, send, invited, montalto, roads):
    page = client.get(invited)
    assert page.status_code == 200
    assert b'value="Nora Nuova"' in page.content

    mismatch = {"full_name": "Nora Nuova", "password": NEW_PASSWORD, "password_confirm": "x"}
    assert b"do not match" in send(client, "post", invited, mismatch).content
    weak = {"full_name": "Nora Nuova", "password": "123", "password_confirm": "123"}
    assert b'id="id_password_error"' in send(client, "post", invited, weak).content
    assert not User.objects.filter(email="nora@example.org").exists()

    good = {
        "full_name": "Nora N. Nuova",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    response = send(client, "post", invited, good)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_home")
    user = User.objects.get(email="nora@example.org")
    assert user.full_name == "Nora N. Nuova"
    assert user.email_verified_at is not None
    assert user.check_password(NEW_PASSWORD)
    m = Membership.objects.get(user=user)
    assert (m.administration, m.role, m.department, m.capacity) == (montalto, "officer", roads, 15)
    assert Invitation.objects.get().accepted_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    logged = list(AuditEntry.objects.values_list("action", flat=True))
    assert logged[-3:] == ["user.create", "membership.create", "invitation.accept"]

    reused = Client().get(invited)
    assert reused.status_code == 410
    assert send(Client(), "post", invited, good).status_code == 410


def test_existing_account_must_log_in_as_itself(
    persona_client, send, alice, montalto, charlie, bob
):
    send(persona_client(alice), "post", invite_url(), invite_data(email=charlie.email))
    path = link_in(mail.outbox[-1])

    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    assert b"Log in to accept" in anonymous.content
    assert reverse("login").encode() in anonymous.content

    assert persona_client(bob).get(path).status_code == 403
    assert send(persona_client(bob), "post", path).status_code == 403

    client = persona_client(charlie)
    assert client.get(path).status_code == 200
    assert not Membership.objects.filter(user=charlie).exists()
    response = send(client, "post", path)
    assert response.status_code == 302
    assert Membership.objects.get(user=charlie).administration == montalto
    assert has_perm(charlie, Perm.SERVICE_READ, montalto)
    assert client.get(path).status_code == 410


def test_login_next_brings_the_invited_person_back(persona_client, send, alice, charlie):
    send(persona_client(alice), "post", invite_url(), invite_data(email=charlie.email))
    path = link_in(mail.outbox[-1])
    client = Client()
    response = client.post(
        reverse("login"), {"email": charlie.email, "password": PASSWORD, "next": path}
    )
    assert response["Location"] == path


def test_expired_and_unknown_links_are_refused(client, send, invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(invited)
    assert expired.status_code == 410
    assert b"expired" in expired.content
    good = {"full_name": "Nora", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert send(client, "post", invited, good).status_code == 410
    assert not User.objects.filter(email="nora@example.org").exists()

    unknown = client.get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert unknown.status_code == 404
    assert b"not valid" in unknown.content
