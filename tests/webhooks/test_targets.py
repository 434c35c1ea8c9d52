"""Webhooks never reach into the server's own network unless the operator allows it: a private
address is refused when the URL is saved, and on the socket when a delivery connects (a name
that resolves to a private address included)."""

from __future__ import annotations

import ipaddress

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from insieme.webhooks import delivery, targets
from insieme.webhooks.models import Attempt, Delivery, Subscription
from tests.webhooks.test_delivery import file_case

PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://LocalHost/hook",
    "http://metrics.localhost/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.5/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "https://[fd00::1]/hook",
]


@pytest.fixture
def no_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


@pytest.mark.parametrize("bad", PRIVATE_URLS)
def test_a_private_address_is_refused_when_saved(alice, persona_client, no_private, bad):
    response = persona_client(alice).post(
        reverse("webhooks_staff_create", args=["montalto"]),
        {"name": "X", "url": bad, "event_types": ["case.created"]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "inside a private network" in page and 'href="#id_url"' in page
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("good", ["https://hooks.example.org/in", "https://93.184.216.34/in"])
def test_public_names_and_addresses_are_accepted(subscribe, no_private, good):
    subscription, _secret = subscribe(good, ["case.created"])
    assert subscription.url == good


def test_allowed_by_the_setting(subscribe, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    subscription, _secret = subscribe("http://127.0.0.1:9/hook", ["case.created"])
    assert subscription.pk


def test_a_delivery_to_a_private_address_is_refused_on_the_socket(
    cat, charlie, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    """A subscription saved while private targets were allowed (or whose name started to
    resolve to a private address): the sender connects, sees the peer, sends nothing."""
    subscribe(receiver.url, ["case.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    delivery.deliver_due()
    row = Delivery.objects.get()
    attempt = Attempt.objects.get(delivery=row)
    assert receiver.received == []
    assert (row.status, attempt.status_code) == ("pending", None)
    assert "private or reserved address" in attempt.error
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the operator allows it: the retry goes through
    Delivery.objects.update(next_attempt_at=row.created_at)
    delivery.deliver_due()
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == "succeeded"


def test_a_name_is_judged_by_the_address_it_resolves_to(receiver, no_private):
    """`localhost` passes no literal check on the socket: its resolved peer is what is refused."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    with pytest.raises(targets.BlockedAddress):
        targets.create_connection(("localhost", port), 5)
    outcome = delivery.post(f"http://localhost:{port}/hooks", b"{}", {})
    assert outcome.status_code is None and "BlockedAddress" in outcome.error
    assert receiver.received == []


PRIVATE_NETWORKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "fc00::/7"]


@given(
    st.sampled_from(PRIVATE_NETWORKS).flatmap(lambda net: st.ip_addresses(network=net)),
    st.booleans(),
)
def test_every_private_address_is_private(address, mapped):
    if mapped and address.version == 4:
        address = ipaddress.IPv6Address(f"::ffff:{address}")
    host = str(address)
    assert targets.private_host(host) and targets.private_host(f"[{host}]")
    assert not targets.public_ip(host)


@given(st.ip_addresses(v=4))
def test_public_ip_agrees_with_the_standard_library(address):
    expected = address.is_global and not address.is_multicast
    assert targets.public_ip(str(address)) is expected
    assert targets.private_host(str(address)) is not expected
