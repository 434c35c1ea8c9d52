"""Who works a case: routing to a department, assignment (by hand or to the least loaded
officer), hand-offs between departments and sharing.

Staff actions take the case as the caller read it (through cases.access) and, where two people
may act at once, the version they saw: a stale version raises StaleCase and changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insieme.cases.lifecycle import (
    StaleCase,
    bump,
    department_leads,
    notify_staff,
    record_event,
    require,
)
from insieme.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseShare,
    Escalation,
    Handoff,
    RoutingRule,
)
from insieme.core import audit
from insieme.core.access import has_perm
from insieme.core.geo import GeometryError, contains
from insieme.core.models import Department, Membership
from insieme.core.permissions import Perm, Role


def route(case: Case) -> Department | None:
    """The department a new case goes to: the first routing rule of its service whose area
    holds the case's place, else the service's responsible department."""
    if case.lat is not None:
        for rule in RoutingRule.objects.filter(service_id=case.service_id).select_related(
            "department"
        ):
            try:
                if contains(rule.area, case.lat, case.lon):
                    return rule.department
            except GeometryError:
                continue
    return case.service.department


def open_loads(administration_id: int, user_ids=None) -> dict[int, int]:
    """{officer id: open cases assigned} in one grouped query."""
    qs = Case.objects.filter(
        administration_id=administration_id,
        status__in=sorted(OPEN_STATUSES),
        assignee__isnull=False,
    )
    if user_ids is not None:
        qs = qs.filter(assignee_id__in=list(user_ids))
    return dict(qs.values_list("assignee").annotate(n=Count("id")).values_list("assignee", "n"))


def candidate_officers(case: Case) -> list[Membership]:
    """Who may take the case: active officers and supervisors of its lead department; of them,
    those skilled for the service when the service names any."""
    members = Membership.objects.filter(
        administration_id=case.administration_id,
        is_active=True,
        role__in=[Role.OFFICER, Role.SUPERVISOR],
        user__is_active=True,
    ).select_related("user")
    if case.department_id:
        members = members.filter(department_id=case.department_id)
    skilled = set(case.service.skilled.values_list("id", flat=True))
    members = list(members)
    if skilled and any(m.pk in skilled for m in members):
        members = [m for m in members if m.pk in skilled]
    return members


def least_loaded(case: Case) -> tuple[Membership | None, dict[int, int]]:
    """The candidate with the lowest load against capacity who is under capacity (ties: fewer
    open cases, then the earlier member), and everyone's load."""
    members = candidate_officers(case)
    loads = open_loads(case.administration_id, [m.user_id for m in members])
    best = None
    for m in members:
        load = loads.get(m.user_id, 0)
        if m.capacity == 0 or load >= m.capacity:
            continue
        key = (load / m.capacity, load, m.pk)
        if best is None or key < best[0]:
            best = (key, m)
    return (best[1] if best else None), loads


def capacity_of(case: Case, user) -> int | None:
    m = (
        Membership.objects.filter(
            administration_id=case.administration_id, user=user, is_active=True
        )
        .order_by("-capacity")
        .first()
    )
    return None if m is None else m.capacity


def _set_assignee(actor, case: Case, user, *, reason: str, now, expected_version=None) -> None:
    before = case.assignee_id
    bump(
        case,
        {"assignee": user, "assigned_at": now if user else None, "updated_at": now},
        expected_version,
    )
    record_event(
        case,
        CaseEvent.Kind.ASSIGNED,
        actor,
        public=False,
        text=reason,
        data={"from": before, "to": user.pk if user else None},
        at=now,
    )
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="case.assign",
        obj=case,
        before={"assignee": before},
        after={"assignee": user.pk if user else None},
        administration=case.administration,
    )
    if user is not None and (actor is None or user.pk != getattr(actor, "pk", None)):
        notify_staff([user], "case_assigned", case, {"reason": reason})


def auto_assign(case: Case, actor=None) -> Membership | None:
    """Assign the case to the least-loaded skilled officer under capacity; nobody when all are
    full (it stays in the department's queue and shows on the supervisor's workload view)."""
    member, _loads = least_loaded(case)
    if member is None:
        return None
    with transaction.atomic():
        _set_assignee(
            actor, case, member.user, reason=_("Assigned automatically."), now=timezone.now()
        )
    return member


def assign(
    actor,
    case: Case,
    assignee,
    *,
    override_reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Give the case to `assignee` (None: back to the queue). Officers may take a case
    themselves; giving it to someone else needs CASE_ASSIGN. Nobody goes beyond capacity
    unless a holder of CASE_ASSIGN says why (recorded as an escalation of kind override)."""
    is_self = assignee is not None and assignee.pk == getattr(actor, "pk", None)
    require(actor, Perm.CASE_HANDLE if is_self else Perm.CASE_ASSIGN, case)
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open case can be assigned."))
    now = timezone.now()
    override = False
    if assignee is not None:
        capacity = capacity_of(case, assignee)
        if capacity is None or not has_perm(assignee, Perm.CASE_HANDLE, case.administration_id):
            raise ValidationError({"assignee": _("This person does not handle cases here.")})
        load = open_loads(case.administration_id, [assignee.pk]).get(assignee.pk, 0)
        if case.assignee_id != assignee.pk and load >= capacity:
            if not has_perm(actor, Perm.CASE_ASSIGN, case.administration_id):
                raise ValidationError(
                    {"assignee": _("You are at capacity: ask a supervisor to assign it.")}
                )
            if not override_reason.strip():
                raise ValidationError(
                    {
                        "override_reason": ngettext(
                            "%(name)s already has %(load)d open case for a capacity of "
                            "%(capacity)d: say why they should take one more.",
                            "%(name)s already has %(load)d open cases for a capacity of "
                            "%(capacity)d: say why they should take one more.",
                            load,
                        )
                        % {"name": assignee.full_name, "load": load, "capacity": capacity}
                    }
                )
            override = True
    with transaction.atomic():
        _set_assignee(
            actor,
            case,
            assignee,
            reason=override_reason.strip(),
            now=now,
            expected_version=expected_version,
        )
        if override:
            Escalation.objects.create(
                case=case,
                kind=Escalation.Kind.CAPACITY_OVERRIDE,
                actor=actor,
                officer=assignee,
                reason=override_reason.strip(),
                created_at=now,
            )
    return case


def hand_off(
    actor, case: Case, to_department, *, reason: str, expected_version: int | None = None
) -> Handoff:
    """Pass the case to another department of the same administration, with a reason; it stays
    with the sending department until the receiving one accepts."""
    require(actor, Perm.CASE_HANDLE, case)
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if not reason:
        errors["reason"] = [_("Say why the case goes to the other department.")]
    if to_department is None or to_department.administration_id != case.administration_id:
        errors["to_department"] = [_("Choose a department of this administration.")]
    elif to_department.pk == case.department_id:
        errors["to_department"] = [_("The case is already with this department.")]
    if case.status not in OPEN_STATUSES:
        errors.setdefault("__all__", []).append(_("Only an open case can be handed off."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            bump(case, {"updated_at": now}, expected_version)
            handoff = Handoff.objects.create(
                case=case,
                from_department_id=case.department_id,
                to_department=to_department,
                reason=reason,
                requested_by=actor,
                created_at=now,
            )
            record_event(
                case,
                CaseEvent.Kind.HANDOFF,
                actor,
                public=False,
                text=reason,
                data={"handoff": handoff.pk, "to": to_department.pk},
                at=now,
            )
            audit.record(
                actor=actor,
                action="case.handoff",
                obj=case,
                after={"to_department": to_department.pk, "reason": reason},
                administration=case.administration,
            )
            notify_staff(
                department_leads(case.administration_id, to_department.pk),
                "case_handoff",
                case,
                {"handoff": handoff},
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("A hand-off of this case is already waiting for an answer.")
        ) from exc
    return handoff


def _require_receiver(actor, handoff: Handoff) -> None:
    case = handoff.case
    if not getattr(actor, "is_authenticated", False) or not has_perm(
        actor, Perm.CASE_HANDLE, case.administration_id
    ):
        raise PermissionDenied
    from insieme.cases.access import staff_departments

    departments = staff_departments(actor, case.administration)
    if departments is not None and handoff.to_department_id not in departments:
        raise PermissionDenied


def accept_handoff(actor, handoff: Handoff) -> Case:
    """The receiving department takes the case: it becomes the lead, the previous assignee lets
    it go, and it is assigned automatically in the new department."""
    _require_receiver(actor, handoff)
    if handoff.state != Handoff.State.PENDING:
        raise ValidationError(_("This hand-off was already answered."))
    case = handoff.case
    now = timezone.now()
    with transaction.atomic():
        if not Handoff.objects.filter(pk=handoff.pk, state=Handoff.State.PENDING).update(
            state=Handoff.State.ACCEPTED, decided_by=actor, decided_at=now
        ):
            raise StaleCase
        handoff.state, handoff.decided_by, handoff.decided_at = (
            Handoff.State.ACCEPTED,
            actor,
            now,
        )
        case.refresh_from_db()
        bump(
            case,
            {"department": handoff.to_department, "assignee": None, "assigned_at": None},
            None,
        )
        record_event(
            case,
            CaseEvent.Kind.HANDOFF_ACCEPTED,
            actor,
            public=False,
            data={"handoff": handoff.pk, "department": handoff.to_department_id},
            at=now,
        )
        audit.record(
            actor=actor,
            action="case.handoff_accepted",
            obj=case,
            after={"department": handoff.to_department_id},
            administration=case.administration,
        )
    auto_assign(case, actor)
    return case


def return_handoff(actor, handoff: Handoff, *, reason: str) -> Handoff:
    """The receiving department sends the case back with a reason (a bounce-back); the case
    stays with the sending department."""
    _require_receiver(actor, handoff)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"response": _("Say why the case is sent back.")})
    if handoff.state != Handoff.State.PENDING:
        raise ValidationError(_("This hand-off was already answered."))
    now = timezone.now()
    case = handoff.case
    with transaction.atomic():
        if not Handoff.objects.filter(pk=handoff.pk, state=Handoff.State.PENDING).update(
            state=Handoff.State.RETURNED, response=reason, decided_by=actor, decided_at=now
        ):
            raise StaleCase
        handoff.state, handoff.response = Handoff.State.RETURNED, reason
        handoff.decided_by, handoff.decided_at = actor, now
        Case.objects.filter(pk=case.pk).update(updated_at=now, version=F("version") + 1)
        case.refresh_from_db(fields=["updated_at", "version"])
        record_event(
            case,
            CaseEvent.Kind.HANDOFF_RETURNED,
            actor,
            public=False,
            text=reason,
            data={"handoff": handoff.pk},
            at=now,
        )
        audit.record(
            actor=actor,
            action="case.handoff_returned",
            obj=case,
            after={"reason": reason},
            administration=case.administration,
        )
        notify_staff(
            [handoff.requested_by, case.assignee],
            "case_handoff_returned",
            case,
            {"handoff": handoff},
        )
    return handoff


def share_case(actor, case: Case, department) -> CaseShare:
    """Another department works on the case too (the lead department stays in charge)."""
    require(actor, Perm.CASE_HANDLE, case)
    if department is None or department.administration_id != case.administration_id:
        raise ValidationError({"department": _("Choose a department of this administration.")})
    if department.pk == case.department_id:
        raise ValidationError({"department": _("This is already the lead department.")})
    now = timezone.now()
    with transaction.atomic():
        share, created = CaseShare.objects.get_or_create(
            case=case, department=department, defaults={"added_by": actor, "created_at": now}
        )
        if created:
            record_event(
                case,
                CaseEvent.Kind.SHARED,
                actor,
                public=False,
                data={"department": department.pk},
                at=now,
            )
            audit.record(
                actor=actor,
                action="case.shared",
                obj=case,
                after={"department": department.pk},
                administration=case.administration,
            )
    return share
