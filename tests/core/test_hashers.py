"""Passwords are hashed with Argon2id at the configured (OWASP) parameters; a hash made with
other parameters still signs its owner in, and is re-hashed with these."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from insieme.core.models import User

HASHERS = ["insieme.core.hashers.Argon2PasswordHasher"]


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = HASHERS
    settings.INSIEME_ARGON2 = {"MEMORY_KIB": 19456, "TIME_COST": 2, "PARALLELISM": 1}
    return settings


def test_hashes_carry_the_configured_parameters(argon2):
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stapler", encoded)
    argon2.INSIEME_ARGON2 = {"MEMORY_KIB": 47104, "TIME_COST": 1, "PARALLELISM": 1}
    assert make_password("x" * 12).startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")


@pytest.mark.django_db
def test_a_hash_with_djangos_own_parameters_signs_in_and_is_rehashed(argon2, client):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = User.objects.create(email="anna@example.org", full_name="Anna")
    user.password = Argon2PasswordHasher().encode("Valdoro-Insieme-2026!", "saltsaltsaltsalt")
    user.save()
    assert "m=102400,t=2,p=8" in user.password
    response = client.post(
        "/accounts/login/", {"email": "anna@example.org", "password": "Valdoro-Insieme-2026!"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
    assert identify_hasher(user.password).algorithm == "argon2"
