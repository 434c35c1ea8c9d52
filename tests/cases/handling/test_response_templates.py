"""Response templates fill {due_date} from the case as of now (a controlled clock): its own due
date while that is ahead, moved on by an SLA pause, and never a day already gone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from insieme.cases import lifecycle
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Case, ResponseTemplate, Status

pytestmark = pytest.mark.django_db

ROME = zoneinfo.ZoneInfo("Europe/Rome")
CLOCK = dt.datetime(2026, 3, 10, 9, 30, tzinfo=ROME)  # a Tuesday


@pytest.fixture
def clock(monkeypatch):
    """Django's clock held at CLOCK for everything the request does."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: CLOCK.astimezone(dt.UTC))
    return CLOCK


@pytest.fixture
def template(montalto, cat):
    return ResponseTemplate.objects.create(
        administration=montalto,
        service=cat.pothole,
        name="Taken in hand",
        body="Case {reference}: we expect to fix it by {due_date}.",
        status=Status.IN_PROGRESS,
    )


def day(moment: dt.datetime) -> str:
    return date_format(moment.astimezone(ROME), "DATE_FORMAT")


def preview(client, case: Case, template) -> str:
    url = reverse("staff_case", args=["montalto", case.reference])
    return client.get(f"{url}?template={template.pk}").content.decode()


def set_case(case: Case, **fields) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.select_related("service", "administration").get(pk=case.pk)


def test_an_overdue_case_gets_a_date_from_now_not_six_weeks_ago(
    filed_case, template, bob, persona_client, clock
):
    past = clock - dt.timedelta(weeks=6)
    case = set_case(filed_case, status=Status.IN_PROGRESS, resolve_due_at=past)
    html = preview(persona_client(bob), case, template)
    _ack, fresh = lifecycle.sla_due_dates(case.service, clock)
    assert fresh > clock
    assert f"we expect to fix it by {day(fresh)}." in html
    assert f"fix it by {day(past)}" not in html


def test_a_case_due_ahead_keeps_its_own_date(filed_case, template, bob, persona_client, clock):
    ahead = clock + dt.timedelta(days=9, hours=3)
    case = set_case(filed_case, status=Status.IN_PROGRESS, resolve_due_at=ahead)
    assert f"we expect to fix it by {day(ahead)}." in preview(persona_client(bob), case, template)


def test_a_paused_case_moves_its_date_by_the_pause_so_far(filed_case, template, clock):
    due = clock - dt.timedelta(days=2)  # due two days ago, but the clock stopped 10 days ago
    case = set_case(
        filed_case,
        status=Status.WAITING_CITIZEN,
        resolve_due_at=due,
        sla_paused_at=clock - dt.timedelta(days=10),
    )
    text = handling_actions.render_template("{due_date}", case, now=clock)
    assert text == day(due + dt.timedelta(days=10))


def test_the_date_follows_the_clock(filed_case, template):
    due = CLOCK + dt.timedelta(days=3)
    case = set_case(filed_case, status=Status.IN_PROGRESS, resolve_due_at=due)
    assert handling_actions.render_template("{due_date}", case, now=CLOCK) == day(due)
    later = CLOCK + dt.timedelta(days=30)  # the same case, read a month later: overdue
    _ack, fresh = lifecycle.sla_due_dates(case.service, later)
    assert handling_actions.render_template("{due_date}", case, now=later) == day(fresh) != day(due)
