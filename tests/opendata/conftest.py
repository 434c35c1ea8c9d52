"""Open-data fixtures: Montalto with two services, a handful of cases made as rows (open data
only reads them), and its datasets published."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.core.registry import datasets
from insieme.opendata import publish
from insieme.opendata.models import DatasetSetting, ServiceTextPolicy


def make_service(admin, code, name, **extra):
    extra.setdefault("kind", "report")
    extra.setdefault("channels", ["web"])
    return catalog_actions.create_service(None, admin, code=code, name=name, **extra)


def make_case(admin, service, number, submitted, **fields) -> Case:
    fields.setdefault("kind", service.kind)
    fields.setdefault("updated_at", submitted)
    fields.setdefault("status", "submitted")
    return Case.objects.create(
        administration=admin,
        service=service,
        reference=f"MT-{number}",
        submitted_at=submitted,
        **fields,
    )


def publish_everything(admin, keys=None):
    """Every dataset (or those of `keys`) of `admin` published and generated."""
    for key in keys or datasets.keys():
        DatasetSetting.objects.update_or_create(
            administration=admin, dataset=key, defaults={"state": DatasetSetting.State.PUBLISHED}
        )
        publish.publish(admin, key)


@pytest.fixture
def opendata(montalto):
    """Montalto (IPA code set) with a pothole service whose text is published after redaction
    and a noise service whose places are sensitive; twelve public reports and three private
    ones; every dataset published."""
    montalto.ipa_code = "c_m001"
    montalto.save(update_fields=["ipa_code"])
    potholes = make_service(montalto, "buche", "Buche stradali", located=True)
    noise = make_service(montalto, "rumore", "Rumore", located=True)
    ServiceTextPolicy.objects.create(service=potholes, text=ServiceTextPolicy.Text.REDACTED)
    ServiceTextPolicy.objects.create(service=noise, sensitive_places=True)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    for i in range(12):
        service = potholes if i % 3 else noise
        make_case(
            montalto,
            service,
            i,
            start + dt.timedelta(days=i),
            is_public=True,
            lat=45.07 + i * 0.001,
            lon=7.68 + i * 0.001,
            description=f"Buca profonda, chiamatemi al 347 123 456{i % 10}",
            public_description=f"Buca profonda numero {i}",
            contact_name="Mario Rossi",
            contact_email="mario.rossi@example.org",
        )
    for i in range(12, 15):
        make_case(
            montalto,
            potholes,
            i,
            start + dt.timedelta(days=i),
            is_public=False,
            description="Private request of Mario Rossi",
            contact_name="Mario Rossi",
        )
    publish_everything(montalto)
    return montalto
