"""The authentication backend of sign-in with a digital identity: mozilla-django-oidc's, with its
settings read from INSIEME_OIDC, stricter checks of the id token, and our own matching.

What it adds to the library's checks (signature, nonce, PKCE): the id token's audience must be our
client id and its issuer the configured one, it must carry an expiry (60 seconds of leeway for
clocks), and the userinfo must be about the same subject. Every failure raises SignInError with
its reason, so that the callback answers with a page, never a 500.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from insieme.identity import actions, claims, config
from insieme.identity.errors import SignInError

log = logging.getLogger(__name__)
LEEWAY_SECONDS = 60


class IdentityBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(config.setting)

    def __init__(self, *args, **kwargs) -> None:
        # Django builds a backend on every request of a session signed in with it (to load the
        # user): no settings check and no network here. The endpoints are read in authenticate().
        self.UserModel = get_user_model()

    def _load(self) -> None:
        found = config.endpoints()
        self.endpoints = found
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks or None
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO")
        self.OIDC_RP_IDP_SIGN_KEY = None
        if self.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")) and not found.jwks:
            raise SignInError("provider", "an asymmetric algorithm needs the provider's JWKS")

    def authenticate(self, request, **kwargs):
        """Only the callback view's call (it passes the nonce) is a sign-in with the provider;
        a password sign-in passes through here and gets None."""
        if request is None or "nonce" not in kwargs:
            return None
        if not (request.GET.get("code") and request.GET.get("state")):
            return None
        self._load()
        self.id_claims: dict = {}
        try:
            return super().authenticate(request, **kwargs)
        except SignInError:
            raise
        except requests.HTTPError as exc:
            raise _token_refusal(exc) from exc
        except requests.RequestException as exc:
            raise SignInError("unavailable", exc.__class__.__name__) from exc
        except jwt.ExpiredSignatureError as exc:
            raise SignInError("expired", "the id token has expired") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKError, SuspiciousOperation) as exc:
            raise SignInError("invalid", str(exc)[:200]) from exc
        except (ValueError, KeyError, TypeError) as exc:  # JSON that is not what it should be
            raise SignInError("provider", exc.__class__.__name__) from exc

    def _verify_jws(self, payload, key):
        """The library's check, plus audience, issuer and a required expiry."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("the token's algorithm is not the one configured")
        issuer = self.endpoints.issuer
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=issuer or None,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub"], "verify_iss": bool(issuer)},
        )

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInError("provider", "the token answer has no id token")
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the id token (a signed userinfo answer passes here too)
            self.id_claims = payload
        return payload

    def store_tokens(self, access_token, id_token):
        # Nothing in the session yet: the login that follows may replace the session. The view
        # keeps the id token for signing out at the provider (RP-initiated logout), after login.
        self.request.identity_id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = {}
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict):
                raise SignInError("provider", "userinfo is not an object")
        person = claims.read(payload, userinfo)
        current = getattr(self.request, "user", None)
        current = current if current is not None and current.is_authenticated else None
        outcome = actions.sign_in(person, current_user=current)
        self.request.identity_person = person
        self.request.identity_outcome = outcome
        return outcome.user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _token_refusal(exc: requests.HTTPError) -> SignInError:
    """The token endpoint's (or userinfo's) error answer: an expired or used code is "expired";
    anything else says the provider would not complete the sign-in (a wrong client secret, say:
    logged for the operator)."""
    response = exc.response
    error = ""
    try:
        body = response.json() if response is not None else {}
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
    except ValueError:
        pass
    status = response.status_code if response is not None else 0
    if error == "invalid_grant":
        return SignInError("expired", "the provider refused the code (invalid_grant)")
    log.warning("identity: the provider answered %s %s", status, error or "(no error code)")
    return SignInError("provider", f"answered {status} {error}".strip())
