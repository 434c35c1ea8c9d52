"""Reads of budgets across a permission boundary, answering 404 both for what is missing and for
what the person may not see (existence never leaks).

A budget is seen by whoever sees its process (insieme.participation.access decides: audience,
draft, invited partners) once it is published; a draft budget by the staff who manage budgets in
its administration. A person's ballot is theirs alone. Staff screens find the administration
where the person holds the permission (404 outside their administrations, 403 where their role
lacks it), then the object inside it.
"""

from __future__ import annotations

from django.http import Http404

from insieme.budgets.models import Budget, Project
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.permissions import Perm
from insieme.participation.access import can_see_process, get_process_for_user


def _number(value) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise Http404
    return int(text)


def can_see_budget(user, budget: Budget) -> bool:
    if not can_see_process(user, budget.process):
        return False
    return budget.is_published or has_perm(user, Perm.BUDGET_MANAGE, budget.administration_id)


def get_budget_for_user(user, admin_slug: str, process_slug: str, pk) -> Budget:
    process = get_process_for_user(user, admin_slug, process_slug)
    budget = Budget.objects.filter(process=process, pk=_number(pk)).first()
    if budget is None:
        raise Http404
    budget.process = process
    budget.administration = process.administration
    if not can_see_budget(user, budget):
        raise Http404
    return budget


def visible_budgets(user, process):
    """The budgets of a process (already seen by `user`) the person may see."""
    budgets = Budget.objects.filter(process=process)
    if not has_perm(user, Perm.BUDGET_MANAGE, process.administration_id):
        budgets = budgets.filter(is_published=True)
    return budgets


# --- staff ----------------------------------------------------------------------------------------


def get_staff_budget(user, admin_slug: str, pk, perm: Perm = Perm.BUDGET_MANAGE):
    """(administration, budget) for a staff screen of the budget `pk`."""
    admin = get_administration_for_user(user, admin_slug, perm)
    budget = (
        Budget.objects.select_related("process", "administration")
        .filter(administration=admin, pk=_number(pk))
        .first()
    )
    if budget is None:
        raise Http404
    return admin, budget


def get_staff_project(budget: Budget, pk) -> Project:
    project = Project.objects.filter(budget=budget, pk=_number(pk)).first()
    if project is None:
        raise Http404
    project.budget = budget
    return project
