"""Hotspot fixtures: reports with known places and times, made as rows (hotspots only read
them), so the hotspots to find are known in advance.

The window ends before TODAY (3 March 2026): six four-week periods from 16 September 2025.
In Montalto, in every period: six pothole reports within 30 m of ALFA (on "Via Alfa", which
the street register knows; two of each six by phone) and six street-lighting reports within
30 m of BETA (no street there); in the third period only, a burst of thirty reports at BURST;
and twenty reports scattered two kilometres apart. One more report at ALFA is marked as a
duplicate (it must not count). In Lago Verde, five reports at LAKE in every period. Every
report carries a name, an e-mail and a description: none may reach the page or the CSV.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import pytest

from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.core import actions as core_actions
from insieme.hotspots import actions
from insieme.places.models import Street
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)

ROME = zoneinfo.ZoneInfo("Europe/Rome")
TODAY = dt.date(2026, 3, 3)
FIRST_DAY = TODAY - dt.timedelta(days=6 * 28)
ALFA, BETA, BURST, LAKE = (43.05, 11.05), (43.15, 11.15), (43.10, 11.10), (43.30, 11.30)
PERSON = "Mario Rossi"
EMAIL = "mario.rossi@example.org"


def offset(place, metres: float, angle: float) -> tuple[float, float]:
    lat = place[0] + metres * math.cos(angle) / 111_320.0
    lon = place[1] + metres * math.sin(angle) / (111_320.0 * math.cos(math.radians(place[0])))
    return lat, lon


class Counter:
    n = 0


def report(admin, service, place, day: dt.date, **fields) -> Case:
    Counter.n += 1
    when = dt.datetime.combine(day, dt.time(12, 0), ROME)
    lat, lon = place
    return Case.objects.create(
        administration=admin,
        service=service,
        kind="report",
        reference=f"T-{Counter.n:05d}",
        lat=lat,
        lon=lon,
        submitted_at=when,
        updated_at=when,
        department=service.department,
        contact_name=PERSON,
        contact_email=EMAIL,
        description=f"Buca davanti a casa di {PERSON}",
        address="Via Alfa 3",
        **fields,
    )


def ring(admin, service, place, day, count, *, spread=30.0, **fields) -> list[Case]:
    return [
        report(admin, service, offset(place, spread * (i % 3 + 1) / 3, i * 2.1), day, **fields)
        for i in range(count)
    ]


class World:
    """The hand-made reports and what they belong to (see the module docstring)."""


@pytest.fixture
def world(montalto, lagoverde):
    w = World()
    w.roads = core_actions.create_department(None, montalto, name="Strade", code="strade")
    w.potholes = catalog_actions.create_service(
        None,
        montalto,
        code="buche",
        name="Buche stradali",
        kind="report",
        channels=["web", "phone"],
        department=w.roads,
    )
    w.lights = catalog_actions.create_service(
        None, montalto, code="luci", name="Illuminazione", kind="report", channels=["web"]
    )
    w.boats = catalog_actions.create_service(
        None, lagoverde, code="barche", name="Barche", kind="report", channels=["web"]
    )
    Street.objects.create(
        administration=montalto,
        name="Via Alfa",
        folded="via alfa",
        geometry={"type": "LineString", "coordinates": [[11.049, 43.05], [11.051, 43.05]]},
        min_lat=43.05,
        max_lat=43.05,
        min_lon=11.049,
        max_lon=11.051,
    )
    for p in range(6):
        day = FIRST_DAY + dt.timedelta(days=28 * p + 10)
        ring(montalto, w.potholes, ALFA, day, 4, channel="web")
        ring(montalto, w.potholes, ALFA, day + dt.timedelta(days=1), 2, channel="phone")
        ring(montalto, w.lights, BETA, day, 6, channel="web")
        ring(lagoverde, w.boats, LAKE, day, 5, channel="web")
    ring(montalto, w.lights, BURST, FIRST_DAY + dt.timedelta(days=28 * 2 + 3), 30)
    for i in range(20):
        spot = offset((43.02, 11.02), 2000.0 * (i % 5), 0.0)
        spot = offset(spot, 2000.0 * (i // 5), math.pi / 2)
        report(montalto, w.lights, spot, FIRST_DAY + dt.timedelta(days=7 * i + 2))
    original = Case.objects.filter(administration=montalto, service=w.potholes).first()
    report(montalto, w.potholes, ALFA, FIRST_DAY + dt.timedelta(days=40), duplicate_of=original)
    return w


@pytest.fixture
def computed(world, montalto, lagoverde):
    """The world's hotspots, computed for both municipalities as of TODAY."""
    return [actions.compute(None, admin, today=TODAY) for admin in (montalto, lagoverde)]
