"""The audit log records what really changed in the catalogue: an edit that changes nothing
(the order of a service's channels included) writes no entry and no new version, and an entry
holds the changed fields only, never bookkeeping such as the version or the time of the save."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.catalog import actions
from insieme.catalog.models import Service
from insieme.core.models import AuditEntry

from .conftest import service_post_data


@pytest.fixture
def carla_client(carla, persona_client):
    return persona_client(carla)


def entries(action: str):
    return AuditEntry.objects.filter(action=action).order_by("seq")


def test_channels_are_kept_in_one_order(cat, montalto):
    service = actions.create_service(
        None, montalto, code="noise", name="Noise", channels=["email", "phone", "web"]
    )
    assert service.channels == ["web", "phone", "email"]
    actions.update_service(None, service, channels=["phone", "web", "counter"])
    service.refresh_from_db()
    assert service.channels == ["web", "counter", "phone"]


def test_reordering_the_channels_is_no_change(cat, carla):
    service = cat.pothole
    version = service.version
    before = AuditEntry.objects.count()
    actions.update_service(carla, service, channels=list(reversed(service.channels)))
    service.refresh_from_db()
    assert AuditEntry.objects.count() == before
    assert service.version == version


def test_saving_an_older_row_unchanged_from_the_screen_writes_nothing(cat, carla_client):
    """A row saved before channels were kept in order lists them in another; saving the edit
    screen as it is must not claim a change."""
    service = cat.pothole
    Service.objects.filter(pk=service.pk).update(channels=["phone", "web"])
    service.refresh_from_db()
    version, before = service.version, AuditEntry.objects.count()
    data = service_post_data(service, channels=["web", "phone"], version=str(version))
    response = carla_client.post(
        reverse("catalog_service_edit", args=["montalto", service.pk]), data
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert AuditEntry.objects.count() == before
    assert service.version == version


def test_an_entry_holds_only_what_changed(cat, carla):
    actions.update_service(carla, cat.pothole, name="Buche", channels=["phone", "web", "email"])
    entry = entries("service.update").last()
    assert entry.before == {"name": "Pothole", "channels": ["web", "phone"]}
    assert entry.after == {"name": "Buche", "channels": ["web", "phone", "email"]}


def test_the_audit_page_shows_the_changed_fields(cat, carla, alice, persona_client):
    actions.update_service(carla, cat.pothole, sla_resolve_days=9)
    page = persona_client(alice).get(reverse("staff_audit", args=["montalto"]))
    body = page.content.decode()
    row = body.split("service.update", 1)[1].split("</dl>", 1)[0]
    assert "sla_resolve_days" in row and "version" not in row and "updated_at" not in row


@pytest.mark.parametrize(
    ("act", "action"),
    [
        (lambda c: actions.update_template(None, c.region_template, name="Pothole"), "template"),
        (lambda c: actions.update_regulation(None, c.regulation, title=c.regulation.title), "reg"),
        (
            lambda c: actions.update_provision(None, c.provision, title=c.provision.title),
            "prov",
        ),
        (
            lambda c: actions.save_attribute(None, c.pothole, c.attribute, label=c.attribute.label),
            "attr",
        ),
        (lambda c: actions.set_skilled(None, c.pothole, []), "skilled"),
    ],
)
def test_an_edit_that_changes_nothing_writes_no_entry(cat, act, action):
    before = AuditEntry.objects.count()
    version = Service.objects.get(pk=cat.pothole.pk).version
    act(cat)
    assert AuditEntry.objects.count() == before, action
    assert Service.objects.get(pk=cat.pothole.pk).version == version
