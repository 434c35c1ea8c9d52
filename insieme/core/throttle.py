"""A small fixed-window rate limit kept in Django's cache.

With REDIS_URL set the counters live in Redis and so hold across all web processes; the default
local-memory cache counts per process, which is enough for one laptop. The limit and window come
from the settings LOGIN_RATE_LIMIT and LOGIN_RATE_WINDOW (environment: INSIEME_LOGIN_RATE_LIMIT,
INSIEME_LOGIN_RATE_WINDOW) and are read on every call, so tests can change them.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    REMOTE_ADDR only: X-Forwarded-For is set by the client and would let anyone pick a fresh
    address per try. Behind a proxy, the proxy (or the WSGI server) must set REMOTE_ADDR.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def clock() -> float:
    """Now, in seconds: which window an event falls in (tests hold it still, so that a test's
    few requests never straddle two windows)."""
    return time.time()


@dataclass(frozen=True)
class Throttle:
    """Counts events per (scope, identity) in windows of LOGIN_RATE_WINDOW seconds."""

    scope: str

    @property
    def limit(self) -> int:
        return settings.LOGIN_RATE_LIMIT

    @property
    def window(self) -> int:
        return settings.LOGIN_RATE_WINDOW

    def _key(self, identity: str) -> str:
        # Hashed, so that e-mail addresses never sit in the cache in clear.
        digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}:{int(clock() // self.window)}"

    def count(self, identity: str) -> int:
        return int(cache.get(self._key(identity), 0))

    def exceeded(self, identity: str) -> bool:
        """True when `identity` has used up its events in the current window."""
        return self.count(identity) >= self.limit

    def hit(self, identity: str) -> int:
        """Count one event; returns the count so far in this window."""
        key = self._key(identity)
        cache.add(key, 0, timeout=self.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window)
            return 1

    def reset(self, identity: str) -> None:
        cache.delete(self._key(identity))


# Failed logins, per client address and per account (the e-mail typed).
LOGIN_BY_ADDRESS = Throttle("login-address")
LOGIN_BY_ACCOUNT = Throttle("login-account")
# Requests that send e-mail (registration, password reset, verification), per address and target.
MAIL_BY_ADDRESS = Throttle("mail-address")
MAIL_BY_TARGET = Throttle("mail-target")
