"""Celery tasks of webhooks (used when a broker is configured; see dispatch.py)."""

from __future__ import annotations

from django.utils import timezone

from insieme.celery import app
from insieme.core.tasks import parse_moment


@app.task(name="insieme.webhooks.tasks.deliver")
def deliver(delivery_id: int) -> None:
    """Send one delivery if it is due; after a failure, come back when its retry falls due."""
    from insieme.webhooks import delivery
    from insieme.webhooks.models import Delivery

    delivery.attempt(delivery_id)
    retry_at = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if retry_at is not None:
        countdown = max((retry_at - timezone.now()).total_seconds(), 1.0)
        deliver.apply_async((delivery_id,), countdown=countdown)


@app.task(name="insieme.webhooks.tasks.deliver_due")
def deliver_due(now: str | None = None) -> int:
    """Send every due delivery (retries whose message was lost, rows left by "manual" mode);
    `now` is an ISO date-time for a controlled clock. Runs every minute (beat)."""
    from insieme.webhooks import delivery

    return delivery.deliver_due(now=parse_moment(now))
