"""Signing in with a digital identity, the whole authorization-code flow against a real provider
(tests/identity/provider): who is matched to which account, who gets a new one, who does not."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client

from insieme.core import actions as core_actions
from insieme.core.models import AuditEntry, User
from insieme.identity.claims import fiscal_code_hash
from insieme.identity.models import Identity
from tests.conftest import make_user
from tests.identity.conftest import person, sign_in

pytestmark = pytest.mark.django_db


def _signed_in_as(client: Client) -> User | None:
    user = get_user(client)
    return user if user.is_authenticated else None


def test_an_unknown_person_gets_a_citizen_account_with_the_address_verified(oidc):
    client = Client()
    response = sign_in(client, "anna", next_url="/accounts/")
    assert response.status_code == 302, response.content[:800]
    assert response["Location"] == "/accounts/"
    user = _signed_in_as(client)
    anna = person("anna")
    assert user is not None and user.email == anna["email"]
    assert user.full_name == "Anna Neri"
    assert user.email_verified_at is not None
    assert not user.has_usable_password()
    assert not user.memberships.exists()
    identity = Identity.objects.get(user=user)
    assert identity.issuer == oidc.issuer
    assert identity.subject == "op-anna"
    assert identity.fiscal_code_hash == fiscal_code_hash("NREANN92D50G273K")
    assert identity.assurance == "https://www.spid.gov.it/SpidL2"
    actions = list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert {"identity.link", "identity.sign_in"} <= set(actions)
    page = client.get("/accounts/")
    assert b"Welcome! Your account has been created with Test ID." in page.content


def _linked_elsewhere(user: User, code: str, issuer: str = "https://cie.example") -> Identity:
    """An identity from another provider (CIE, say) linked to `user` earlier."""
    from django.utils import timezone

    now = timezone.now()
    return Identity.objects.create(
        user=user,
        issuer=issuer,
        subject="cie-0001",
        fiscal_code_hash=fiscal_code_hash(code),
        linked_at=now,
        last_used_at=now,
    )


def test_a_known_person_is_found_by_fiscal_code(oidc):
    mario = make_user("mario@comune.example", "Mario Rossi")
    _linked_elsewhere(mario, "RSSMRA80A01H501U")
    client = Client()
    response = sign_in(client, "mario")
    assert response.status_code == 302, response.content[:800]
    assert _signed_in_as(client) == mario
    mario.refresh_from_db()
    assert mario.email == "mario@comune.example"  # the provider's address changes nothing
    assert Identity.objects.filter(user=mario).count() == 2
    entry = AuditEntry.objects.filter(action="identity.sign_in").latest("seq")
    assert entry.after["matched_by"] == "fiscal_code"
    assert not User.objects.filter(email=person("mario")["email"]).exists()


def test_a_known_person_is_found_by_an_address_the_provider_verified(oidc):
    giulia = core_actions.create_user(
        None, email="giulia.bianchi@example.org", full_name="Giulia B.", password="x" * 20
    )
    assert giulia.email_verified_at is None
    client = Client()
    response = sign_in(client, "giulia")
    assert response.status_code == 302, response.content[:800]
    assert _signed_in_as(client) == giulia
    giulia.refresh_from_db()
    assert giulia.email_verified_at is not None  # the provider vouched for it
    assert giulia.full_name == "Giulia B."  # the person's own name stays
    assert AuditEntry.objects.filter(actor=giulia, action="user.verify_email").exists()
    entry = AuditEntry.objects.filter(action="identity.sign_in").latest("seq")
    assert entry.after["matched_by"] == "email"


def test_an_address_the_provider_did_not_verify_finds_no_account(oidc):
    paolo = make_user("paolo.verdi@example.org", "Paolo Verdi")
    client = Client()
    response = sign_in(client, "paolo")
    assert response.status_code == 409
    assert b"If you have an account already, log in with your password" in response.content
    assert _signed_in_as(client) is None
    assert not Identity.objects.exists()
    assert User.objects.filter(email__iexact="paolo.verdi@example.org").get() == paolo


def test_an_account_linked_to_another_fiscal_code_is_not_found_by_address(oidc):
    giulia = make_user("giulia.bianchi@example.org", "Giulia Bianchi")
    _linked_elsewhere(giulia, "RSSMRA80A01H501U")  # someone else's code
    client = Client()
    response = sign_in(client, "giulia")
    assert response.status_code == 409
    assert _signed_in_as(client) is None
    assert Identity.objects.filter(user=giulia).count() == 1


def test_a_second_sign_in_finds_the_linked_identity(oidc):
    first = Client()
    sign_in(first, "anna")
    anna = _signed_in_as(first)
    identity = Identity.objects.get(user=anna)
    again = Client()
    response = sign_in(again, "anna")
    assert response.status_code == 302
    assert _signed_in_as(again) == anna
    assert Identity.objects.get() == identity
    assert Identity.objects.get().last_used_at > identity.last_used_at
    assert User.objects.filter(email=person("anna")["email"]).count() == 1
    entry = AuditEntry.objects.filter(action="identity.sign_in").latest("seq")
    assert entry.after["matched_by"] == "identity"


def test_without_an_address_no_account_is_made(oidc):
    client = Client()
    response = sign_in(client, "luce")
    assert response.status_code == 400
    assert b"did not share an e-mail address" in response.content
    assert _signed_in_as(client) is None
    assert not Identity.objects.exists()
    assert not User.objects.filter(full_name="Luce Russo").exists()


def test_accounts_are_not_made_when_the_installation_says_so(oidc, settings):
    settings.INSIEME_OIDC = {**settings.INSIEME_OIDC, "CREATE_ACCOUNTS": False}
    client = Client()
    response = sign_in(client, "anna")
    assert response.status_code == 403
    assert b"There is no account for you yet" in response.content
    assert not User.objects.filter(email=person("anna")["email"]).exists()


def test_a_closed_account_does_not_sign_in(oidc):
    giulia = make_user("giulia.bianchi@example.org", "Giulia Bianchi")
    User.objects.filter(pk=giulia.pk).update(is_active=False)
    client = Client()
    response = sign_in(client, "giulia")
    assert response.status_code == 403
    assert b"This account is closed" in response.content
    assert _signed_in_as(client) is None


def test_next_leads_inside_the_site_only(oidc):
    client = Client()
    response = sign_in(client, "anna", next_url="https://elsewhere.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_signed_in_person_links_their_identity_from_the_account_page(oidc, charlie):
    from tests.conftest import sign_in as sign_in_with_password

    client = sign_in_with_password(Client(), charlie)
    page = client.get("/accounts/")
    assert b"Link Test ID" in page.content
    response = sign_in(client, "mario", next_url="/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert _signed_in_as(client) == charlie
    identity = Identity.objects.get(user=charlie)
    assert identity.fiscal_code_hash == fiscal_code_hash("RSSMRA80A01H501U")
    page = client.get("/accounts/")
    assert b"is now linked to your account" in page.content
    assert oidc.issuer.encode() in page.content  # the linked identity is listed
    # Next time, from another browser, the provider's sign-in finds the same account.
    elsewhere = Client()
    sign_in(elsewhere, "mario")
    assert _signed_in_as(elsewhere) == charlie


def test_an_identity_of_another_account_is_not_linked(oidc, charlie):
    from tests.conftest import sign_in as sign_in_with_password

    sign_in(Client(), "anna")  # anna's own account, linked to her identity
    client = sign_in_with_password(Client(), charlie)
    response = sign_in(client, "anna")
    assert response.status_code == 409
    assert b"This digital identity is linked to another account" in response.content
    assert _signed_in_as(client) == charlie
    assert not Identity.objects.filter(user=charlie).exists()


def test_staff_give_their_second_factor_after_the_provider(oidc, alice):
    client = Client()
    response = sign_in(client, "alice", next_url="/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-step/set-up/")
    assert _signed_in_as(client) == alice
    assert client.get("/staff/").status_code == 302  # held until the second factor


def test_a_two_factor_sign_in_at_the_provider_counts_as_the_second_factor(oidc, settings, alice):
    from tests.identity.provider.people import ACR

    settings.INSIEME_OIDC = {**settings.INSIEME_OIDC, "SECOND_FACTOR_ACR": [ACR]}
    client = Client()
    response = sign_in(client, "alice", next_url="/staff/")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_the_provider_vouches_for_residents_in_the_ballots(oidc, montalto, lagoverde, region):
    from insieme.budgets import verification
    from insieme.budgets.models import RegisterEntry, Verification

    giulia = person("giulia")
    register = verification.register_for(montalto)
    RegisterEntry.objects.create(
        register=register,
        entry_hash=verification.hash_for(montalto, "BNCGLI85M41F205B", giulia["birthdate"]),
    )
    register.entries_count = 1
    register.save(update_fields=["entries_count"])
    other = verification.register_for(lagoverde)  # a register she is not in
    RegisterEntry.objects.create(
        register=other,
        entry_hash=verification.hash_for(lagoverde, "RSSMRA80A01H501U", "1980-01-01"),
    )
    other.entries_count = 1
    other.save(update_fields=["entries_count"])
    region.feature_flags = {"identity_verifies_voters": True}  # ballots open to any eID
    region.save(update_fields=["feature_flags"])

    client = Client()
    sign_in(client, "giulia")
    user = _signed_in_as(client)
    verified = Verification.objects.filter(user=user)
    assert {v.administration.slug for v in verified} == {"montalto", "valdoro"}
    assert {v.method for v in verified} == {"eid"}
    page = client.get("/")
    assert b"You are verified to vote in the ballots of" in page.content
    # Signing in again changes nothing.
    sign_in(Client(), "giulia")
    assert Verification.objects.filter(user=user).count() == 2


def test_the_login_page_offers_the_provider_only_when_configured(settings, provider):
    page = Client().get("/accounts/login/?next=/my/requests/")
    assert b"Sign in with" not in page.content
    assert Client().get("/accounts/oidc/authenticate/").status_code == 404
    assert Client().get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    from tests.identity.conftest import oidc_options

    settings.INSIEME_OIDC = oidc_options(provider)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "insieme.identity.backend.IdentityBackend",
    ]
    page = Client().get("/accounts/login/?next=/my/requests/")
    assert b"Sign in with Test ID" in page.content
    assert b"/accounts/oidc/authenticate/?next=%2Fmy%2Frequests%2F" in page.content
