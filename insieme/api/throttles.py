"""Rate limits: per API key, per signed-in person, and per address for everyone else.

DRF's sliding-window throttles on Django's cache (Redis when REDIS_URL is set, so the limits hold
across processes). Rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] on every request,
so a deployment (or a test) can change them without reloading code. The address is REMOTE_ADDR
only (see insieme.core.throttle.client_address): X-Forwarded-For is the client's to invent.
"""

from __future__ import annotations

import math

from rest_framework import throttling
from rest_framework.settings import api_settings

from insieme.api.auth import caller_of


class _Throttle(throttling.SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def wait(self):
        # Until the oldest counted request leaves the window: then one more is allowed.
        if not self.history:
            return self.duration
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))

    def ident(self, caller) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        ident = self.ident(caller_of(request))
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiKeyThrottle(_Throttle):
    scope = "api_key"

    def ident(self, caller):
        return str(caller.key.pk) if caller.key is not None else None


class UserThrottle(_Throttle):
    scope = "api_user"

    def ident(self, caller):
        if caller.key is None and caller.user is not None:
            return str(caller.user.pk)
        return None


class AddressThrottle(_Throttle):
    scope = "api_address"

    def ident(self, caller):
        if caller.key is None and caller.user is None:
            return caller.address
        return None
