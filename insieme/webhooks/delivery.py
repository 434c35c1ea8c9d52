"""Sending deliveries: sign, POST with a short timeout, log the attempt, schedule the retry.

Any number of senders may run at once (web processes' threads, Celery workers, the periodic job,
`insieme webhooks_deliver`): a sender first claims a due delivery with one conditional UPDATE that
moves its `next_attempt_at` past the request's timeout (a lease), so two senders never send the
same delivery at the same time, and a sender that dies mid-way only delays it by the lease.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from insieme.webhooks import targets
from insieme.webhooks.models import Attempt, Delivery
from insieme.webhooks.signing import encode_body, sign

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5  # per connect and per read: a slow receiver must not hold a sender
MAX_ATTEMPTS = 10  # the first send and nine retries, over about four hours
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 2 * 3600
# How long a claimed delivery is left to its sender before another may send it (the sender
# died): longer than one attempt can take. INSIEME_WEBHOOKS_LEASE_SECONDS sets it.
DEFAULT_LEASE_SECONDS = 4 * TIMEOUT_SECONDS + 60
DUE_BATCH = 100
RECORD_TRIES = 12  # writing an attempt's record while SQLite says a table is locked
RECORD_PAUSE_SECONDS = 0.05  # ... waiting 0.05, 0.1, 0.15 s and so on between tries (3.3 s in all)
EXCERPT_CHARS = 300
USER_AGENT = "Insieme-Webhooks/1"


def backoff(failures: int, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait after the `failures`-th failed attempt: exponential and capped, with
    jitter (between half and all of it) so that receivers coming back up are not hit in step."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(failures - 1, 0))
    return dt.timedelta(seconds=ceiling * (rng or random).uniform(0.5, 1.0))


@dataclass
class Outcome:
    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a success: following it would re-send (or drop) the body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = targets.create_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = targets.create_connection  # before the TLS handshake


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    """Connections whose peer address is checked before the request is sent (see targets)."""

    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


_opener = urllib.request.build_opener(_NoRedirects, _GuardedHTTPHandler, _GuardedHTTPSHandler)


def _read_excerpt(response) -> str:
    try:
        return response.read(EXCERPT_CHARS).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""


def clock() -> float:
    """Now, in seconds, on a clock that only goes forward: what an attempt's duration is
    measured with (tests hold it)."""
    return time.monotonic()


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url`; never raises: an error is part of the outcome."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):  # never file: or ftp: from a row
        return Outcome(None, "Only http and https URLs are sent to.", "", 0)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    started = clock()
    code, error, excerpt = None, "", ""
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code, excerpt = response.status, _read_excerpt(response)
    except urllib.error.HTTPError as exc:  # non-2xx answers (redirects included)
        code, excerpt = exc.code, _read_excerpt(exc)
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        error = f"{type(reason).__name__}: {reason}"[:300]
    except ValueError as exc:  # a URL urllib cannot use
        error = f"Invalid URL: {exc}"[:300]
    duration = int((clock() - started) * 1000)
    return Outcome(code, error, excerpt[:EXCERPT_CHARS], duration)


def headers_for(delivery: Delivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Insieme-Event": delivery.event_type,
        "X-Insieme-Delivery": str(delivery.pk),
        "X-Insieme-Timestamp": str(timestamp),
        "X-Insieme-Signature": sign(delivery.subscription.secret, timestamp, body),
    }


def lease() -> dt.timedelta:
    seconds = getattr(settings, "WEBHOOKS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
    return dt.timedelta(seconds=max(3 * TIMEOUT_SECONDS, seconds))


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease())
    )


def _give_up(delivery: Delivery, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, next_attempt_at=None, last_error=reason[:300]
    )


def attempt(delivery_id: int, now: dt.datetime | None = None) -> Attempt | None:
    """Send the delivery if it is due at `now` (default: the current time) and no other sender
    holds it. Returns the logged attempt, or None when there was nothing to send."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    if not delivery.subscription.is_active:
        _give_up(delivery, "The subscription is disabled.")
        return None
    body = encode_body(delivery.payload)
    timestamp = int(now.timestamp())
    outcome = post(delivery.subscription.url, body, headers_for(delivery, body, timestamp))
    return _record(delivery, outcome, now)


def _record(delivery: Delivery, outcome: Outcome, now: dt.datetime) -> Attempt:
    number = delivery.attempts + 1
    left = max(delivery.attempts_left - 1, 0)
    updates = {
        "attempts": number,
        "attempts_left": left,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "replay_requested": False,
    }
    if outcome.ok:
        updates.update(status=Delivery.Status.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif left:
        updates["next_attempt_at"] = now + backoff(number)
    else:
        updates.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    # The request went out: it must be recorded, or the delivery would be sent again once its
    # lease ends. SQLite answers "table is locked" while another connection writes (no busy
    # timeout applies to it): wait a little and write again.
    for tries in range(1, RECORD_TRIES + 1):
        try:
            with transaction.atomic():
                entry = Attempt.objects.create(
                    delivery=delivery,
                    number=number,
                    started_at=now,
                    duration_ms=outcome.duration_ms,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    response_excerpt=outcome.excerpt,
                    replay=delivery.replay_requested,
                )
                Delivery.objects.filter(pk=delivery.pk).update(**updates)
            break
        except OperationalError as exc:
            if "locked" not in str(exc) or tries == RECORD_TRIES:
                raise
            time.sleep(RECORD_PAUSE_SECONDS * tries)
    if not outcome.ok:
        log.info(
            "webhook delivery %s attempt %s failed: %s",
            delivery.pk,
            number,
            outcome.status_code or outcome.error,
        )
    return entry


def deliver_due(now: dt.datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Send every delivery due at `now` (first sends and retries), oldest first, at most `limit`;
    returns how many were attempted."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(due) if attempt(pk, now=now) is not None)


def next_due() -> dt.datetime | None:
    """When the earliest pending delivery falls due (None when none is pending)."""
    row = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return row
