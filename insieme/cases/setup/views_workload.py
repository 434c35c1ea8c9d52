"""The supervisor's workload view: load against capacity per person and team, overload and SLA
alerts, fairness per team, and reassignment in one click (or through a small form).

Figures come from `insieme.cases.workload` (bounded grouped queries); the only write is
`actions.assign`, which keeps capacity: the one-click buttons offer only colleagues under
capacity, and the form needs a reason to go beyond it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.cases import lifecycle
from insieme.cases.access import get_case_for_staff
from insieme.cases.handling import assignment
from insieme.cases.setup import workload
from insieme.cases.setup.forms import ReassignForm
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import User
from insieme.core.permissions import Perm


def case_url(admin_slug: str, reference: str) -> str | None:
    """The staff case page, when the case-page module provides one."""
    try:
        return reverse("staff_case", args=[admin_slug, reference])
    except NoReverseMatch:
        return None


def _render(request, admin, wl: workload.Workload, form: ReassignForm, status=200):
    for case in [*wl.overdue_cases, *wl.old_unassigned_cases] + [
        o.case for p in wl.overloaded for o in p.cases
    ]:
        case.staff_url = case_url(admin.slug, case.reference)
    return render(
        request,
        "cases/staff/workload.html",
        {
            "administration": admin,
            "wl": wl,
            "form": form,
            "can_assign": has_perm(request.user, Perm.CASE_ASSIGN, admin),
        },
        status=status,
    )


@login_required
@require_GET
def staff_workload(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.WORKLOAD_READ)
    wl = workload.compute(request.user, admin)
    return _render(request, admin, wl, ReassignForm(people=wl.people))


@login_required
@require_POST
def staff_workload_assign(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Give a case to someone of the supervisor's teams (a one-click button or the form)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_ASSIGN)
    wl = workload.compute(request.user, admin)
    form = ReassignForm(request.POST, people=wl.people)
    if not form.is_valid():
        return _render(request, admin, wl, form, status=400)
    data = form.cleaned_data
    try:
        _admin, case = get_case_for_staff(
            request.user, admin_slug, data["reference"], Perm.CASE_ASSIGN
        )
    except Http404:
        form.add_error("reference", _("No open case with this reference in your departments."))
        return _render(request, admin, wl, form, status=400)
    assignee = User.objects.get(pk=data["assignee"])  # one of wl.people: the form's choices
    try:
        assignment.assign(
            request.user,
            case,
            assignee,
            override_reason=data["override_reason"],
            expected_version=data["expected_version"],
        )
    except lifecycle.StaleCase:
        case.refresh_from_db()
        holder = case.assignee.full_name if case.assignee else _("nobody")
        messages.error(
            request,
            _(
                "Someone else changed case %(ref)s meanwhile: nothing was changed. It is now "
                "with %(holder)s (status: %(status)s)."
            )
            % {"ref": case.reference, "holder": holder, "status": case.get_status_display()},
        )
        return redirect("staff_workload", admin_slug=admin.slug)
    except ValidationError as exc:
        form.add_action_errors(exc)
        return _render(request, admin, wl, form, status=400)
    messages.success(
        request,
        _("Case %(ref)s is now with %(name)s.")
        % {"ref": case.reference, "name": assignee.full_name},
    )
    return redirect("staff_workload", admin_slug=admin.slug)
