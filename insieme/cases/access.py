"""Reads of cases across a permission boundary (404 for missing and for forbidden alike)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
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


def get_case_for_tracking(token: str) -> Case:
    """The case a private tracking link opens (insieme.cases.tracking); 404 for a link that is
    forged, mistyped or revoked."""
    from insieme.cases.tracking import nonce_from

    nonce = nonce_from(token)
    case = (
        Case.objects.select_related("service", "administration")
        .filter(tracking_nonce=nonce, submitted_by__isnull=True)
        .first()
        if nonce
        else None
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


# Events whose text the public reads (staff's words, as their public copy); of the others only
# the kind is public (a citizen's withdrawal reason, for one, is theirs).
PUBLIC_TEXT_KINDS = frozenset(
    {
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.PUBLIC_REPLY,
        CaseEvent.Kind.INFO_REQUESTED,
        CaseEvent.Kind.DECISION,
        CaseEvent.Kind.DUPLICATE,
    }
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


def staff_branches(user, admin) -> list[Q] | None:
    """The ways a case of `admin` reaches `user`'s view, one condition each: their departments'
    cases (lead), cases shared with those departments, cases handed to them and waiting for their
    answer, and cases assigned to them; None when they see all of the administration's (a role
    without a department). Callers check the permission first.

    Kept apart so that a list page can read each branch through its own index and merge (an OR
    of them makes the database read every open case of the administration)."""
    departments = staff_departments(user, admin)
    if departments is None:
        return None
    shared = CaseShare.objects.filter(department_id__in=departments).values("case_id")
    handed = Handoff.objects.filter(
        to_department_id__in=departments, state=Handoff.State.PENDING
    ).values("case_id")
    return [
        Q(department_id__in=departments),
        Q(pk__in=shared),
        Q(pk__in=handed),  # the receiving department reads a case before accepting it
        Q(assignee_id=user.pk),
    ]


def cases_for_staff(user, admin, perm: Perm | str = Perm.CASE_READ):
    """Every case of `admin` that `user` may see with `perm` (see `staff_branches`); empty
    without the permission."""
    if not has_perm(user, perm, admin):
        return Case.objects.none()
    qs = Case.objects.filter(administration=admin)
    branches = staff_branches(user, admin)
    if branches is None:
        return qs
    either = branches[0]
    for branch in branches[1:]:
        either |= branch
    return qs.filter(either)


def staff_case_sets(user, admin, perm: Perm | str = Perm.CASE_READ) -> list:
    """`cases_for_staff` as querysets whose union it is, one per branch (see `staff_branches`),
    for pages that read each through its own index; empty without the permission."""
    if not has_perm(user, perm, admin):
        return []
    base = Case.objects.filter(administration=admin)
    branches = staff_branches(user, admin)
    if branches is None:
        return [base]
    return [base.filter(branch) for branch in branches]


def first_ids(querysets, column: str, descending: bool, count: int) -> list[int]:
    """The first `count` ids of the union of `querysets` ordered by `column` (rows without a
    value last), ties by id in the same direction: each read through its own index, merged."""
    keys: dict[int, object] = {}
    for qs in querysets:
        ordered = qs.order_by(*order_by(column, descending))
        keys.update(ordered.values_list("pk", column)[:count])
    present = sorted((v, pk) for pk, v in keys.items() if v is not None)
    missing = sorted(pk for pk, v in keys.items() if v is None)
    if descending:
        present.reverse()
        missing.reverse()
    return ([pk for _v, pk in present] + missing)[:count]


def order_by(column: str, descending: bool) -> list:
    """The ORDER BY that `first_ids` merges in: nulls last both ways, then the id."""
    field = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [field, "-pk" if descending else "pk"]


def count_union(querysets, limit: int | None = None) -> int:
    """How many distinct cases the querysets hold together: the first (the department's, the
    big one) counted in the database, the others' few ids added unless the first holds them.
    With `limit`, counting stops past it (the answer is then more than `limit`), so that the
    cost stays bounded however many cases match."""
    if not querysets:
        return 0
    first, others = querysets[0].order_by(), querysets[1:]
    ids: set[int] = set()
    for qs in others:
        ids.update(qs.order_by().values_list("pk", flat=True)[: limit and limit + 1])
    both = first.filter(pk__in=ids).count() if ids else 0
    counted = first[: limit + 1].count() if limit is not None else first.count()
    return counted + len(ids) - both


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
