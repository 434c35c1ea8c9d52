"""The service page's deviation report names every overridden field in words, whatever its type:
lists (channels) and mappings (staff minutes by channel) as well as plain values and choices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.catalog import actions


@pytest.mark.parametrize("persona", ["alice", "bob", "carla", "dario", "elena", "rita"])
def test_a_service_that_overrides_channels_and_minutes_shows_its_deviation(
    cat, persona, request, persona_client
):
    service = actions.update_service(
        None,
        cat.pothole,
        channels=["web", "counter", "email"],
        staff_minutes={"web": 12, "counter": 30, "email": 9},
    )
    assert {"channels", "staff_minutes"} <= set(service.overridden_fields)
    client = persona_client(request.getfixturevalue(persona))
    page = client.get(reverse("catalog_service_detail", args=["montalto", service.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Channels offered" in body and "Web, Phone" in body  # the template's channels
    assert "Web, Counter, E-mail" in body  # the service's
    assert "Counter: 30, E-mail: 9, Web: 12" in body
