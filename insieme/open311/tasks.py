"""Background filing of Open311 requests to batch services (sent with core.tasks.enqueue)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from insieme.celery import app


def token_idempotency_key(token: str) -> str:
    return f"open311-token:{token}"


def process_token(token_id: int) -> str:
    """File the case a token stands for, once: a second delivery finds the case (or the
    errors) recorded and does nothing; the idempotency key covers a crash in between."""
    from insieme.cases.filing.actions import Filing, submit_case
    from insieme.open311.errors import validation_messages
    from insieme.open311.models import RequestToken

    token = RequestToken.objects.select_related("service__administration", "api_key").filter(
        pk=token_id
    )
    token = token.first()
    if token is None or token.case_id or token.errors:
        return "skipped"
    files = [token.media.open("rb")] if token.media else []
    try:
        case, _created = submit_case(
            None,
            Filing(
                token.service,
                channel="api",
                attachments=files,
                idempotency_key=token_idempotency_key(token.token),
                via=token.api_key,
                **token.params,
            ),
        )
    except (ValidationError, PermissionDenied) as exc:
        case, errors = None, validation_messages(exc)
    else:
        errors = []
    finally:
        for handle in files:
            handle.close()
    with transaction.atomic():
        token.case, token.errors = case, errors
        token.params = {}  # the case keeps the contact details; the token need not
        token.processed_at = timezone.now()
        token.save(update_fields=["case", "errors", "params", "processed_at"])
    if token.media:
        token.media.delete(save=True)
    return "filed" if case else "rejected"


@app.task(name="insieme.open311.tasks.file_batch_request")
def file_batch_request(token_id: int) -> str:
    return process_token(token_id)


@app.task(name="insieme.open311.tasks.file_pending")
def file_pending(older_than_seconds: int = 120, limit: int = 500) -> int:
    """Tokens still unprocessed a while after they were given out: their message was lost (the
    broker was away when the request was accepted, or a worker died and the message expired).
    Filed here, once each, as `file_batch_request` would have (process_token is idempotent)."""
    import datetime as dt

    from insieme.open311.models import RequestToken

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        RequestToken.objects.filter(
            processed_at__isnull=True, case__isnull=True, created_at__lt=cutoff
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(process_token(pk) == "filed" for pk in ids)
