"""Staff screens under /staff/<admin>/results/: results:result:manage only."""

from __future__ import annotations

import pytest

from insieme.results import actions
from insieme.results.models import Milestone, Result, ResultLink, ResultUpdate
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

BASE = "/staff/montalto/results/"


def test_who_opens_the_screens(
    client, result, alice, bob, carla, dario, elena, rita, oscar, charlie
):
    assert client.get(BASE).status_code == 302  # to the login page
    for person, status in [
        (carla, 200),
        (rita, 200),
        (alice, 403),
        (bob, 403),
        (dario, 403),
        (elena, 403),
        (oscar, 404),
        (charlie, 404),
    ]:
        signed = sign_in(client, person)
        assert signed.get(BASE).status_code == status, person
        assert signed.get(f"{BASE}{result.pk}/").status_code == status, person
        signed.logout()


def test_dashboard_links_the_screens(client, carla, bob):
    assert BASE in sign_in(client, carla).get("/staff/montalto/").content.decode()
    client.logout()
    assert BASE not in sign_in(client, bob).get("/staff/montalto/").content.decode()


def test_create_edit_and_record_progress(client, montalto, carla):
    signed = sign_in(client, carla)
    parent = actions.create_result(carla, montalto, title="Piano")
    response = signed.post(
        BASE + "new/",
        {"title": "Aiuole", "parent": parent.pk, "weight": 2, "is_published": "on"},
    )
    assert response.status_code == 302
    part = Result.objects.get(title="Aiuole")
    assert part.parent == parent and part.weight == 2
    assert (
        signed.post(
            f"{BASE}{part.pk}/progress/", {"progress": 50, "note": "Fatto metà"}
        ).status_code
        == 302
    )
    parent.refresh_from_db()
    assert parent.progress == 50
    assert ResultUpdate.objects.get(result=part).note == "Fatto metà"
    bad = signed.post(f"{BASE}{part.pk}/progress/", {"progress": 150})
    assert bad.status_code == 400
    refused = signed.post(f"{BASE}{parent.pk}/progress/", {"progress": 90})
    assert refused.status_code == 400 and "rolled up" in refused.content.decode()
    cycle = signed.post(f"{BASE}{parent.pk}/", {"title": "Piano", "parent": part.pk, "weight": 1})
    assert cycle.status_code == 400
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_milestones_and_links(client, result, carla):
    signed = sign_in(client, carla)
    assert (
        signed.post(
            f"{BASE}{result.pk}/milestones/", {"title": "Gara", "title__en": "Tender"}
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get(result=result)
    assert milestone.translations == {"en": {"title": "Tender"}}
    assert signed.post(f"{BASE}{result.pk}/milestones/{milestone.pk}/done/").status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    assert signed.post(f"{BASE}{result.pk}/milestones/", {"title": ""}).status_code == 400
    ok = signed.post(
        f"{BASE}{result.pk}/links/",
        {"kind": "service_change", "label": "Nuovi orari", "url": "https://example.org/orari"},
    )
    assert ok.status_code == 302
    assert ResultLink.objects.get(result=result).key == "https://example.org/orari"
    bad = signed.post(
        f"{BASE}{result.pk}/links/", {"kind": "other", "label": "x", "url": "javascript:alert(1)"}
    )
    assert bad.status_code == 400
    assert ResultLink.objects.count() == 1


def test_other_administrations_result_is_404(client, lagoverde, carla):
    theirs = actions.create_result(None, lagoverde, title="Loro")
    signed = sign_in(client, carla)
    assert signed.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert signed.post(f"{BASE}{theirs.pk}/progress/", {"progress": 10}).status_code == 404
