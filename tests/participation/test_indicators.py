"""Participation's Scorecard indicators on known data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from insieme.core.models import today_in
from insieme.core.registry import Scope, indicators
from insieme.participation import actions
from insieme.participation import indicators as ind
from insieme.participation.models import Idea, OfficialAnswer
from tests.participation.conftest import make_idea


@pytest.fixture
def scope(montalto):
    return Scope(administration_ids=(montalto.pk,), today=today_in(montalto))


@pytest.fixture
def world(process, charlie, sara, bob, carla, paola, round_table):
    a = make_idea(process, charlie, title="A")
    b = make_idea(process, bob, title="B")  # an employee
    c = make_idea(round_table, paola, title="C")  # a partner
    actions.support_idea(sara, a)
    actions.add_comment(sara, idea=a, body="bello", limit=False)
    actions.answer_idea(carla, a, kind="accepted")
    official = actions.add_comment(carla, idea=b, body="ne parliamo", official=True, limit=False)
    actions.add_comment(bob, idea=b, body="grazie", limit=False, parent=official)
    # answered three days after it was proposed
    Idea.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    return a, b, c


def test_all_are_registered_with_method_text():
    keys = [i.key for i in indicators if i.app == "participation"]
    assert len(keys) == 7
    assert {indicators.get(k).cell for k in keys} == {"I1", "I2", "T2"}
    assert all(str(indicators.get(k).method) for k in keys)


def test_participants_per_process(world, scope, process):
    result = ind.compute_participants(scope)
    rows = {r[0]: r[1:] for r in result.rows}
    # parks: charlie (idea) + sara (support, comment) citizens; bob employee; carla employee
    assert rows[process.title] == [2, 2, 0, 4]
    assert rows["Tavolo con i partner"] == [0, 0, 1, 1]
    assert result.numerator == 5 and result.denominator == 2 and result.value == 2.5


def test_two_way_exchanges(world, scope):
    result = ind.compute_two_way(scope)
    assert (result.numerator, result.denominator) == (2, 3)  # A answered; B commented + reply
    assert result.value == pytest.approx(2 / 3)


def test_staff_taking_part(world, scope, montalto):
    from insieme.core.models import Membership

    staff = Membership.objects.filter(administration=montalto, is_active=True)
    staff = staff.values("user_id").distinct().count()
    result = ind.compute_staff(scope)
    assert result.numerator == 2  # bob proposed and commented, carla answered and commented
    assert result.denominator == staff


def test_ideas_per_month_and_accepted(world, scope):
    result = ind.compute_ideas_per_month(scope)
    assert result.numerator == 3 and result.denominator == ind.MONTHS
    assert sum(r[4] for r in result.rows) == 3
    accepted = ind.compute_accepted(scope)
    assert (accepted.numerator, accepted.denominator) == (1, 3)


def test_partners_involved(world, scope, girasole):
    result = ind.compute_partners(scope)
    assert result.numerator == 1
    assert result.rows == [[girasole.name, 1]]


def test_median_time_to_official_answer(world, scope):
    a, b, _c = world
    OfficialAnswer.objects.filter(idea=a).update(created_at=timezone.now())
    days = dict(ind.answer_days(scope))
    assert days[a.pk] == pytest.approx(3, abs=0.01)
    assert days[b.pk] == pytest.approx(0, abs=0.01)
    assert ind.compute_answer_time(scope).value == pytest.approx(1.5, abs=0.01)


def test_nothing_to_measure(scope):
    for indicator in ind.INDICATORS:
        assert indicator.compute(scope).value is None
