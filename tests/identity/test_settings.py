"""Sign-in with a digital identity is configured from the environment only (twelve-factor), and
is invisible while it is not: no backend installed, no button, no address."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # uses no database: CI's PostgreSQL pass leaves it out


ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, django; django.setup(); from django.conf import settings; "
    "from insieme.identity import config; "
    "print(json.dumps({'backends': settings.AUTHENTICATION_BACKENDS, 'oidc': settings.INSIEME_OIDC, "
    "'form_action': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], "
    "'enabled': config.enabled()}))"
)


def _settings(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INSIEME_OIDC_")}
    done = subprocess.run(
        [sys.executable, "-c", READ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "insieme.settings", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_nothing_is_installed_without_a_provider():
    found = _settings({})
    assert "insieme.identity.backend.IdentityBackend" not in found["backends"]
    assert not found["enabled"]
    assert found["form_action"] == ["'self'"]


def test_the_provider_comes_from_the_environment(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-a-file\n")
    found = _settings(
        {
            "INSIEME_OIDC_ISSUER": "https://id.regione.example/realms/citizens/",
            "INSIEME_OIDC_CLIENT_ID": "insieme",
            "INSIEME_OIDC_CLIENT_SECRET_FILE": str(secret),
            "INSIEME_OIDC_PROVIDER_NAME": "SPID / CIE",
            "INSIEME_OIDC_FISCAL_CODE_CLAIM": "fiscalNumber",
            "INSIEME_OIDC_SECOND_FACTOR_ACR": "https://www.spid.gov.it/SpidL2,https://www.spid.gov.it/SpidL3",
            "INSIEME_OIDC_CREATE_ACCOUNTS": "false",
        }
    )
    assert found["backends"][-1] == "insieme.identity.backend.IdentityBackend"
    assert found["enabled"]
    oidc = found["oidc"]
    assert oidc["ISSUER"] == "https://id.regione.example/realms/citizens"
    assert oidc["CLIENT_SECRET"] == "s3cret-from-a-file"
    assert oidc["PROVIDER_NAME"] == "SPID / CIE"
    assert oidc["FISCAL_CODE_CLAIMS"] == ["fiscalNumber"]
    assert oidc["SECOND_FACTOR_ACR"] == [
        "https://www.spid.gov.it/SpidL2",
        "https://www.spid.gov.it/SpidL3",
    ]
    assert oidc["CREATE_ACCOUNTS"] is False
    # Logging out continues there: a form's redirect the page's CSP must allow.
    assert found["form_action"] == ["'self'", "https://id.regione.example"]
