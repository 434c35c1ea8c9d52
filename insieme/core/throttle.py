"""Rate limits that hold across every web process: sliding windows in a shared, atomic store.

The store is Redis when REDIS_URL is set, else a table of the database (RateCounter), which every
process of one installation shares already: so `insieme serve` with several workers counts each
request once, and a limit of N lets exactly N through. Both stores increment atomically (Redis
INCR; one SQL upsert, `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so two processes can
never both take the last slot.

Why a sliding window of slices. A fixed window lets twice its limit through around its end (the
limit just before and again just after). A log of every request's time is exact but holds up to
`limit` entries per caller (1,200 for an API key). So a window of W seconds is cut into SLICES
slices of W/SLICES seconds, each an atomic counter, and a request counts what the current slice
and the slices covering the W seconds before it hold. That span is always at least W long, so
no stretch of W seconds ever holds more than the limit; the price is that a caller may wait up
to one slice (a twelfth of the window) longer than an exact log would make it.

A request first takes a slot (increments the current slice), then checks the sum; when over the
limit it gives the slot back. Taking before checking is what makes the limit exact under
concurrency: every request sees a distinct count.

`Lockout` adds growing pauses for sign-in: once an identity has used up its window, it is paused
for the window's length, and each further pause within a day lasts twice the one before, up to
LOGIN_LOCKOUT_MAX seconds; never a permanent lock.

`clock()` is the one place time is read, so tests hold it still or move it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

SLICES = 12
PURGE_ONE_IN = 512  # the database store deletes expired rows on about one write in this many


logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    REMOTE_ADDR only: X-Forwarded-For is set by the client and would let anyone pick a fresh
    address per try. Behind a proxy, the proxy (or the WSGI server) must set REMOTE_ADDR.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def clock() -> float:
    """Now, in epoch seconds (tests replace it to hold time still or move it)."""
    return time.time()


# --- the shared store --------------------------------------------------------------------------


class Store(Protocol):
    def hit(self, key: str, ttl: int, others: list[str]) -> tuple[int, list[int]]:
        """Add one to `key` (expiring in `ttl` s) and read `others`, atomically for `key`."""

    def add(self, key: str, delta: int) -> None: ...

    def give_back(self, keys: list[str]) -> bool: ...

    def get_many(self, keys: list[str]) -> list[int]: ...

    def put_if_absent(self, key: str, value: int, ttl: int) -> bool: ...

    def delete_many(self, keys: list[str]) -> None: ...

    def clear(self) -> None: ...


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class DatabaseStore:
    """Counters in the RateCounter table; atomic by a single upsert statement (SQLite >= 3.35,
    PostgreSQL). Runs in autocommit: a count must not wait for, or vanish with, a request's
    transaction."""

    @property
    def table(self) -> str:
        from insieme.core.models import RateCounter

        return connection.ops.quote_name(RateCounter._meta.db_table)

    def hit(self, key: str, ttl: int, others: list[str]) -> tuple[int, list[int]]:
        now = int(clock())
        t, k, n = self.table, _q("key"), _q("count")
        with connection.cursor() as cur:
            # An expired row (not purged yet) starts again from 1.
            cur.execute(
                f"INSERT INTO {t} ({k}, {n}, expires) VALUES (%s, 1, %s) "  # noqa: S608
                f"ON CONFLICT ({k}) DO UPDATE SET "
                f"{n} = CASE WHEN {t}.expires <= %s THEN 1 ELSE {t}.{n} + 1 END, "
                f"expires = %s RETURNING {n}",
                [key, now + ttl, now, now + ttl],
            )
            current = int(cur.fetchone()[0])
        if random.randrange(PURGE_ONE_IN) == 0:  # noqa: S311 - not security relevant
            self.purge()
        return current, self.get_many(others)

    def add(self, key: str, delta: int) -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {self.table} SET {_q('count')} = {_q('count')} + %s "  # noqa: S608
                f"WHERE {_q('key')} = %s",
                [delta, key],
            )

    def give_back(self, keys: list[str]) -> bool:
        """Take one off the first of `keys` that holds a live count; False when none does."""
        now = int(clock())
        with connection.cursor() as cur:
            for key in keys:
                cur.execute(
                    f"UPDATE {self.table} SET {_q('count')} = {_q('count')} - 1 "  # noqa: S608
                    f"WHERE {_q('key')} = %s AND {_q('count')} > 0 AND expires > %s",
                    [key, now],
                )
                if cur.rowcount:
                    return True
        return False

    def get_many(self, keys: list[str]) -> list[int]:
        if not keys:
            return []
        now = int(clock())
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {_q('key')}, {_q('count')} FROM {self.table} "  # noqa: S608
                f"WHERE {_q('key')} IN ({marks}) AND expires > %s",
                [*keys, now],
            )
            found = dict(cur.fetchall())
        return [int(found.get(k, 0)) for k in keys]

    def put_if_absent(self, key: str, value: int, ttl: int) -> bool:
        now = int(clock())
        t, k, n = self.table, _q("key"), _q("count")
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {t} ({k}, {n}, expires) VALUES (%s, %s, %s) "  # noqa: S608
                f"ON CONFLICT ({k}) DO UPDATE SET {n} = excluded.{n}, "
                f"expires = excluded.expires WHERE {t}.expires <= %s RETURNING {k}",
                [key, value, now + ttl, now],
            )
            return cur.fetchone() is not None

    def delete_many(self, keys: list[str]) -> None:
        if keys:
            marks = ", ".join(["%s"] * len(keys))
            with connection.cursor() as cur:
                cur.execute(
                    f"DELETE FROM {self.table} WHERE {_q('key')} IN ({marks})",  # noqa: S608
                    keys,
                )

    def purge(self) -> int:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE expires <= %s", [int(clock())])  # noqa: S608
            return cur.rowcount

    def clear(self) -> None:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table}")  # noqa: S608


class RedisStore:
    """Counters in Redis: INCR is atomic, EXPIRE lets Redis forget them."""

    def __init__(self, url: str) -> None:
        import redis

        # Short timeouts: a Redis that is away must not hold requests up (see FallbackStore).
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)

    @property
    def prefix(self) -> str:
        return f"{settings.RATELIMIT_KEY_PREFIX}:"

    def hit(self, key: str, ttl: int, others: list[str]) -> tuple[int, list[int]]:
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, ttl)
        if others:
            pipe.mget([self.prefix + k for k in others])
        replies = pipe.execute()
        values = replies[2] if others else []
        return int(replies[0]), [int(v or 0) for v in values]

    def add(self, key: str, delta: int) -> None:
        # Only an existing counter: re-creating one without expiry would never be forgotten.
        self.client.eval(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], "
            "ARGV[1]) end return 0",
            1,
            self.prefix + key,
            delta,
        )

    def give_back(self, keys: list[str]) -> bool:
        """Take one off the first of `keys` that holds a count (one atomic script)."""
        if not keys:
            return False
        return bool(
            self.client.eval(
                "for _, k in ipairs(KEYS) do "
                "local v = tonumber(redis.call('GET', k) or '0') "
                "if v > 0 then redis.call('DECR', k) return 1 end end return 0",
                len(keys),
                *[self.prefix + k for k in keys],
            )
        )

    def get_many(self, keys: list[str]) -> list[int]:
        if not keys:
            return []
        return [int(v or 0) for v in self.client.mget([self.prefix + k for k in keys])]

    def put_if_absent(self, key: str, value: int, ttl: int) -> bool:
        # "Absent" also when the value held is a moment already past (by clock(), which tests
        # move): the same answer as the database store's, whose expiry is that clock's.
        return bool(
            self.client.eval(
                "local v = redis.call('GET', KEYS[1]) "
                "if v and tonumber(v) > tonumber(ARGV[3]) then return 0 end "
                "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1",
                1,
                self.prefix + key,
                value,
                max(1, ttl),
                int(clock()),
            )
        )

    def delete_many(self, keys: list[str]) -> None:
        if keys:
            self.client.delete(*[self.prefix + k for k in keys])

    def clear(self) -> None:
        for key in self.client.scan_iter(match=self.prefix + "*", count=500):
            self.client.delete(key)


class FallbackStore:
    """Redis, and the database's table while Redis cannot be reached: limits keep holding
    (counted in the database for the length of the outage) and no request fails because the
    counters' store is away. After a failure Redis is left alone for RETRY_SECONDS, so an outage
    costs one failed connection every few seconds, not one per request."""

    RETRY_SECONDS = 5.0

    def __init__(self, primary: RedisStore, fallback: DatabaseStore) -> None:
        self.primary, self.fallback = primary, fallback
        self._down_until = 0.0

    def _call(self, name: str, *args):
        import redis

        if time.monotonic() >= self._down_until:
            try:
                return getattr(self.primary, name)(*args)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                logger.warning(
                    "rate limits counted in the database: Redis cannot be reached (%s)",
                    exc.__class__.__name__,
                )
        return getattr(self.fallback, name)(*args)

    def hit(self, key: str, ttl: int, others: list[str]) -> tuple[int, list[int]]:
        return self._call("hit", key, ttl, others)

    def add(self, key: str, delta: int) -> None:
        return self._call("add", key, delta)

    def give_back(self, keys: list[str]) -> bool:
        return self._call("give_back", keys)

    def get_many(self, keys: list[str]) -> list[int]:
        return self._call("get_many", keys)

    def put_if_absent(self, key: str, value: int, ttl: int) -> bool:
        return self._call("put_if_absent", key, value, ttl)

    def delete_many(self, keys: list[str]) -> None:
        return self._call("delete_many", keys)

    def clear(self) -> None:
        return self._call("clear")


_DATABASE_STORE = DatabaseStore()


@cache
def _redis_store(url: str) -> FallbackStore:
    return FallbackStore(RedisStore(url), _DATABASE_STORE)


def store() -> Store:
    """Redis when RATELIMIT_REDIS_URL (REDIS_URL) is set, else the database."""
    url = settings.RATELIMIT_REDIS_URL
    return _redis_store(url) if url else _DATABASE_STORE


# --- sliding windows ---------------------------------------------------------------------------

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """`limit` events in any `window` seconds."""

    limit: int
    window: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'120/minute', '10/300s', '5/h' (DRF's form, plus a number of seconds)."""
        count, _sep, period = text.strip().partition("/")
        period = period.strip().lower()
        if period[:-1].isdigit() and period.endswith("s"):
            seconds = int(period[:-1])
        else:
            seconds = _PERIODS[period[:1]]
        return cls(int(count), seconds)

    @property
    def slice(self) -> int:
        return max(1, math.ceil(self.window / SLICES))

    @property
    def span(self) -> int:
        """Slices before the current one that a count includes (together at least `window`)."""
        return math.ceil(self.window / self.slice)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def _digest(identity: str) -> str:
    # Hashed, so that e-mail and IP addresses never sit in the store in clear.
    return hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SlidingWindow:
    """Counts events per (scope, identity) in a sliding window of the rate given per call."""

    scope: str

    def _keys(self, identity: str, rate: Rate, now: float) -> tuple[list[str], int]:
        """Keys of the covered slices, oldest first (the last is the current one), and the
        current slice's number."""
        current = int(now // rate.slice)
        base = f"{self.scope}:{_digest(identity)}:{rate.slice}:"
        return [base + str(n) for n in range(current - rate.span, current + 1)], current

    def acquire(self, identity: str, rate: Rate) -> Decision:
        """Take one slot, or refuse (taking nothing) when the window is full."""
        now = clock()
        keys, current = self._keys(identity, rate, now)
        ttl = (rate.span + 2) * rate.slice
        mine, older = store().hit(keys[-1], ttl, keys[:-1])
        if mine + sum(older) <= rate.limit:
            return Decision(True)
        store().add(keys[-1], -1)
        return Decision(False, self._retry_after([*older, mine - 1], rate, current, now))

    @staticmethod
    def _retry_after(counts: list[int], rate: Rate, current: int, now: float) -> int:
        """Seconds until enough old slices have left the window for one more event."""
        total, dropped = sum(counts), 0
        while dropped < len(counts) and total > rate.limit - 1:
            total -= counts[dropped]
            dropped += 1
        # Slice `current - span + k` leaves the window when slice `current + k` begins.
        return max(1, math.ceil((current + dropped) * rate.slice - now))

    def release(self, identity: str, rate: Rate) -> None:
        """Give back a slot taken for an event that should not count: from the newest slice that
        holds one. The slot was taken in the current slice, or in the one before when the event
        took long enough to cross a slice's end (a slow password check under load): giving back
        only in the current slice then gave nothing back, and a successful sign-in counted as a
        failure."""
        keys, _current = self._keys(identity, rate, clock())
        store().give_back(list(reversed(keys)))

    def count(self, identity: str, rate: Rate) -> int:
        keys, _current = self._keys(identity, rate, clock())
        return sum(store().get_many(keys))

    def reset(self, identity: str, rate: Rate) -> None:
        keys, _current = self._keys(identity, rate, clock())
        store().delete_many(keys)


def login_rate() -> Rate:
    """LOGIN_RATE_LIMIT failed tries in LOGIN_RATE_WINDOW seconds (read per call: tests and
    deployments may change them)."""
    return Rate(settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_WINDOW)


@dataclass(frozen=True)
class Lockout:
    """Failed sign-in tries per identity, with growing pauses once the window is used up.

    `attempt` before checking a password (or a code) takes a slot; `succeeded` gives it back, so
    only failures count; `paused` tells whether the identity is in a pause now.
    """

    scope: str

    @property
    def window(self) -> SlidingWindow:
        return SlidingWindow(self.scope)

    def _pause_key(self, identity: str) -> str:
        return f"{self.scope}-pause:{_digest(identity)}"

    def _episodes_key(self, identity: str) -> str:
        return f"{self.scope}-episodes:{_digest(identity)}"

    def paused(self, identity: str) -> int:
        """Seconds left of the current pause, 0 when none."""
        (until,) = store().get_many([self._pause_key(identity)])
        return max(0, math.ceil(until - clock())) if until else 0

    def attempt(self, identity: str) -> tuple[Decision, bool]:
        """(decision, a new pause began): a refusal starts a pause unless one runs already."""
        rate = login_rate()
        decision = self.window.acquire(identity, rate)
        if decision.allowed:
            return decision, False
        episode, _ = store().hit(self._episodes_key(identity), 86400, [])
        pause = min(rate.window * 2 ** min(episode - 1, 20), settings.LOGIN_LOCKOUT_MAX)
        pause = max(pause, decision.retry_after)
        began = store().put_if_absent(self._pause_key(identity), int(clock()) + pause, pause)
        if not began:
            store().add(self._episodes_key(identity), -1)  # the same episode, not a new one
            return Decision(False, max(1, self.paused(identity))), False
        return Decision(False, pause), True

    def succeeded(self, identity: str) -> None:
        self.window.release(identity, login_rate())

    def reset(self, identity: str) -> None:
        """Forget the failures and any pause (the owner proved who they are)."""
        self.window.reset(identity, login_rate())
        store().delete_many([self._pause_key(identity), self._episodes_key(identity)])


# Failed sign-ins: per client address, per account typed (from browsers it has not signed in
# from before) and per trusted browser (see insieme.core.lockout).
LOGIN_BY_ADDRESS = Lockout("login-address")
LOGIN_BY_ACCOUNT = Lockout("login-account")
LOGIN_BY_DEVICE = Lockout("login-device")
# Wrong current passwords of signed-in people (password and e-mail change), per account.
REAUTH_BY_ACCOUNT = Lockout("reauth-account")
# Failed second-factor codes: per account, and per trusted browser.
CODE_BY_ACCOUNT = Lockout("code-account")
CODE_BY_DEVICE = Lockout("code-device")
# Requests that send e-mail (registration, password reset, verification), per address and target.
MAIL_BY_ADDRESS = SlidingWindow("mail-address")
MAIL_BY_TARGET = SlidingWindow("mail-target")
