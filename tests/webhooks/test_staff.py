"""The staff screens: subscriptions, delivery log, replay and test events, within one
administration and only for those holding WEBHOOK_MANAGE (the administrator role)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insieme.core.models import AuditEntry
from insieme.webhooks import delivery
from insieme.webhooks.models import Attempt, Delivery, Subscription
from tests.conftest import sign_in


def url(name, *args, slug="montalto"):
    return reverse(name, args=[slug, *args])


@pytest.fixture
def subscription(subscribe, receiver):
    sub, _secret = subscribe(receiver.url, ["case.created"])
    return sub


@pytest.fixture
def sent(subscription, montalto, django_capture_on_commit_callbacks):
    """One delivery of a case.created event, sent once (the receiver said 200)."""
    from insieme.core import events

    with django_capture_on_commit_callbacks(execute=True):
        events.publish_on_commit("case.created", montalto.pk, {"reference": "2026-000007"})
    delivery.deliver_due()
    return Delivery.objects.get()


def test_an_administrator_creates_a_subscription_and_sees_the_secret_once(
    alice, persona_client, receiver
):
    client = persona_client(alice)
    form = client.get(url("webhooks_staff_create")).content.decode()
    assert 'for="id_url"' in form and 'for="id_name"' in form and "case.status_changed" in form
    response = client.post(
        url("webhooks_staff_create"),
        {"name": "Contractor", "url": receiver.url, "event_types": ["case.created"]},
    )
    assert response.status_code == 200
    sub = Subscription.objects.get()
    page = response.content.decode()
    assert sub.secret.startswith("whsec_") and sub.secret in page
    assert (sub.url, sub.event_types, sub.is_active) == (receiver.url, ["case.created"], True)
    for later in [url("webhooks_staff_list"), url("webhooks_staff_detail", sub.pk)]:
        body = client.get(later).content.decode()
        assert sub.name in body and sub.secret not in body
    entry = AuditEntry.objects.get(action="webhook.create")
    assert sub.secret not in str(entry.after) and entry.administration_id == sub.administration_id


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("ftp://example.org/hook", "https://"),
        ("javascript:alert(1)", "https://"),
        ("example.org/hook", "https://"),
        ("file:///etc/passwd", "https://"),
        ("http://", "not a valid web address"),
        ("https://exa mple.org/", "not a valid web address"),
        ("https://user:pw@example.org/", "user name and password"),
        ("", "This field is required"),
    ],
)
def test_a_bad_url_is_refused_with_a_clear_error(alice, persona_client, bad, message):
    response = persona_client(alice).post(
        url("webhooks_staff_create"),
        {"name": "X", "url": bad, "event_types": ["case.created"]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'href="#id_url"' in page
    assert not Subscription.objects.exists()


def test_event_types_must_be_chosen_from_the_known_ones(alice, persona_client, receiver):
    client = persona_client(alice)
    for chosen in [[], ["case.nonsense"]]:
        response = client.post(
            url("webhooks_staff_create"), {"name": "X", "url": receiver.url, "event_types": chosen}
        )
        assert (
            response.status_code == 200 and 'href="#id_event_types_0"' in response.content.decode()
        )
    assert not Subscription.objects.exists()


def test_the_log_shows_response_codes_and_a_replay_sends_again(
    alice, persona_client, receiver, sent
):
    client = persona_client(alice)
    page = client.get(url("webhooks_staff_detail", sent.subscription_id)).content.decode()
    assert "HTTP 200" in page and "case.created" in page
    assert client.get(url("webhooks_staff_replay", sent.pk)).status_code == 405

    receiver.statuses = [503]
    response = client.post(url("webhooks_staff_replay", sent.pk))
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("pending", 1)  # queued, not sent in the request
    assert len(receiver.received) == 1
    assert delivery.deliver_due() == 1
    assert len(receiver.received) == 2 and receiver.received[0].body == receiver.received[1].body
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_status_code) == ("failed", 2, 503)
    second = Attempt.objects.get(delivery=sent, number=2)
    assert second.replay and second.status_code == 503
    detail = client.get(url("webhooks_staff_delivery", sent.pk)).content.decode()
    assert "HTTP 200" in detail and "HTTP 503" in detail and "2026-000007" in detail
    assert AuditEntry.objects.filter(action="webhook.replay").count() == 1


def test_send_a_test_event(alice, persona_client, receiver, subscription):
    client = persona_client(alice)
    assert client.post(url("webhooks_staff_test", subscription.pk)).status_code == 302
    assert receiver.received == []
    delivery.deliver_due()
    [request] = receiver.received
    assert request.headers["X-Insieme-Event"] == "webhook.test"
    assert Delivery.objects.get().status == "succeeded"


def test_disable_enable_and_delete(alice, persona_client, subscription):
    client = persona_client(alice)
    client.post(url("webhooks_staff_active", subscription.pk), {"active": "0"})
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert client.post(url("webhooks_staff_test", subscription.pk)).status_code == 302
    assert not Delivery.objects.exists()  # nothing is sent to a disabled subscription
    client.post(url("webhooks_staff_active", subscription.pk), {"active": "1"})
    subscription.refresh_from_db()
    assert subscription.is_active
    response = client.post(url("webhooks_staff_delete", subscription.pk))
    assert response.status_code == 302 and response["Location"] == url("webhooks_staff_list")
    assert not Subscription.objects.exists()


def test_posts_need_the_csrf_token(alice, subscription):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, alice)
    assert client.post(url("webhooks_staff_delete", subscription.pk)).status_code == 403
    assert Subscription.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "carla", "dario", "elena", "rita"])
def test_staff_without_the_permission_are_forbidden(persona, request, persona_client, sent):
    client = persona_client(request.getfixturevalue(persona))
    sub = sent.subscription_id
    for name, args in [
        ("webhooks_staff_list", []),
        ("webhooks_staff_create", []),
        ("webhooks_staff_detail", [sub]),
        ("webhooks_staff_delivery", [sent.pk]),
    ]:
        assert client.get(url(name, *args)).status_code == 403, name
    for name, args in [
        ("webhooks_staff_create", []),
        ("webhooks_staff_active", [sub]),
        ("webhooks_staff_test", [sub]),
        ("webhooks_staff_delete", [sub]),
        ("webhooks_staff_replay", [sent.pk]),
    ]:
        assert client.post(url(name, *args), {"active": "0"}).status_code == 403, name
    assert Subscription.objects.get().is_active and Delivery.objects.get().attempts == 1


def test_another_administration_sees_not_found(oscar, persona_client, sent):
    client = persona_client(oscar)
    sub = sent.subscription_id
    # Montalto's screens do not exist for Lago Verde's administrator ...
    assert client.get(url("webhooks_staff_list")).status_code == 404
    assert client.get(url("webhooks_staff_detail", sub)).status_code == 404
    # ... nor do Montalto's objects under Lago Verde's own screens.
    for name, args in [("webhooks_staff_detail", [sub]), ("webhooks_staff_delivery", [sent.pk])]:
        assert client.get(url(name, *args, slug="lago-verde")).status_code == 404
    for name, args in [
        ("webhooks_staff_active", [sub]),
        ("webhooks_staff_test", [sub]),
        ("webhooks_staff_delete", [sub]),
        ("webhooks_staff_replay", [sent.pk]),
    ]:
        assert client.post(url(name, *args, slug="lago-verde")).status_code == 404, name
    assert client.get(url("webhooks_staff_list", slug="lago-verde")).status_code == 200
    assert Subscription.objects.get().is_active and Delivery.objects.get().attempts == 1


def test_anonymous_people_are_sent_to_log_in(client, subscription):
    response = client.get(url("webhooks_staff_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_staff_dashboard_links_the_screen_for_administrators_only(
    alice, bob, persona_client, montalto
):
    home = reverse("staff_admin_home", args=["montalto"])
    assert url("webhooks_staff_list") in persona_client(alice).get(home).content.decode()
    assert url("webhooks_staff_list") not in persona_client(bob).get(home).content.decode()


def test_the_delivery_log_costs_the_same_queries_for_one_delivery_or_a_page(
    alice, persona_client, montalto, subscription, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insieme.core import events

    client = persona_client(alice)
    page = url("webhooks_staff_detail", subscription.pk)

    def publish(n):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                events.publish_on_commit("case.created", montalto.pk, {"reference": str(i)})

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    publish(1)
    one = queries()
    publish(30)
    assert queries() == one
