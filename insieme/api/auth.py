"""Who is calling: an application with an API key, or a person with the browser session.

The key arrives as `Authorization: Bearer <key>` or as `X-Api-Key: <key>` and is checked by
`insieme.core.actions.authenticate_api_key` (hashed lookup, revocation, last-use time). A request
authenticated by key has `request.auth` set to the ApiKey and an anonymous `request.user`: a key
acts for its administration, never for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from insieme.core.actions import authenticate_api_key
from insieme.core.models import ApiKey
from insieme.core.throttle import client_address


def raw_key(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = raw_key(request)
        if not raw:
            return None
        key = authenticate_api_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with CSRF enforced on unsafe methods (DRF's behaviour). A session
    still owing its second factor (insieme.core.twofactor) counts as no session at all."""

    def authenticate(self, request):
        from insieme.core.twofactor import waiting

        if waiting(request._request):
            return None
        return super().authenticate(request)


@dataclass(frozen=True)
class Caller:
    """The identity rate limits and idempotency records are kept under."""

    key: ApiKey | None
    user: object | None
    address: str

    @property
    def ident(self) -> str:
        if self.key is not None:
            return f"key:{self.key.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return f"addr:{self.address}"


def caller_of(request) -> Caller:
    key = request.auth if isinstance(request.auth, ApiKey) else None
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    return Caller(key=key, user=user, address=client_address(request))


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "insieme.api.auth.ApiKeyAuthentication"
    name = ["bearerAuth", "apiKeyHeader"]

    def get_security_requirement(self, auto_schema):
        # Either header will do: two alternative requirements, not one combined.
        return [{"bearerAuth": []}, {"apiKeyHeader": []}]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "description": "An API key as a bearer token."},
            {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        ]


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "insieme.api.auth.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
