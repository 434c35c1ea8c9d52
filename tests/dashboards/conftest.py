"""Dashboard fixtures: a handful of cases with known times, made as rows (the dashboards only
read them), so every panel's figure is known in advance.

The clock stands at Tuesday 3 March 2026, 10:00 in Rome. The period asked for is Monday 2 to
Sunday 29 February... of 2026: four whole weeks, 2 Feb – 1 Mar. In Montalto:

A  web, Roads, in the locality "Borgo"   filed Mon 2 Feb 08:30, acknowledged after 2 h,
   resolved after 3 days; both promises kept; handed off to Parks and sent back
B  web, Roads, assigned to Olga           filed Mon 9 Feb 00:30 (still Sunday in UTC),
   acknowledged after 30 h, open; its resolution fell due on 24 Feb: broken
C  phone, no department                   filed Wed 18 Feb 10:15, acknowledged after 5 h,
   resolved after a day and closed; handed off to Parks and accepted
D  counter, Roads, assigned to Olga       filed Tue 20 Jan 09:00 (the period before),
   acknowledged after 24 h, open; its resolution fell due on 4 Feb: broken
and in Lago Verde E, web, filed Tue 10 Feb 11:00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from insieme.cases.models import Case, Handoff, Status
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from insieme.places.models import Address, Street
from tests.catalog.conftest import cat  # noqa: F401 (the catalogue fixture)
from tests.conftest import make_staff

ROME = zoneinfo.ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=ROME)
PERIOD = {"start": "2026-02-02", "end": "2026-03-01"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ROME)


H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def make_case(admin, service, submitted, number, **fields) -> Case:
    fields.setdefault("kind", service.kind)
    fields.setdefault("updated_at", submitted)
    return Case.objects.create(
        administration=admin,
        service=service,
        reference=f"T-{number}",
        submitted_at=submitted,
        **fields,
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class Known:
    """The hand-made cases, people and departments (attributes named as in the docstring)."""


@pytest.fixture
def known(clock, cat, montalto, lagoverde):  # noqa: F811 (the imported fixture)
    k = Known()
    k.cat = cat
    k.roads = cat.department
    k.parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    k.olga = make_staff(
        montalto, Role.OFFICER, "olga@montalto.example", "Olga", department=k.roads, capacity=4
    )
    k.piero = make_staff(
        montalto, Role.OFFICER, "piero@montalto.example", "Piero", department=k.roads, capacity=4
    )
    street = Street.objects.create(
        administration=montalto, name="Via del Borgo", folded="via del borgo", locality="Borgo"
    )
    for n, (lat, lon) in enumerate([(43.050, 11.050), (43.052, 11.053)], start=1):
        Address.objects.create(
            administration=montalto,
            street=street,
            number=n,
            lat=lat,
            lon=lon,
            cell_row=0,
            cell_col=0,
        )
    pothole = cat.pothole
    a_at = at(2026, 2, 2, 8, 30)
    k.a = make_case(
        montalto,
        pothole,
        a_at,
        1,
        channel="web",
        department=k.roads,
        lat=43.051,
        lon=11.051,
        status=Status.RESOLVED,
        acknowledged_at=a_at + 2 * H,
        first_public_response_at=a_at + 2 * H,
        resolved_at=a_at + 3 * D,
        acknowledge_due_at=a_at + 2 * D,
        resolve_due_at=a_at + 15 * D,
    )
    b_at = at(2026, 2, 9, 0, 30)
    k.b = make_case(
        montalto,
        pothole,
        b_at,
        2,
        channel="web",
        department=k.roads,
        lat=43.15,
        lon=11.15,
        status=Status.ACKNOWLEDGED,
        acknowledged_at=b_at + 30 * H,
        first_public_response_at=b_at + 30 * H,
        acknowledge_due_at=b_at + 2 * D,
        resolve_due_at=b_at + 15 * D,
        assignee=k.olga,
    )
    c_at = at(2026, 2, 18, 10, 15)
    k.c = make_case(
        montalto,
        pothole,
        c_at,
        3,
        channel="phone",
        status=Status.CLOSED,
        acknowledged_at=c_at + 5 * H,
        first_public_response_at=c_at + 5 * H,
        resolved_at=c_at + D,
        closed_at=c_at + 2 * D,
        acknowledge_due_at=c_at + 2 * D,
        resolve_due_at=c_at + 15 * D,
    )
    d_at = at(2026, 1, 20, 9, 0)
    k.d = make_case(
        montalto,
        pothole,
        d_at,
        4,
        channel="counter",
        department=k.roads,
        status=Status.IN_PROGRESS,
        acknowledged_at=d_at + 24 * H,
        first_public_response_at=d_at + 24 * H,
        acknowledge_due_at=d_at + 2 * D,
        resolve_due_at=d_at + 15 * D,
        assignee=k.olga,
    )
    k.e = make_case(lagoverde, cat.lv_service, at(2026, 2, 10, 11, 0), 5, channel="web")
    Handoff.objects.create(
        case=k.a,
        from_department=k.roads,
        to_department=k.parks,
        reason="Trees",
        state=Handoff.State.RETURNED,
        created_at=a_at + H,
        decided_at=a_at + 5 * H,
    )
    Handoff.objects.create(
        case=k.c,
        from_department=k.roads,
        to_department=k.parks,
        reason="Trees",
        state=Handoff.State.ACCEPTED,
        created_at=c_at + H,
        decided_at=c_at + 2 * H,
    )
    return k
