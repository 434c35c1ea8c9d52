"""What sign-in with a digital identity keeps about a person: in their copy of their data, gone
with the erasure of their account, and the fiscal code never in clear anywhere."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client
from django.urls import reverse

from insieme.core.models import User
from insieme.identity.models import Identity
from insieme.privacy import erase, export
from tests.identity.conftest import person, sign_in

pytestmark = pytest.mark.django_db


def _anna(client: Client) -> User:
    assert sign_in(client, "anna").status_code == 302
    return get_user(client)


def test_the_copy_of_their_data_lists_their_identities_without_the_codes(oidc):
    client = Client()
    anna = _anna(client)
    identity = Identity.objects.get(user=anna)
    copy = export.collect(anna)
    section = next(s for s in copy["sections"] if s["key"] == "identity_identities")
    assert section["records"][0]["provider"] == oidc.issuer
    assert "fingerprint" in section["note"]
    text = json.dumps(copy)
    assert identity.subject not in text
    assert identity.fiscal_code_hash not in text
    page = client.post(reverse("privacy:export_page"))
    assert page.status_code == 200
    assert "Your digital identities" in page.content.decode()
    assert oidc.issuer in page.content.decode()


def test_the_fiscal_code_is_stored_nowhere_in_clear(oidc):
    _anna(Client())
    code = person("anna")["fiscal_number"].removeprefix("TINIT-")
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            text_columns = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField")
            ]
            for column in text_columns:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s',  # noqa: S608
                    [f"%{code}%"],
                )
                assert cursor.fetchone()[0] == 0, f"{table}.{column} holds the fiscal code"


def test_erasing_the_account_forgets_its_identities(oidc):
    anna = _anna(Client())
    erase.erase_account(anna, anna)
    assert not Identity.objects.filter(user=anna).exists()
    # The same person signing in again starts afresh, with a new account.
    client = Client()
    assert sign_in(client, "anna").status_code == 302
    assert get_user(client).pk != anna.pk
