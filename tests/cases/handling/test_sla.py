"""The SLA clock with a controlled clock: the job that marks cases due soon and overdue, escalates
to the supervisor and notifies; the pause while the citizen is asked; `enqueue` and the commands.

Every tick gets its moment explicitly (`now=`), computed from the case's own due date, so the tests
hold whatever day, weekend or holiday they run on. E-mails go out on commit: the ticks run inside
django_capture_on_commit_callbacks(execute=True), as they would commit outside a test.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from insieme.cases import tasks
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import sla as handling_sla
from insieme.cases.models import Case, CaseEvent, DueState, Escalation, Status
from insieme.catalog.models import DayType, Service
from insieme.core.permissions import Role
from insieme.core.tasks import enqueue
from tests.cases.conftest import CLOCK_START, INSIDE_MONTALTO
from tests.conftest import make_staff


class Roads:
    """Montalto's Roads department (the pothole service's): an officer and a supervisor."""

    def __init__(self, cat, montalto):
        self.department = cat.department
        self.officer = make_staff(
            montalto,
            Role.OFFICER,
            "ugo@montalto.example",
            "Ugo Officer",
            department=cat.department,
            capacity=5,
        )
        self.supervisor = make_staff(
            montalto,
            Role.SUPERVISOR,
            "vera@montalto.example",
            "Vera Supervisor",
            department=cat.department,
            capacity=0,  # supervises; never picked by automatic assignment
        )


@pytest.fixture
def roads(cat, montalto):
    return Roads(cat, montalto)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("service", "administration", "assignee").get(pk=case.pk)


def file_case(cat, citizen, day_type: str = DayType.WORKING) -> Case:
    Service.objects.filter(pk=cat.pothole.pk).update(sla_day_type=day_type)
    cat.pothole.refresh_from_db()
    case, _created = filing_actions.submit_case(
        citizen,
        filing_actions.Filing(
            cat.pothole,
            description="Buca profonda davanti alla scuola",
            answers={"size": "large"},
            **INSIDE_MONTALTO,
        ),
    )
    return fresh(case)


@pytest.fixture
def case(cat, roads, charlie):
    """Charlie's pothole report, assigned automatically to the Roads officer."""
    case = file_case(cat, charlie)
    assert case.department == roads.department and case.assignee == roads.officer
    mail.outbox.clear()
    return case


def tick(capture, now) -> dict[str, int]:
    with capture(execute=True):
        return handling_sla.sla_tick(now=now)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- the job --------------------------------------------------------------------------------------


def test_a_case_due_in_two_days_is_left_alone(case, django_capture_on_commit_callbacks):
    counts = tick(django_capture_on_commit_callbacks, case.resolve_due_at - timedelta(days=2))
    assert counts == {"due_soon": 0, "overdue": 0}
    assert fresh(case).due_state == DueState.ON_TIME
    assert not Escalation.objects.filter(case=case).exists()
    assert mail.outbox == []


def test_due_soon_marks_the_case_and_tells_the_assignee(
    case, roads, django_capture_on_commit_callbacks
):
    now = case.resolve_due_at - timedelta(hours=12)
    assert tick(django_capture_on_commit_callbacks, now) == {"due_soon": 1, "overdue": 0}
    case = fresh(case)
    assert case.due_state == DueState.DUE_SOON and case.escalated_at is None
    assert list(Escalation.objects.filter(case=case).values_list("kind", "officer")) == [
        (Escalation.Kind.DUE_SOON, roads.officer.pk)
    ]
    assert recipients() == [roads.officer.email]
    assert case.reference in mail.outbox[0].subject
    # Due soon is news for the assignee, not an escalation: nothing on the timeline.
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()


def test_overdue_escalates_to_the_supervisor_and_the_assignee(
    case, roads, django_capture_on_commit_callbacks
):
    tick(django_capture_on_commit_callbacks, case.resolve_due_at - timedelta(hours=12))
    mail.outbox.clear()
    now = case.resolve_due_at + timedelta(hours=1)
    assert tick(django_capture_on_commit_callbacks, now) == {"due_soon": 0, "overdue": 1}
    case = fresh(case)
    assert case.due_state == DueState.OVERDUE and case.escalated_at == now
    overdue = Escalation.objects.get(case=case, kind=Escalation.Kind.OVERDUE)
    assert overdue.officer == roads.officer and overdue.created_at == now
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert not event.is_public and event.created_at == now
    assert recipients() == sorted([roads.supervisor.email, roads.officer.email])
    assert all(case.reference in message.body for message in mail.outbox)


def test_the_tick_is_idempotent(case, django_capture_on_commit_callbacks):
    now = case.resolve_due_at + timedelta(hours=1)
    tick(django_capture_on_commit_callbacks, now)
    before = (Escalation.objects.count(), CaseEvent.objects.count(), len(mail.outbox))
    version = fresh(case).version
    for later in (now, now + timedelta(minutes=5), now + timedelta(days=3)):
        assert tick(django_capture_on_commit_callbacks, later) == {"due_soon": 0, "overdue": 0}
    assert (Escalation.objects.count(), CaseEvent.objects.count(), len(mail.outbox)) == before
    case = fresh(case)
    assert case.due_state == DueState.OVERDUE and case.escalated_at == now
    assert case.version == version  # the job never makes an officer's open form stale


def test_a_case_waiting_for_the_citizen_is_skipped(case, roads, django_capture_on_commit_callbacks):
    handling_actions.request_information(roads.officer, case, text="Which side of the road?")
    case = fresh(case)
    assert case.status == Status.WAITING_CITIZEN and case.sla_paused_at is not None
    mail.outbox.clear()
    counts = tick(django_capture_on_commit_callbacks, case.resolve_due_at + timedelta(days=1))
    assert counts == {"due_soon": 0, "overdue": 0}
    assert fresh(case).due_state == DueState.ON_TIME
    assert not Escalation.objects.filter(case=case).exists()
    assert mail.outbox == []


def test_closed_cases_are_never_marked(case, roads, django_capture_on_commit_callbacks):
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)
    counts = tick(django_capture_on_commit_callbacks, case.resolve_due_at + timedelta(days=1))
    assert counts == {"due_soon": 0, "overdue": 0}
    assert fresh(case).due_state == DueState.ON_TIME


def test_without_a_supervisor_the_department_officers_hear_of_it(
    cat, montalto, charlie, django_capture_on_commit_callbacks
):
    officer = make_staff(
        montalto, Role.OFFICER, "w@montalto.example", "W", department=cat.department
    )
    case = file_case(cat, charlie)
    mail.outbox.clear()
    tick(django_capture_on_commit_callbacks, case.resolve_due_at + timedelta(hours=1))
    assert recipients() == [officer.email]  # the assignee and the department's only officer


# --- the pause ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day_type", [DayType.WORKING, DayType.CALENDAR])
def test_the_clock_stops_while_the_citizen_is_asked(
    clock, cat, roads, charlie, day_type, django_capture_on_commit_callbacks
):
    """Information asked at t0, answered three days (and a few seconds) later: both due dates
    move on by exactly the elapsed time, also for working-day services (the pause already
    skipped what it skipped)."""
    case = file_case(cat, charlie, day_type)
    ack_due, resolve_due = case.acknowledge_due_at, case.resolve_due_at
    handling_actions.request_information(
        roads.officer, case, text="A photo, please", field_code="photo"
    )
    assert fresh(case).sla_paused_at == CLOCK_START
    elapsed = timedelta(days=3, seconds=7)
    clock.shift(elapsed)
    with django_capture_on_commit_callbacks(execute=True):
        citizen_actions.provide_information(charlie, fresh(case), text="Here it is")
    resumed = fresh(case)
    assert resumed.sla_paused_seconds == elapsed.total_seconds()
    assert resumed.sla_paused_at is None and resumed.status == Status.IN_PROGRESS
    assert resumed.resolve_due_at == resolve_due + elapsed
    assert resumed.acknowledge_due_at == ack_due + elapsed  # not acknowledged: moves too
    # The old deadline has passed, the new one has not: the job leaves the case alone.
    counts = tick(django_capture_on_commit_callbacks, resolve_due + timedelta(hours=1))
    assert counts == {"due_soon": 0, "overdue": 0}
    counts = tick(django_capture_on_commit_callbacks, resumed.resolve_due_at + timedelta(hours=1))
    assert counts == {"due_soon": 0, "overdue": 1}


def test_pauses_add_up(clock, cat, roads, charlie):
    case = file_case(cat, charlie)
    for days in (1, 2):
        handling_actions.request_information(roads.officer, fresh(case), text="More, please")
        clock.shift(timedelta(days=days))
        citizen_actions.provide_information(charlie, fresh(case), text="Done")
        clock.shift(timedelta(hours=5))  # working on it: the clock runs
    resumed = fresh(case)
    assert resumed.resolve_due_at - case.resolve_due_at == timedelta(days=3)
    assert resumed.sla_paused_seconds == 3 * 86400


def test_answering_clears_a_due_soon_mark(case, roads, charlie, django_capture_on_commit_callbacks):
    tick(django_capture_on_commit_callbacks, case.resolve_due_at - timedelta(hours=12))
    handling_actions.request_information(roads.officer, fresh(case), text="A photo, please")
    citizen_actions.provide_information(charlie, fresh(case), text="Here")
    assert fresh(case).due_state == DueState.ON_TIME  # the next tick judges it afresh


# --- the task, enqueue and the commands --------------------------------------------------------------


@pytest.fixture
def eager():
    """The embedded default (no broker), whatever the environment running the tests says."""
    app = tasks.app
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_without_a_broker_tasks_run_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.CELERY_BROKER_URL)
    beat = settings.CELERY_BEAT_SCHEDULE["sla-tick"]
    assert beat["task"] == tasks.sla_tick.name and beat["schedule"] == 300


def test_enqueue_runs_the_task_after_commit_not_before(
    case, eager, django_capture_on_commit_callbacks
):
    Case.objects.filter(pk=case.pk).update(resolve_due_at=case.resolve_due_at.replace(year=2020))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(tasks.sla_tick)
        assert fresh(case).due_state == DueState.ON_TIME  # nothing ran before the commit
    # The first hook is enqueue's; the job's own e-mails follow it.
    assert callbacks[0].__qualname__ == f"enqueue({tasks.sla_tick.name})"
    assert fresh(case).due_state == DueState.OVERDUE


def test_enqueue_on_a_rolled_back_write_runs_nothing(
    case, eager, django_capture_on_commit_callbacks
):
    from django.db import transaction

    Case.objects.filter(pk=case.pk).update(resolve_due_at=case.resolve_due_at.replace(year=2020))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(tasks.sla_tick)
        raise RuntimeError("the write fails")
    assert callbacks == []
    assert fresh(case).due_state == DueState.ON_TIME


def test_a_failing_task_never_breaks_the_committed_request(
    db, eager, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(tasks.sla_tick, "not a date")  # the task raises ValueError
    assert "on_commit" in caplog.text and "not a date" in caplog.text


def test_the_task_takes_an_iso_moment(case, eager):
    soon = (case.resolve_due_at - timedelta(hours=1)).isoformat()
    assert tasks.sla_tick.delay(soon).get() == {"due_soon": 1, "overdue": 0}
    assert fresh(case).due_state == DueState.DUE_SOON


def test_sla_tick_command(case, django_capture_on_commit_callbacks):
    out = io.StringIO()
    moment = (case.resolve_due_at + timedelta(hours=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sla_tick", "--now", moment, stdout=out)
    assert "0 due soon, 1 overdue" in out.getvalue()
    assert fresh(case).due_state == DueState.OVERDUE
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sla_tick", "--now", "yesterday", stdout=io.StringIO())


def test_worker_command_without_a_broker_explains_and_exits(settings):
    settings.CELERY_BROKER_URL = ""
    out = io.StringIO()
    call_command("worker", stdout=out)  # returns: exit status 0
    assert "No broker configured" in out.getvalue() and "insieme sla_tick" in out.getvalue()
