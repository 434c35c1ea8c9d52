"""Rate limits: per API key, per signed-in person, and per address for everyone else.

Sliding windows in the store every web process shares (insieme.core.throttle: Redis when
REDIS_URL is set, else the database), so a limit holds exactly however many workers serve. DRF's
own SimpleRateThrottle keeps its history in a per-process cache and reads and writes it without
a lock, which let about twice the limit through two workers. Rates are read from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] on every request, so a deployment (or a test) can change
them without reloading code. The address is REMOTE_ADDR only (see client_address).
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings

from insieme.api.auth import caller_of
from insieme.core.throttle import Rate, SlidingWindow


class _Throttle(throttling.BaseThrottle):
    scope = ""

    def ident(self, caller) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self.retry_after = None
        text = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        ident = self.ident(caller_of(request))
        if not text or ident is None:
            return True
        decision = SlidingWindow(f"api-{self.scope}").acquire(ident, Rate.parse(text))
        self.retry_after = decision.retry_after
        return decision.allowed

    def wait(self):
        return self.retry_after


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
