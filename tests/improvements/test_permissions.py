"""Who reads and who changes the backlog: every staff role reads it, supervisors, service
managers and administrators change it (improvements:item:manage); another administration's
staff and citizens get 404, anonymous visitors the sign-in page."""

from __future__ import annotations

import pytest

from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role
from insieme.improvements import actions
from insieme.improvements.models import Item, Status
from tests.conftest import sign_in
from tests.improvements.conftest import GAUGE_KEY

pytestmark = pytest.mark.django_db

BASE = "/staff/montalto/improvements/"


def test_the_roles_hold_the_permissions():
    readers = {r for r, perms in ROLE_PERMISSIONS.items() if Perm.IMPROVEMENT_READ in perms}
    managers = {r for r, perms in ROLE_PERMISSIONS.items() if Perm.IMPROVEMENT_MANAGE in perms}
    assert readers == set(Role.values)
    assert managers == {Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMINISTRATOR}


def test_anonymous_is_sent_to_sign_in(client, item):
    for url in [BASE, BASE + "new/", f"{BASE}{item.pk}/", f"{BASE}{item.pk}/edit/"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert client.post(f"{BASE}{item.pk}/close/", {"outcome": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_who_reads_and_who_manages(
    client, item, alice, bob, carla, dario, elena, rita, oscar, charlie
):
    read_urls = [BASE, f"{BASE}{item.pk}/"]
    manage_urls = [BASE + "new/", f"{BASE}{item.pk}/edit/"]
    for person, read, manage in [
        (dario, 200, 200),
        (carla, 200, 200),
        (alice, 200, 200),
        (rita, 200, 200),  # a region's service manager reaches the municipalities it hosts
        (bob, 200, 403),
        (elena, 200, 403),
        (oscar, 404, 404),
        (charlie, 404, 404),
    ]:
        signed = sign_in(client, person)
        for url in read_urls:
            assert signed.get(url).status_code == read, (person, url)
        for url in manage_urls:
            assert signed.get(url).status_code == manage, (person, url)
        signed.logout()


def test_an_officer_cannot_change_an_item(client, item, bob):
    signed = sign_in(client, bob)
    assert signed.post(f"{BASE}{item.pk}/close/", {"outcome": "done"}).status_code == 403
    assert signed.post(f"{BASE}{item.pk}/status/", {"status": "in_progress"}).status_code == 403
    assert (
        signed.post(BASE + "new/", {"title": "x", "source": "other", "owner": bob.pk}).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.status == Status.OPEN
    assert not Item.objects.filter(title="x").exists()
    page = signed.get(f"{BASE}{item.pk}/").content.decode()
    assert "Close the item" not in page and "/edit/" not in page


def test_the_action_checks_the_permission_too(item, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.close_as_done(bob, item)
    with pytest.raises(PermissionDenied):
        actions.open_item(bob, item.administration, title="x", source="other", owner=bob)


def test_another_administrations_item_is_not_found(
    client, lagoverde, montalto, oscar, dario, gauge
):
    theirs = actions.open_item(
        oscar, lagoverde, title="Lago", source="indicator", indicator_key=GAUGE_KEY, owner=oscar
    )
    signed = sign_in(client, dario)
    assert signed.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert signed.post(f"{BASE}{theirs.pk}/close/", {"outcome": "done"}).status_code == 404
    assert signed.get(f"/staff/lago-verde/improvements/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN
    assert "Lago" not in signed.get(BASE).content.decode()
