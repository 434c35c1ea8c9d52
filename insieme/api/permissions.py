"""Who may call a view: scopes for API keys, a signed-in person for the session.

A view says what it needs with two attributes:

- `public = True`: anyone may read it (GET/HEAD/OPTIONS), with or without credentials;
- `key_scopes = {"GET": "cases:read", "POST": "cases:write"}`: the scope an API key must hold for
  each method. A method missing from the map is closed to keys (e.g. rating a case: only the
  citizen who filed it can).

Everything that is not public needs a session or a key. What the caller may then *see* is decided
by the access helpers the views call (404 for missing and forbidden alike).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from insieme.core.models import ApiKey

SAFE = permissions.SAFE_METHODS


class ScopePermission(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method.lower() not in view.http_method_names or not hasattr(
            view, request.method.lower()
        ):
            return True  # the view answers 405, which says more than 403 would
        if getattr(view, "public", False) and request.method in SAFE:
            return True
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is not None:
            return self._key_allowed(key, request, view)
        if getattr(request.user, "is_authenticated", False):
            return True
        raise exceptions.NotAuthenticated()

    @staticmethod
    def _key_allowed(key: ApiKey, request, view) -> bool:
        scopes = getattr(view, "key_scopes", {}) or {}
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        needed = scopes.get(method)
        if needed is None:
            raise exceptions.PermissionDenied(_("An API key cannot do this; a person must."))
        if needed not in (key.scopes or []):
            raise exceptions.PermissionDenied(
                _("This API key lacks the scope %(scope)s.") % {"scope": needed}
            )
        return True
