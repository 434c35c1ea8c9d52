"""Staff screens of webhooks: subscriptions, their delivery log, replay and test events.

Every view fetches through `insieme.webhooks.access` (404 for other administrations' objects,
403 without WEBHOOK_MANAGE) and writes only through `insieme.webhooks.actions`.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.core.access import get_administration_for_user
from insieme.core.events import EVENT_TYPES
from insieme.core.permissions import Perm
from insieme.webhooks import actions
from insieme.webhooks.access import get_delivery_for_user, get_subscription_for_user
from insieme.webhooks.forms import SubscriptionForm
from insieme.webhooks.models import Delivery, Subscription

LOG_PAGE_SIZE = 25


def _administration(request: HttpRequest, admin_slug: str):
    return get_administration_for_user(request.user, admin_slug, Perm.WEBHOOK_MANAGE)


@never_cache
@login_required
@require_GET
def subscription_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = _administration(request, admin_slug)
    subscriptions = Subscription.objects.filter(administration=admin).annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
    )
    return render(
        request,
        "webhooks/list.html",
        {"administration": admin, "subscriptions": subscriptions},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """The secret is rendered in the POST's own response, once; it is never shown again."""
    admin = _administration(request, admin_slug)
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = actions.create_subscription(
                request.user,
                admin,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(
                request,
                "webhooks/created.html",
                {"administration": admin, "subscription": subscription, "secret": secret},
            )
    return render(request, "webhooks/form.html", {"administration": admin, "form": form})


@never_cache
@login_required
@require_GET
def subscription_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    subscription = get_subscription_for_user(request.user, admin, pk)
    page = Paginator(subscription.deliveries.all(), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/detail.html",
        {
            "administration": admin,
            "subscription": subscription,
            "event_types": [(t, EVENT_TYPES.get(t, "")) for t in subscription.event_types],
            "page": page,
        },
    )


@login_required
@require_POST
def subscription_active(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    subscription = get_subscription_for_user(request.user, admin, pk)
    active = request.POST.get("active") == "1"
    actions.set_active(request.user, subscription, active)
    if active:
        messages.success(request, _("The subscription is enabled."))
    else:
        messages.success(request, _("The subscription is disabled; nothing more is sent."))
    return redirect("webhooks_staff_detail", admin_slug=admin.slug, pk=subscription.pk)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    subscription = get_subscription_for_user(request.user, admin, pk)
    name = subscription.name
    actions.delete_subscription(request.user, subscription)
    messages.success(request, _("The subscription “%(name)s” is deleted.") % {"name": name})
    return redirect("webhooks_staff_list", admin_slug=admin.slug)


@login_required
@require_POST
def subscription_test(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    subscription = get_subscription_for_user(request.user, admin, pk)
    try:
        actions.send_test_event(request.user, subscription)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("A test event is on its way; reload this page to see the answer.")
        )
    return redirect("webhooks_staff_detail", admin_slug=admin.slug, pk=subscription.pk)


@never_cache
@login_required
@require_GET
def delivery_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    delivery = get_delivery_for_user(request.user, admin, pk)
    return render(
        request,
        "webhooks/delivery.html",
        {
            "administration": admin,
            "delivery": delivery,
            "subscription": delivery.subscription,
            "attempts": delivery.attempt_log.all(),
            "payload": json.dumps(delivery.payload, indent=2, ensure_ascii=False),
        },
    )


@login_required
@require_POST
def delivery_replay(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _administration(request, admin_slug)
    delivery = get_delivery_for_user(request.user, admin, pk)
    try:
        actions.replay_delivery(request.user, delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The delivery is sent again; reload to see the answer."))
    if request.POST.get("next") == "delivery":
        return redirect("webhooks_staff_delivery", admin_slug=admin.slug, pk=delivery.pk)
    return redirect("webhooks_staff_detail", admin_slug=admin.slug, pk=delivery.subscription_id)
