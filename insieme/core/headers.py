"""Response headers that keep personal data out of caches, and TRACE out of the server.

`PrivacyHeadersMiddleware` sits just inside WhiteNoise (static files never reach it) and outside
the session middleware (so it sees the session cookie being set). It

- answers TRACE and TRACK with 405 before anything else runs;
- marks every answer that may carry personal data `Cache-Control: no-store` (see `is_private`),
  unless its view declared it `public` (the same for everyone: a brand's stylesheet);
- adds `Vary: Cookie` to every answer (language and session come from cookies), and
  `Vary: Authorization, X-Api-Key` to the REST API's answers, which depend on the caller's key.

A page that shows personal data to someone without a session (a private link with a token in its
URL, say) says so with Django's `never_cache`, which sets no-store itself.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers, patch_vary_headers

REFUSED_METHODS = frozenset({"TRACE", "TRACK"})
ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_API_KEY")
API_VARY = ("Authorization", "X-Api-Key", "Cookie")
# Query parameters that carry a secret (Open311's api_key, tokens of private links).
SECRET_PARAM = re.compile(r"(?:^|&)(?:api[_-]?key|apikey|token|access_token)=", re.IGNORECASE)


def carries_credentials(request: HttpRequest) -> bool:
    """The request names a caller: an API key or bearer token in a header or the query string."""
    if any(request.META.get(h) for h in CREDENTIAL_HEADERS):
        return True
    return bool(SECRET_PARAM.search(request.META.get("QUERY_STRING", "")))


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _used_session(request: HttpRequest) -> bool:
    """The answer was built from a session the browser sent (a signed-in person's, or an
    anonymous filer's, which holds what they just filed)."""
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(session.accessed and not session.is_empty())


def _sets_session(response) -> bool:
    morsel = response.cookies.get(settings.SESSION_COOKIE_NAME)
    return bool(morsel is not None and morsel.value)


def _declared_public(response) -> bool:
    """The view says the answer is the same for everyone (a brand's stylesheet, a public file)."""
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return "public" in directives and not _sets_session(response)


def is_private(request: HttpRequest, response) -> bool:
    """May this answer hold personal data or depend on who asked? Then no cache may keep it."""
    if _declared_public(response):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return (
        "private" in cache_control
        or request.method not in SAFE_METHODS
        or carries_credentials(request)
        or _signed_in(request)
        or _used_session(request)
        or _sets_session(response)
    )


def _is_api(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "api" in match.namespaces
    return request.path_info.startswith("/api/")


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        response = self.get_response(request)
        if _declared_public(response):
            return response
        if is_private(request, response) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        patch_vary_headers(response, API_VARY if _is_api(request) else ("Cookie",))
        return response
