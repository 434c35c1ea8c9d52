"""Reads across the permission boundary: 404 for other administrations' objects and missing ones
alike; 403 for staff of this administration without WEBHOOK_MANAGE."""

from __future__ import annotations

from django.http import Http404

from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.webhooks.models import Delivery, Subscription


def get_subscription_for_user(user, admin: Administration, pk) -> Subscription:
    admin = get_administration_for_user(user, admin.slug, Perm.WEBHOOK_MANAGE)
    return get_scoped(Subscription.objects.select_related("administration"), admin, pk)


def get_delivery_for_user(user, admin: Administration, pk) -> Delivery:
    admin = get_administration_for_user(user, admin.slug, Perm.WEBHOOK_MANAGE)
    try:
        return Delivery.objects.select_related("subscription__administration").get(
            subscription__administration=admin, pk=int(pk)
        )
    except (Delivery.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
