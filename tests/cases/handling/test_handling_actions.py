# ruff: noqa: F811  (the `cat` fixture is imported and used as an argument)
"""Case handling through insieme.cases.handling (actions, assignment, sla): routing, capacity-aware assignment, hand-offs,
shared cases, time, templates, merging, decisions, the SLA pause, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from insieme.cases import access, lifecycle
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment
from insieme.cases.handling import sla as handling_sla
from insieme.cases.matching import actions as matching_actions
from insieme.cases.models import (
    Case,
    CaseEvent,
    Escalation,
    Follower,
    Handoff,
    RoutingRule,
    Status,
    TimeLog,
)
from insieme.catalog import actions as catalog_actions
from insieme.core import actions as core_actions
from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role
from tests.cases.conftest import CLOCK_START, INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401  (fixture)
from tests.conftest import make_staff

ANSWERS = {"size": "large", "depth": "12"}


class Team:
    """Montalto's Roads (the pothole service's department) and Parks, with their people."""

    def __init__(self, cat, montalto):  # noqa: F811
        self.roads = cat.department
        self.parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
        self.olga = make_staff(
            montalto, Role.OFFICER, "olga@m.example", "Olga", department=self.roads, capacity=2
        )
        self.piero = make_staff(
            montalto, Role.OFFICER, "piero@m.example", "Piero", department=self.roads, capacity=3
        )
        self.sara = make_staff(
            montalto, Role.SUPERVISOR, "sara@m.example", "Sara", department=self.roads, capacity=0
        )
        self.tina = make_staff(
            montalto, Role.OFFICER, "tina@m.example", "Tina", department=self.parks, capacity=5
        )


@pytest.fixture
def team(cat, montalto):  # noqa: F811
    return Team(cat, montalto)


def file(cat, citizen, text="Buca profonda", **extra):  # noqa: F811
    case, _created = filing_actions.submit_case(
        citizen,
        filing_actions.Filing(
            cat.pothole, description=text, answers=ANSWERS, **{**INSIDE_MONTALTO, **extra}
        ),
    )
    case.refresh_from_db()
    return case


def fresh(case: Case) -> Case:
    return Case.objects.select_related("service", "administration").get(pk=case.pk)


# --- routing and automatic assignment ------------------------------------------------------------


def test_new_case_goes_to_the_service_department_and_its_least_loaded_officer(
    cat, team, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = file(cat, charlie)
    assert first.department == team.roads
    # Both officers are empty: the lower load/capacity ratio ties at 0, the earlier member wins.
    assert first.assignee == team.olga
    second = file(cat, charlie, text="Altra buca")
    assert second.assignee == team.piero  # Olga is at 1/2, Piero at 0/3
    third = file(cat, charlie, text="Terza buca")
    assert third.assignee == team.piero  # Olga 1/2 = 0.5, Piero 1/3 = 0.33
    assert mail.outbox and any("olga@m.example" in m.to for m in mail.outbox)


def test_nobody_is_assigned_beyond_capacity_automatically(cat, team, charlie):
    cases = [file(cat, charlie, text=f"Buca numero {i}") for i in range(7)]
    loads = assignment.open_loads(cat.pothole.administration_id)
    assert loads[team.olga.pk] == 2 and loads[team.piero.pk] == 3
    assert team.sara.pk not in loads  # capacity 0: never chosen
    assert [c.assignee_id for c in cases[5:]] == [None, None]


def test_skilled_officers_are_preferred(cat, team, charlie):
    piero_membership = team.piero.memberships.get()
    cat.pothole.skilled.add(piero_membership)
    case = file(cat, charlie)
    assert case.assignee == team.piero


def test_routing_rule_sends_a_place_to_another_department(cat, team, charlie, montalto):
    lat, lon = INSIDE_MONTALTO["lat"], INSIDE_MONTALTO["lon"]
    square = [
        [lon - 0.001, lat - 0.001],
        [lon + 0.001, lat - 0.001],
        [lon + 0.001, lat + 0.001],
        [lon - 0.001, lat + 0.001],
        [lon - 0.001, lat - 0.001],
    ]
    RoutingRule.objects.create(
        administration=montalto,
        service=cat.pothole,
        name="Park",
        area={"type": "Polygon", "coordinates": [square]},
        department=team.parks,
    )
    inside = file(cat, charlie)
    assert inside.department == team.parks and inside.assignee == team.tina
    outside = file(cat, charlie, lat=lat + 0.01)
    assert outside.department == team.roads


# --- manual assignment and capacity ---------------------------------------------------------------


def test_officer_takes_a_case_but_cannot_give_it_to_someone_else(cat, team, charlie):
    case = file(cat, charlie)
    assignment.assign(team.piero, case, team.piero)
    assert fresh(case).assignee == team.piero
    with pytest.raises(PermissionDenied):
        assignment.assign(team.piero, fresh(case), team.olga)


def test_beyond_capacity_needs_a_supervisor_and_a_recorded_reason(cat, team, charlie):
    cases = [file(cat, charlie, text=f"Buca {i}") for i in range(6)]
    spare = next(c for c in cases if c.assignee_id != team.olga.pk)
    assert assignment.open_loads(cat.pothole.administration_id)[team.olga.pk] == 2
    with pytest.raises(ValidationError) as exc:
        assignment.assign(team.olga, fresh(spare), team.olga)  # an officer at capacity
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        assignment.assign(team.sara, fresh(spare), team.olga)  # a supervisor without a reason
    assert "override_reason" in exc.value.message_dict
    assert fresh(spare).assignee_id != team.olga.pk
    assignment.assign(team.sara, fresh(spare), team.olga, override_reason="She knows this street")
    assert fresh(spare).assignee == team.olga
    override = Escalation.objects.get(case=spare)
    assert override.kind == Escalation.Kind.CAPACITY_OVERRIDE
    assert override.actor == team.sara and override.reason == "She knows this street"


def test_a_stale_version_changes_nothing(cat, team, charlie):
    case = file(cat, charlie)
    seen = case.version
    assignment.assign(team.sara, fresh(case), team.piero, expected_version=seen)
    with pytest.raises(lifecycle.StaleCase):
        assignment.assign(team.sara, fresh(case), team.olga, expected_version=seen)
    assert fresh(case).assignee == team.piero


def test_people_who_do_not_handle_cases_cannot_be_assigned(cat, team, charlie, alice):
    case = file(cat, charlie)
    with pytest.raises(ValidationError):
        assignment.assign(team.sara, case, alice)  # an administrator has no CASE_HANDLE
    with pytest.raises(ValidationError):
        assignment.assign(team.sara, fresh(case), charlie)


# --- who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_role_by_action_matrix(cat, team, charlie, montalto, role):
    """Every handling action against every role of the lead department."""
    actor = make_staff(montalto, role, f"{role}@m.example", role, department=team.roads)
    perms = ROLE_PERMISSIONS[role]
    case = file(cat, charlie)
    checks = {
        Perm.CASE_HANDLE: [
            lambda: handling_actions.reply(actor, fresh(case), "Seen", public=False),
            lambda: handling_actions.change_status(actor, fresh(case), Status.ACKNOWLEDGED),
            lambda: handling_actions.request_information(actor, fresh(case), text="Photo?"),
            lambda: handling_actions.log_time(actor, fresh(case), 5),
            lambda: assignment.share_case(actor, fresh(case), team.parks),
            lambda: assignment.hand_off(actor, fresh(case), team.parks, reason="Parks' path"),
        ],
        Perm.CASE_ASSIGN: [lambda: assignment.assign(actor, fresh(case), team.piero)],
    }
    for perm, calls in checks.items():
        for call in calls:
            if perm in perms:
                call()
            else:
                with pytest.raises(PermissionDenied):
                    call()


def test_other_department_and_other_administration_are_refused(cat, team, charlie, oscar):
    case = file(cat, charlie)
    assert not access.cases_for_staff(team.tina, case.administration).filter(pk=case.pk)
    for actor in (team.tina, oscar, charlie):
        with pytest.raises(PermissionDenied):
            handling_actions.log_time(actor, fresh(case), 5)
        with pytest.raises(PermissionDenied):
            assignment.hand_off(actor, fresh(case), team.parks, reason="x")
    assignment.share_case(team.olga, fresh(case), team.parks)
    assert access.cases_for_staff(team.tina, case.administration).filter(pk=case.pk).exists()
    handling_actions.log_time(team.tina, fresh(case), 7)  # a shared case: Parks works on it too
    assert TimeLog.objects.get(user=team.tina).department == team.parks
    # Someone of both departments works on the lead department's case: Roads' time.
    core_actions.add_membership(
        None, case.administration, team.tina, role=Role.SUPERVISOR, department=team.roads
    )
    handling_actions.log_time(team.tina, fresh(case), 3)
    assert TimeLog.objects.filter(user=team.tina, minutes=3).get().department == team.roads


# --- hand-offs ------------------------------------------------------------------------------------


def test_hand_off_bounced_back_then_accepted(cat, team, charlie):
    case = file(cat, charlie)
    with pytest.raises(ValidationError):
        assignment.hand_off(team.olga, fresh(case), team.parks, reason="  ")
    with pytest.raises(ValidationError):
        assignment.hand_off(team.olga, fresh(case), team.roads, reason="same")
    handoff = assignment.hand_off(team.olga, fresh(case), team.parks, reason="It is in the park")
    # The receiving department reads the case it is asked to take, before answering.
    assert access.cases_for_staff(team.tina, case.administration).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):  # one pending hand-off at a time
        assignment.hand_off(team.piero, fresh(case), team.parks, reason="again")
    with pytest.raises(PermissionDenied):  # only the receiving department answers
        assignment.return_handoff(team.piero, handoff, reason="no")
    with pytest.raises(ValidationError):
        assignment.return_handoff(team.tina, handoff, reason="")
    assignment.return_handoff(team.tina, handoff, reason="The path is the road's")
    assert not access.cases_for_staff(team.tina, case.administration).filter(pk=case.pk)
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.RETURNED and handoff.decided_by == team.tina
    assert fresh(case).department == team.roads
    with pytest.raises(ValidationError):
        assignment.accept_handoff(team.tina, handoff)  # already answered
    again = assignment.hand_off(team.olga, fresh(case), team.parks, reason="Photos show the park")
    assignment.accept_handoff(team.tina, again)
    case = fresh(case)
    assert case.department == team.parks and case.assignee == team.tina
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count(CaseEvent.Kind.HANDOFF) == 2
    assert CaseEvent.Kind.HANDOFF_RETURNED in kinds and CaseEvent.Kind.HANDOFF_ACCEPTED in kinds
    assert not case.events.filter(kind=CaseEvent.Kind.HANDOFF, is_public=True).exists()


# --- time, templates, SLA pause ------------------------------------------------------------------


def test_time_is_logged_per_action_and_counted_on_the_case(cat, team, charlie):
    case = file(cat, charlie)
    standard = handling_actions.standard_minutes(case)
    assert handling_actions.suggested_minutes(case) == max(5, standard)
    for bad in (-1, 1441, "ten", None):
        with pytest.raises(ValidationError):
            handling_actions.log_time(team.olga, fresh(case), bad)
    assert not TimeLog.objects.exists()
    handling_actions.log_time(team.olga, fresh(case), 12, action="reply")
    handling_actions.log_time(team.olga, fresh(case), "8")
    case = fresh(case)
    assert case.staff_minutes == 20
    assert list(TimeLog.objects.values_list("minutes", "department", "channel")) == [
        (12, team.roads.pk, "web"),
        (8, team.roads.pk, "web"),
    ]
    assert handling_actions.suggested_minutes(case) == max(5, standard - 20)


def test_template_placeholders(cat, team, charlie):
    case = file(cat, charlie)
    text = handling_actions.render_template(
        "Gentile {name}, la pratica {reference} ({service}) è {status}. {unknown} {officer}",
        case,
        team.olga,
    )
    assert text == (
        f"Gentile Charlie Citizen, la pratica {case.reference} (Pothole) è Submitted. "
        "{unknown} Olga"
    )
    assert (
        handling_actions.render_template("{reference.__class__}", case) == "{reference.__class__}"
    )


def test_information_request_pauses_the_sla(
    clock, cat, team, charlie, django_capture_on_commit_callbacks
):
    case = file(cat, charlie)
    due = case.resolve_due_at
    handling_actions.request_information(team.olga, fresh(case), text="Photo?", field_code="photo")
    paused = fresh(case)
    assert paused.status == Status.WAITING_CITIZEN and paused.sla_paused_at == CLOCK_START
    clock.shift(timedelta(days=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_actions.provide_information(charlie, fresh(case), text="Here it is")
    resumed = fresh(case)
    assert resumed.sla_paused_at is None
    assert resumed.resolve_due_at - due == timedelta(days=3)
    assert resumed.sla_paused_seconds == 3 * 86400
    assert [m.to for m in mail.outbox] == [[team.olga.email]]  # the assignee hears of it


def test_sla_tick_marks_and_escalates_once(cat, team, charlie, django_capture_on_commit_callbacks):
    case = file(cat, charlie)
    now = case.resolve_due_at + timedelta(hours=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert handling_sla.sla_tick(now=now) == {"due_soon": 0, "overdue": 1}
    case = fresh(case)
    assert case.due_state == "overdue" and case.escalated_at == now
    assert {tuple(m.to) for m in mail.outbox} == {(team.sara.email,), (team.olga.email,)}
    assert handling_sla.sla_tick(now=now + timedelta(minutes=5)) == {"due_soon": 0, "overdue": 0}
    assert Escalation.objects.filter(case=case, kind=Escalation.Kind.OVERDUE).count() == 1


# --- merging and decisions --------------------------------------------------------------------


def test_merge_moves_followers_attachments_and_history(cat, team, charlie, montalto):
    kept = file(cat, charlie, text="Buca in via Roma")
    neighbour = make_staff(montalto, Role.OFFICER, "x@m.example", "X")  # any user will do
    citizen = core_actions.create_user(
        None, email="dora@example.org", full_name="Dora", password="x" * 12, verified=True
    )
    dup = file(cat, citizen, text="Buca via Roma, stessa")
    Follower.objects.create(case=dup, user=neighbour, created_at=timezone.now())
    dup_events = dup.events.count()
    matching_actions.merge_duplicate(team.olga, fresh(dup), fresh(kept))
    dup, kept = fresh(dup), fresh(kept)
    assert dup.status == Status.DUPLICATE and dup.duplicate_of == kept
    assert set(kept.followers.values_list("user_id", flat=True)) >= {
        charlie.pk,
        citizen.pk,
        neighbour.pk,
    }
    assert kept.events.count() >= dup_events + 1
    assert list(dup.events.values_list("kind", flat=True)) == [CaseEvent.Kind.DUPLICATE]
    with pytest.raises(ValidationError):
        matching_actions.merge_duplicate(team.olga, fresh(kept), fresh(kept))


def test_decisions_only_on_applications_and_refusals_give_reasons(cat, team, charlie, montalto):  # noqa: F811
    with pytest.raises(ValidationError):
        handling_actions.decide(team.olga, file(cat, charlie), decision="granted")
    permit = catalog_actions.create_service(
        None,
        montalto,
        code="permit",
        name="Parking permit",
        kind="application",
        located=False,
        channels=["web"],
        department=team.roads,
        status="published",
    )
    case, _ = filing_actions.submit_case(
        charlie, filing_actions.Filing(permit, description="Permesso")
    )
    with pytest.raises(ValidationError) as exc:
        handling_actions.decide(team.olga, fresh(case), decision="refused")
    assert {"reasons", "provision"} <= set(exc.value.message_dict)
    handling_actions.decide(
        team.olga,
        fresh(case),
        decision="refused",
        reasons="Residenza non in zona",
        provision=cat.provision,
    )
    case = fresh(case)
    assert case.status == Status.REFUSED and case.decision == "refused"
    assert case.decision_provision == cat.provision and case.first_public_response_at
