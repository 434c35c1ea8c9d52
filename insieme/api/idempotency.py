"""`Idempotency-Key` on POST: a retry returns the first answer and creates nothing.

The key is scoped to the caller (API key, else person, else address) so that two applications
choosing the same key never see each other's answers. The record is committed before the write
runs: a concurrent duplicate hits the unique constraint and is told to retry later (409), never
creating a second time. The same key with a different request body is refused (409). Answers of
5xx are not kept, so such a request can be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from insieme.api.auth import caller_of
from insieme.api.exceptions import Conflict
from insieme.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def ttl() -> timedelta:
    return timedelta(hours=int(settings.REST_FRAMEWORK.get("INSIEME_IDEMPOTENCY_HOURS", 24)))


def fingerprint(request) -> str:
    payload = json.dumps(
        {"method": request.method, "path": request.path, "data": request.data},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def scoped_key(caller_ident: str, key: str) -> str:
    """A key for the write action's own duplicate guard, unique per caller (max 80 chars)."""
    return "api-" + hashlib.sha256(f"{caller_ident}\n{key}".encode()).hexdigest()[:60]


def _claim(caller: str, key: str, request, digest: str) -> IdempotencyRecord | None:
    """Insert the record (None: we own the key now), or return the one already there."""
    now = timezone.now()
    IdempotencyRecord.objects.filter(caller=caller, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                caller=caller,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=digest,
                expires_at=now + ttl(),
            )
        return None
    except IntegrityError:
        return IdempotencyRecord.objects.filter(caller=caller, key=key).first()


def idempotent(handler):
    """Wrap a POST handler `handler(self, request, *args, **kwargs) -> Response`."""

    def wrapped(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > MAX_KEY:
            raise exceptions.ValidationError(
                {HEADER: [_("Keep the key within %(n)d characters.") % {"n": MAX_KEY}]}
            )
        caller = caller_of(request).ident
        digest = fingerprint(request)
        existing = _claim(caller, key, request, digest)
        if existing is not None:
            return _replay(existing, digest)
        request.idempotency_key = scoped_key(caller, key)
        try:
            response = handler(self, request, *args, **kwargs)
        except exceptions.Throttled:
            _release(caller, key)
            raise
        except (
            exceptions.APIException,
            DjangoValidationError,
            DjangoPermissionDenied,
            Http404,
        ) as exc:
            response = self.handle_exception(exc)
        except Exception:
            _release(caller, key)
            raise
        _store(caller, key, response)
        return response

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.fingerprint != digest:
        raise Conflict(
            _("This Idempotency-Key was used with a different request."),
            code="idempotency_key_reused",
        )
    if record.status_code is None:
        raise Conflict(
            _("A request with this Idempotency-Key is still being handled; retry shortly."),
            code="idempotency_in_progress",
        )
    response = Response(record.body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _store(caller: str, key: str, response) -> None:
    if response.status_code >= 500 or response.status_code == 429:
        _release(caller, key)
        return
    IdempotencyRecord.objects.filter(caller=caller, key=key).update(
        status_code=response.status_code, body=response.data
    )


def _release(caller: str, key: str) -> None:
    IdempotencyRecord.objects.filter(caller=caller, key=key).delete()


def purge_expired() -> int:
    return IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()[0]
