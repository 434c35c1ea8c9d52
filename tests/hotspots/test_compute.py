"""Computing through the action: the run and its hotspots are stored with what the page shows
(street, counts per period, first and last seen, breakdown), duplicates do not count, older runs
are let go, and the computation is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.core.models import AuditEntry
from insieme.hotspots import actions
from insieme.hotspots.detect import Params
from insieme.hotspots.models import KEEP_RUNS, Hotspot, Run
from tests.hotspots.conftest import ALFA, BETA, FIRST_DAY, TODAY

pytestmark = pytest.mark.django_db


def test_exactly_the_two_persistent_places_are_stored(computed, world, montalto):
    run = computed[0]
    assert run.first_day == FIRST_DAY and run.last_day == TODAY - dt.timedelta(days=1)
    assert run.periods == 6 and run.min_periods == 4
    assert run.points == 6 * 12 + 30 + 20  # the duplicate left out
    alfa, beta = sorted(run.hotspots.all(), key=lambda h: h.lon)
    assert alfa.lat == pytest.approx(ALFA[0], abs=2e-4) and beta.lon == pytest.approx(
        BETA[1], abs=2e-4
    )
    assert alfa.street == "Via Alfa" and beta.street == ""
    assert alfa.counts == beta.counts == [6] * 6 and alfa.reports == 36
    assert alfa.periods_present == 6 and not alfa.growing
    assert alfa.first_seen == FIRST_DAY and alfa.last_seen == run.last_day
    # period 0 holds, for potholes of Strade: 4 by web and 2 by phone
    assert [0, world.potholes.pk, world.roads.pk, "phone", 2] in alfa.breakdown
    assert [0, world.potholes.pk, world.roads.pk, "web", 4] in alfa.breakdown
    assert Hotspot.objects.filter(administration=montalto).count() == 2


def test_the_other_administration_has_its_own_run(computed, lagoverde):
    (lake,) = computed[1].hotspots.all()
    assert lake.administration == lagoverde and lake.counts == [5] * 6


def test_the_run_is_audited_and_old_runs_are_let_go(world, montalto):
    for _ in range(KEEP_RUNS + 2):
        run = actions.compute(None, montalto, today=TODAY)
    assert Run.objects.filter(administration=montalto).count() == KEEP_RUNS
    assert actions.latest_run(montalto) == run
    entry = AuditEntry.objects.filter(action="hotspots.run.computed").latest("seq")
    assert entry.administration == montalto and entry.after["hotspots"] == 2


def test_parameters_decide_what_persists(world, montalto):
    run = actions.compute(None, montalto, today=TODAY, params=Params(min_reports=7))
    assert run.hotspots.count() == 0  # six a period is below seven


def test_impossible_parameters_and_people_without_the_permission_are_refused(world, montalto, bob):
    with pytest.raises(ValidationError):
        actions.compute(None, montalto, params=Params(periods=2, min_periods=3))
    with pytest.raises(PermissionDenied):
        actions.compute(bob, montalto)
