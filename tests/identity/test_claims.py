"""Reading what the provider says about a person: values that are not what they claim to be are
dropped, never trusted; the id token and userinfo must be about one subject."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from insieme.identity import claims
from insieme.identity.errors import SignInError
from tests.conftest import PASSWORD

ID_TOKEN = {"iss": "https://id.example/", "sub": "abc", "acr": "https://www.spid.gov.it/SpidL2"}


def test_spid_style_claims_are_read(settings):
    settings.INSIEME_OIDC = {}
    person = claims.read(
        ID_TOKEN,
        {
            "sub": "abc",
            "given_name": "Mario",
            "family_name": "Rossi",
            "email": " Mario.Rossi@Example.ORG ",
            "email_verified": True,
            "https://attributes.eid.gov.it/fiscal_number": "TINIT-rssmra80a01h501u",
            "birthdate": "1980-01-01",
        },
    )
    assert person.issuer == "https://id.example"
    assert person.full_name == "Mario Rossi"
    assert person.email == "mario.rossi@example.org"
    assert person.email_verified
    assert person.fiscal_code == "RSSMRA80A01H501U"
    assert person.birth_date == dt.date(1980, 1, 1)
    assert person.assurance == "https://www.spid.gov.it/SpidL2"
    assert len(person.fiscal_code_hash) == 64


@pytest.mark.parametrize(
    ("userinfo", "field", "expected"),
    [
        ({"email": "not an address", "email_verified": True}, "email", ""),
        ({"email": "a@b.example", "email_verified": "true"}, "email_verified", True),
        ({"email": "a@b.example", "email_verified": "yes"}, "email_verified", False),
        ({"email": "a@b.example"}, "email_verified", False),
        ({"email_verified": True}, "email_verified", False),  # no address to verify
        ({"fiscal_number": "RSSMRA80A01H501X"}, "fiscal_code", ""),  # wrong check character
        ({"fiscal_number": "12345"}, "fiscal_code", ""),
        ({"fiscal_number": "TINIT-12345678901"}, "fiscal_code", "12345678901"),
        ({"birthdate": "3000-01-01"}, "birth_date", None),
        ({"birthdate": "yesterday"}, "birth_date", None),
        ({"name": "Ada\x00 Lovelace\u200b"}, "full_name", "Ada Lovelace"),
        ({"name": "x" * 500}, "full_name", "x" * 200),
    ],
)
def test_values_that_are_not_what_they_claim_are_dropped(settings, userinfo, field, expected):
    settings.INSIEME_OIDC = {}
    assert getattr(claims.read(ID_TOKEN, userinfo), field) == expected


def test_the_fiscal_code_claim_is_configurable(settings):
    settings.INSIEME_OIDC = {"FISCAL_CODE_CLAIMS": ["fiscalNumber"]}
    person = claims.read(ID_TOKEN, {"fiscalNumber": "RSSMRA80A01H501U", "fiscal_number": "x"})
    assert person.fiscal_code == "RSSMRA80A01H501U"


def test_userinfo_about_another_subject_is_refused(settings):
    settings.INSIEME_OIDC = {}
    with pytest.raises(SignInError) as refused:
        claims.read(ID_TOKEN, {"sub": "someone-else"})
    assert refused.value.reason == "invalid"
    with pytest.raises(SignInError):
        claims.read({"iss": "https://id.example"}, {})


def test_the_fingerprint_is_keyed(settings):
    first = claims.fiscal_code_hash("RSSMRA80A01H501U")
    settings.SECRET_KEY = "another key " * 5
    assert claims.fiscal_code_hash("RSSMRA80A01H501U") != first


@pytest.mark.django_db
def test_password_sign_in_still_works_beside_the_provider(oidc, charlie):
    client = Client()
    response = client.post(
        "/accounts/login/", {"email": charlie.email, "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200
