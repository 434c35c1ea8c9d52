"""Reads of cases across a permission boundary (404 for missing and for forbidden alike)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from insieme.cases.models import Attachment, Case, CaseEvent, CaseShare, Handoff
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import Membership
from insieme.core.permissions import Perm


def get_case_for_submitter(user, admin_slug: str, reference: str) -> Case:
    """A case the signed-in person filed (or had filed for them)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    case = (
        Case.objects.select_related("service", "administration")
        .filter(administration__slug=admin_slug, reference=reference, submitted_by=user)
        .first()
    )
    if case is None:
        raise Http404
    return case


def get_public_case(admin_slug: str, reference: str) -> Case:
    """A public case as anyone may see it (callers must show no personal data)."""
    case = (
        Case.objects.select_related("service", "administration")
        .filter(administration__slug=admin_slug, reference=reference, is_public=True)
        .first()
    )
    if case is None:
        raise Http404
    return case


# --- the citizen's side: their cases, what of a case they may see, attachments ----------------


def cases_of_submitter(user):
    """The cases a person filed or had filed for them, newest activity first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.select_related("service", "administration")
        .filter(submitted_by=user)
        .order_by("-updated_at", "-pk")
    )


def events_for_submitter(case: Case):
    """The timeline the filer sees: every public event and their own answers; never notes."""
    return (
        case.events.filter(
            Q(is_public=True) | Q(kind=CaseEvent.Kind.INFO_PROVIDED, actor_id=case.submitted_by_id)
        )
        .exclude(kind=CaseEvent.Kind.INTERNAL_NOTE)
        .prefetch_related("attachments")
    )


def public_events(case: Case):
    """The timeline anyone sees on a public case: public events only (no notes, no answers)."""
    return case.events.filter(is_public=True).exclude(
        kind__in=[CaseEvent.Kind.INTERNAL_NOTE, CaseEvent.Kind.INFO_PROVIDED]
    )


def get_case_for_follower(user, admin_slug: str, reference: str) -> Case:
    """A case someone may follow: their own, or any public case."""
    if getattr(user, "is_authenticated", False):
        own = (
            Case.objects.select_related("service", "administration")
            .filter(administration__slug=admin_slug, reference=reference, submitted_by=user)
            .first()
        )
        if own is not None:
            return own
    return get_public_case(admin_slug, reference)


def get_attachment(user, admin_slug: str, reference: str, pk: int):
    """An attachment as `user` may download it: any of their own case's, else only a public
    attachment of a public case."""
    try:
        case = get_case_for_submitter(user, admin_slug, reference)
        qs = Attachment.objects.filter(case=case)
    except Http404:
        case = get_public_case(admin_slug, reference)
        qs = Attachment.objects.filter(case=case, is_public=True)
    attachment = qs.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


# --- the staff side: department-scoped reads ---------------------------------------------------


def staff_departments(user, admin) -> set[int] | None:
    """The departments whose cases `user` sees in `admin`: None for all of them (a role without
    a department here, or reached through the hosting region), else the ids of the departments
    of their roles here. Callers check CASE_READ first."""
    rows = list(
        Membership.objects.filter(user=user, administration=admin, is_active=True).values_list(
            "department_id", flat=True
        )
    )
    if not rows or any(d is None for d in rows):
        return None
    return set(rows)


def cases_for_staff(user, admin, perm: Perm | str = Perm.CASE_READ):
    """Every case of `admin` that `user` may see with `perm`: of their departments (lead, shared,
    or handed to them and waiting for their answer) or assigned to them; all of the administration's for roles without a department.
    Empty without the permission."""
    if not has_perm(user, perm, admin):
        return Case.objects.none()
    qs = Case.objects.filter(administration=admin)
    departments = staff_departments(user, admin)
    if departments is None:
        return qs
    shared = CaseShare.objects.filter(department_id__in=departments).values("case_id")
    handed = Handoff.objects.filter(
        to_department_id__in=departments, state=Handoff.State.PENDING
    ).values("case_id")
    return qs.filter(
        Q(department_id__in=departments)
        | Q(pk__in=shared)
        | Q(pk__in=handed)  # the receiving department reads a case before accepting it
        | Q(assignee_id=user.pk)
    )


def get_case_for_staff(user, admin_slug: str, reference: str, perm: Perm | str = Perm.CASE_READ):
    """(administration, case) for a member of staff: 404 when the case is missing, in another
    administration or outside their departments; 403 when they see it but lack `perm`."""
    admin = get_administration_for_user(user, admin_slug, Perm.CASE_READ)
    case = (
        cases_for_staff(user, admin)
        .select_related("service", "administration", "department", "assignee", "submitted_by")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    if not has_perm(user, perm, admin):
        raise PermissionDenied
    return admin, case


def can_see_case(user, case) -> bool:
    return cases_for_staff(user, case.administration).filter(pk=case.pk).exists()
