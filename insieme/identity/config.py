"""The identity provider's settings (INSIEME_OIDC, read from the environment by settings.py) and
its endpoints, discovered from the issuer's /.well-known/openid-configuration unless set one by
one. Discovery happens when a sign-in starts or completes, never at start-up and never on an
ordinary page: a provider that is down stops sign-ins with it, nothing else."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from insieme.identity.errors import SignInError

BACKEND = "insieme.identity.backend.IdentityBackend"
DISCOVERY_SECONDS = 3600  # how long a discovered configuration is kept
CALLBACK_URL_NAME = "identity:callback"


def options() -> dict[str, Any]:
    return getattr(settings, "INSIEME_OIDC", None) or {}


def enabled() -> bool:
    """True when a provider is configured and its backend installed (settings.py installs it
    exactly when the variables are set; tests set both)."""
    conf = options()
    return bool(
        conf.get("CLIENT_ID")
        and (conf.get("ISSUER") or conf.get("AUTHORIZATION_ENDPOINT"))
        and BACKEND in settings.AUTHENTICATION_BACKENDS
    )


def provider_name() -> str:
    """What the button and the messages call the provider ("SPID / CIE")."""
    return options().get("PROVIDER_NAME") or _("your digital identity")


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str


def _discover(issuer: str) -> dict:
    key = "insieme.identity.discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]
    found = cache.get(key)
    if isinstance(found, dict):
        return found
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=options().get("TIMEOUT", 10),
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        document = response.json()
    except requests.HTTPError as exc:
        raise SignInError("provider", f"discovery answered {exc.response.status_code}") from exc
    except requests.RequestException as exc:
        raise SignInError("unavailable", f"discovery failed: {exc.__class__.__name__}") from exc
    except ValueError as exc:
        raise SignInError("provider", "discovery did not answer JSON") from exc
    # OpenID Connect Discovery 1.0, section 4.3: the document names the issuer it was asked for.
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        raise SignInError("provider", "discovery names another issuer")
    cache.set(key, document, DISCOVERY_SECONDS)
    return document


def endpoints() -> Endpoints:
    """The provider's endpoints: each one set explicitly wins over the discovered one. Raises
    SignInError ("unavailable", "provider") when discovery fails."""
    conf = options()
    issuer = (conf.get("ISSUER") or "").rstrip("/")
    names = {
        "authorization": ("AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
        "token": ("TOKEN_ENDPOINT", "token_endpoint"),
        "userinfo": ("USERINFO_ENDPOINT", "userinfo_endpoint"),
        "jwks": ("JWKS_URI", "jwks_uri"),
        "end_session": ("END_SESSION_ENDPOINT", "end_session_endpoint"),
    }
    values = {field: conf.get(setting) or "" for field, (setting, _key) in names.items()}
    if issuer and not all(values[f] for f in ("authorization", "token", "userinfo", "jwks")):
        document = _discover(issuer)
        for field, (_setting, key) in names.items():
            values[field] = values[field] or str(document.get(key) or "")
    if not (values["authorization"] and values["token"]):
        raise SignInError("provider", "no authorization or token endpoint")
    return Endpoints(issuer=issuer, **values)


def setting(name: str, *default):
    """mozilla-django-oidc's settings, answered from INSIEME_OIDC (its views and backend read
    them through `get_settings`, which ours point here); other names from Django's settings."""
    conf = options()
    fixed = {
        "OIDC_RP_CLIENT_ID": conf.get("CLIENT_ID", ""),
        "OIDC_RP_CLIENT_SECRET": conf.get("CLIENT_SECRET", ""),
        "OIDC_RP_SIGN_ALGO": conf.get("SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": conf.get("SCOPES", "openid email profile"),
        "OIDC_TIMEOUT": conf.get("TIMEOUT", 10),
        "OIDC_TOKEN_USE_BASIC_AUTH": conf.get("TOKEN_AUTH") == "client_secret_basic",
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_VERIFY_SSL": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,  # never an unsigned token
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,  # the view keeps what sign-out needs, after login
        "OIDC_CREATE_USER": conf.get("CREATE_ACCOUNTS", True),
    }
    if name in fixed:
        return fixed[name]
    lazy = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization",
        "OIDC_OP_TOKEN_ENDPOINT": "token",
        "OIDC_OP_USER_ENDPOINT": "userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "jwks",
    }
    if name in lazy:
        return getattr(endpoints(), lazy[name]) or (default[0] if default else "")
    if default:
        return getattr(settings, name, default[0])
    return getattr(settings, name)
