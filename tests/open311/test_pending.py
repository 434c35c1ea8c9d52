"""A batch request accepted while the broker was away: its task message never left, so the
periodic job (open311.tasks.file_pending, beat "open311-pending-tokens") files it, once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from insieme.cases.models import Case
from insieme.open311.models import RequestToken
from insieme.open311.tasks import file_pending

from .conftest import BASE


def _accept(client, world, description: str) -> RequestToken:
    response = client.post(
        f"{BASE}requests.json",
        {
            "jurisdiction_id": "montalto",
            "api_key": world.key,
            "service_code": "bulky",
            "address_string": "Via Verdi 3",
            "description": description,
            "email": "mover@example.org",
        },
    )
    assert response.status_code == 200, response.content
    return RequestToken.objects.get(token=response.json()[0]["token"])


def test_a_token_whose_message_was_lost_is_filed_by_the_periodic_job_once(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message never leaves
        lost = _accept(client, world, "An old sofa.")
        recent = _accept(client, world, "A wardrobe.")
    RequestToken.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert not Case.objects.exists()
    assert file_pending() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.case is not None and lost.case.description == "An old sofa."
    assert recent.processed_at is None  # just accepted: its own message may still be coming
    assert file_pending() == 0  # run again: nothing more
    assert Case.objects.count() == 1
    response = client.get(f"{BASE}tokens/{lost.token}.json?jurisdiction_id=montalto")
    assert response.json()[0]["service_request_id"] == lost.case.reference
