"""Forecasts fixtures: services made through the catalogue's actions, and weekly demand written
as cases directly (the tests need exact submission times, which the filing actions would not
give). NOW is a Wednesday morning in Rome; its last complete week begins on Monday LAST_WEEK.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)

ROME = zoneinfo.ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=ROME)
LAST_WEEK = dt.date(2026, 2, 23)
# A steady service: 20 requests a week give or take a few, the same every time.
STEADY = [20, 23, 18, 21, 19, 22, 17, 20, 24, 19, 21, 18, 22, 20, 19, 23, 18, 21, 20, 22]


def make_service(admin, code="buche", name="Buche stradali"):
    return catalog_actions.create_service(
        None, admin, code=code, name=name, kind="report", channels=["web"], status="published"
    )


def put_cases(service, moments: list[dt.datetime]) -> None:
    start = Case.objects.count()
    Case.objects.bulk_create(
        Case(
            administration_id=service.administration_id,
            service=service,
            kind=service.kind,
            reference=f"F-{start + i:06d}",
            submitted_at=at,
            updated_at=at,
        )
        for i, at in enumerate(moments)
    )


def fill(service, counts: list[int], last_week: dt.date = LAST_WEEK) -> None:
    """counts[i] cases in each week, the last one beginning on `last_week`, on its Monday at
    noon where the administration is."""
    zone = zoneinfo.ZoneInfo(service.administration.timezone)
    first = last_week - dt.timedelta(weeks=len(counts) - 1)
    moments = [
        dt.datetime.combine(first + dt.timedelta(weeks=i), dt.time(12), zone)
        for i, n in enumerate(counts)
        for _ in range(n)
    ]
    put_cases(service, moments)


@pytest.fixture
def steady(montalto):
    """A service whose last complete week (20) is inside its forecast."""
    service = make_service(montalto)
    fill(service, STEADY)
    return service


@pytest.fixture
def surge(montalto):
    """A service steady at about 20 a week until its last complete week, which brought 60."""
    service = make_service(montalto, "verde", "Verde pubblico")
    fill(service, STEADY[:-1] + [60])
    return service
