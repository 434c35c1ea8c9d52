"""Background tasks of deliberation (started with `insieme.core.tasks.enqueue`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from insieme.celery import app


@app.task(name="insieme.deliberation.tasks.refresh_groups")
def refresh_groups(conversation_id: int) -> int | None:
    """Recompute a conversation's opinion groups unless they were computed moments ago (the
    periodic job catches up then): a vote must never wait for the math."""
    from insieme.deliberation.actions import REFRESH_EVERY_SECONDS, compute_groups
    from insieme.deliberation.models import Conversation

    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None
    latest = conversation.computations.first()
    recent = timezone.now() - timedelta(seconds=REFRESH_EVERY_SECONDS)
    if latest and latest.computed_at > recent:
        return latest.pk
    return compute_groups(conversation).pk


@app.task(name="insieme.deliberation.tasks.refresh_stale_groups")
def refresh_stale_groups() -> int:
    """Recompute every conversation whose votes changed since its last computation (beat)."""
    from django.db.models import F, Max, Q

    from insieme.deliberation.actions import compute_groups
    from insieme.deliberation.models import Conversation

    stale = Conversation.objects.annotate(computed=Max("computations__version")).filter(
        Q(computed__isnull=True, version__gt=0) | Q(computed__lt=F("version"))
    )
    done = 0
    for conversation in stale:
        compute_groups(conversation)
        done += 1
    return done
