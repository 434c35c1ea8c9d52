"""The one write path of webhooks: subscriptions, the deliveries events create, replays.

Each action validates, writes in one transaction with its audit entry, and hands deliveries to
the background sender on commit (dispatch.py): nothing here waits for a receiver.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.events import EVENT_TYPES, Event
from insieme.core.models import Administration
from insieme.webhooks import targets
from insieme.webhooks.delivery import MAX_ATTEMPTS
from insieme.webhooks.dispatch import dispatch
from insieme.webhooks.models import Delivery, Subscription
from insieme.webhooks.signing import new_secret

TEST_EVENT_TYPE = "webhook.test"
MAX_URL_LENGTH = 500
AUDITED_FIELDS = ["name", "url", "event_types", "is_active"]  # never the secret


def clean_url(url: str) -> str:
    """The URL stripped, or ValidationError (on "url") saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Give the URL that receives the events.")})
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(
            {
                "url": _("Use an address starting with https:// (or http://), e.g. %(eg)s.")
                % {"eg": "https://example.org/insieme-events"}
            }
        )
    if parts.username or parts.password:
        raise ValidationError(
            {"url": _("Leave the user name and password out of the URL; check the signature.")}
        )
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            {"url": _("Keep the URL within %(n)d characters.") % {"n": MAX_URL_LENGTH}}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(
            {
                "url": _("This is not a valid web address, e.g. %(eg)s.")
                % {"eg": "https://example.org/insieme-events"}
            }
        ) from exc
    if not targets.allowed() and targets.private_host(parts.hostname or ""):
        raise ValidationError(
            {
                "url": _(
                    "This address is inside a private network or on this server; events are "
                    "sent to public addresses only."
                )
            }
        )
    return url


def clean_event_types(event_types) -> list[str]:
    chosen = sorted(set(event_types or []))
    if not chosen:
        raise ValidationError({"event_types": _("Choose at least one event type.")})
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"event_types": _("Unknown event types: %(t)s") % {"t": ", ".join(unknown)}}
        )
    return chosen


def create_subscription(
    actor, admin: Administration, *, name: str, url: str, event_types
) -> tuple[Subscription, str]:
    """Subscribe `url` to `event_types`; returns (subscription, secret). Show the secret once."""
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the subscription a name.")]
    for check, value in ((clean_url, url), (clean_event_types, event_types)):
        try:
            check(value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    subscription = Subscription(
        administration=admin,
        name=name.strip()[:120],
        url=clean_url(url),
        event_types=clean_event_types(event_types),
        secret=new_secret(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        subscription.save()
        audit.record(
            actor=actor,
            action="webhook.create",
            obj=subscription,
            after=audit.snapshot(subscription, AUDITED_FIELDS),
            administration=admin,
        )
    return subscription, subscription.secret


def set_active(actor, subscription: Subscription, active: bool) -> Subscription:
    """Enable or disable; disabling gives up the deliveries still pending (replay them later)."""
    if subscription.is_active == active:
        return subscription
    with transaction.atomic():
        subscription.is_active = active
        subscription.save(update_fields=["is_active"])
        if not active:
            subscription.deliveries.filter(status=Delivery.Status.PENDING).update(
                status=Delivery.Status.FAILED,
                next_attempt_at=None,
                last_error="The subscription is disabled.",
            )
        audit.record(
            actor=actor,
            action="webhook.enable" if active else "webhook.disable",
            obj=subscription,
            before={"is_active": not active},
            after={"is_active": active},
            administration=subscription.administration,
        )
    return subscription


def delete_subscription(actor, subscription: Subscription) -> None:
    """Delete the subscription with its delivery log."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="webhook.delete",
            obj=subscription,
            before=audit.snapshot(subscription, AUDITED_FIELDS),
            administration=subscription.administration,
        )
        subscription.delete()


def _payload(event_type: str, occurred_at, admin_slug: str, data: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "administration": admin_slug,
        "data": data,
    }


def record_event(event: Event) -> list[Delivery]:
    """The domain-event listener, run inside the write's transaction: one delivery per active
    subscription of the event's administration that chose the event's type, sent in the
    background once the write commits (a crash before then leaves them due, for the periodic
    sender). Internal event types (core.events.INTERNAL_EVENT_TYPES) never leave."""
    if event.type not in EVENT_TYPES:
        return []
    subscriptions = [
        s
        for s in Subscription.objects.filter(
            administration_id=event.administration_id, is_active=True
        )
        if event.type in s.event_types
    ]
    if not subscriptions:
        return []
    slug = Administration.objects.values_list("slug", flat=True).get(pk=event.administration_id)
    payload = _payload(event.type, event.occurred_at, slug, event.data)
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=s,
                event_id=payload["id"],
                event_type=event.type,
                payload=payload,
                attempts_left=MAX_ATTEMPTS,
                next_attempt_at=now,
                created_at=now,
            )
            for s in subscriptions
        ]
    )
    dispatch([row.pk for row in rows])
    return rows


def send_test_event(actor, subscription: Subscription) -> Delivery:
    """A one-attempt delivery of a harmless event, to check the receiver and its verification."""
    if not subscription.is_active:
        raise ValidationError(_("Enable the subscription first."))
    now = timezone.now()
    payload = _payload(
        TEST_EVENT_TYPE,
        now,
        subscription.administration.slug,
        {"message": "This is a test event from Insieme."},
    )
    with transaction.atomic():
        delivery = Delivery.objects.create(
            subscription=subscription,
            event_id=payload["id"],
            event_type=TEST_EVENT_TYPE,
            payload=payload,
            attempts_left=1,
            next_attempt_at=now,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="webhook.test",
            obj=subscription,
            after={"delivery": delivery.pk},
            administration=subscription.administration,
        )
        dispatch([delivery.pk])
    return delivery


def replay_delivery(actor, delivery: Delivery) -> Delivery:
    """Send the delivery again, as it was (same event id, new timestamp and signature): one more
    attempt, in the background, logged like the others."""
    subscription = delivery.subscription
    if not subscription.is_active:
        raise ValidationError(_("Enable the subscription first."))
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            attempts_left=max(delivery.attempts_left, 1)
            if delivery.status == Delivery.Status.PENDING
            else 1,
            next_attempt_at=now,
            replay_requested=True,
        )
        audit.record(
            actor=actor,
            action="webhook.replay",
            obj=subscription,
            after={"delivery": delivery.pk, "event": str(delivery.event_id)},
            administration=subscription.administration,
        )
        dispatch([delivery.pk])
    delivery.refresh_from_db()
    return delivery
