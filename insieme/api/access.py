"""Which cases an API caller reads, built on the cases app's access helpers.

- an API key: the cases of its own administration, and nothing else;
- a signed-in person: the cases they filed, plus, for staff, the cases of their departments
  (insieme.cases.access.cases_for_staff) in every administration where they hold CASE_READ;
- nobody else reads a case in full (public cases have their own, redacted, endpoints).

What a key reads of a case depends on its scopes (`sees_personal`, `sees_internal`): `cases:read`
gives the case without personal data (no contact details, texts redacted, public files only) and
the timeline the filer sees; `cases:read_personal` adds the contact details, the texts as written
and every file; `cases:read_internal` adds internal notes and events, and staff names.

Missing and forbidden answer alike: Http404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from insieme.api.auth import Caller
from insieme.cases import access as case_access
from insieme.cases.models import Case
from insieme.core.access import administrations_for, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm

STAFF, SUBMITTER, KEY = "staff", "submitter", "key"
READ_PERSONAL, READ_INTERNAL = "cases:read_personal", "cases:read_internal"


def sees_personal(caller: Caller) -> bool:
    """A person (the filer, or staff of the case's departments) reads a case's personal data;
    a key only with cases:read_personal."""
    return caller.key is None or READ_PERSONAL in (caller.key.scopes or [])


def sees_internal(caller: Caller) -> bool:
    """For keys: cases:read_internal. (A person's role decides: see `get_case`.)"""
    return caller.key is not None and READ_INTERNAL in (caller.key.scopes or [])


def readable_cases(caller: Caller):
    if caller.key is not None:
        return Case.objects.filter(administration_id=caller.key.administration_id)
    if caller.user is None:
        return Case.objects.none()
    qs = Case.objects.filter(submitted_by=caller.user)
    for admin in administrations_for(caller.user, Perm.CASE_READ):
        qs = qs | case_access.cases_for_staff(caller.user, admin)
    return qs


def readable_case_sets(caller: Caller) -> list:
    """`readable_cases` as querysets whose union it is, each readable through its own index:
    the key's administration; the person's own cases; per administration, each of their
    departments' cases and the few shared with, handed to or assigned to them."""
    if caller.key is not None:
        return [Case.objects.filter(administration_id=caller.key.administration_id)]
    if caller.user is None:
        return []
    sets = [Case.objects.filter(submitted_by=caller.user)]
    for admin in administrations_for(caller.user, Perm.CASE_READ):
        departments = case_access.staff_departments(caller.user, admin)
        base = Case.objects.filter(administration=admin)
        if departments is None:
            sets.append(base)
            continue
        # One set per department (an IN over several would sort them all together), then the
        # other branches, which reach few cases.
        sets += [base.filter(department_id=d) for d in sorted(departments)]
        sets += [base.filter(q) for q in case_access.staff_branches(caller.user, admin)[1:]]
    return sets


@dataclass(frozen=True)
class CaseView:
    case: Case
    role: str  # STAFF, SUBMITTER or KEY
    personal: bool = True  # contact details, texts as written, private files
    internal: bool = False  # internal notes and events, staff names

    @property
    def sees_internal(self) -> bool:
        return self.internal


def get_case(caller: Caller, admin_slug: str, reference: str) -> CaseView:
    if caller.key is not None:
        case = (
            Case.objects.select_related("service", "administration", "department")
            .filter(
                administration_id=caller.key.administration_id,
                administration__slug=admin_slug,
                reference=reference,
            )
            .first()
        )
        if case is None:
            raise Http404
        return CaseView(case, KEY, personal=sees_personal(caller), internal=sees_internal(caller))
    user = caller.user
    if user is None:
        raise Http404
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is not None and has_perm(user, Perm.CASE_READ, admin):
        try:
            _admin, case = case_access.get_case_for_staff(user, admin_slug, reference)
            return CaseView(case, STAFF, internal=True)
        except Http404:
            pass  # maybe a case they filed themselves, outside their departments
    return CaseView(case_access.get_case_for_submitter(user, admin_slug, reference), SUBMITTER)


def events_for(view: CaseView):
    if view.sees_internal:
        qs = view.case.events.all()
    else:
        qs = case_access.events_for_submitter(view.case)
    return qs.select_related("actor", "case")


def attachments_for(view: CaseView):
    # The filer and the administration's staff see every file of the case (as on their web
    # pages); a key without cases:read_personal only the public ones.
    qs = view.case.attachments.select_related("case__administration").order_by("created_at", "pk")
    return qs if view.personal else qs.filter(is_public=True)
