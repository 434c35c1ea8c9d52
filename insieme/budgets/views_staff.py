"""Staff screens of participatory budgeting, under /staff/<administration>/budgets/:

- budgets (`budgets:budget:manage`): create and edit a budget of a process, its projects (written
  by staff, or made from the process's accepted ideas), and publish the results once voting
  has closed;
- the resident register (`budgets:register:manage`): upload the CSV, which replaces the
  register; nothing is kept in clear, and errors name the line;
- counter verification (`budgets:voter:verify`): verify a person who shows a document.

Each screen finds the administration through insieme.core.access (404 where the person has no
role, 403 where the role lacks the permission); every write goes through the actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from insieme.budgets import access, actions, verification
from insieme.budgets.forms import (
    BudgetForm,
    CounterForm,
    IdeasForm,
    NewBudgetForm,
    ProjectForm,
    RegisterForm,
)
from insieme.budgets.models import Ballot, Budget, Project, ResidentRegister, Verification
from insieme.core.access import get_administration_for_user
from insieme.core.models import User, today_in
from insieme.core.permissions import Perm
from insieme.participation.models import Idea, Process


def _edit_url(admin, budget) -> str:
    return reverse("budgets:staff_edit", args=[admin.slug, budget.pk])


@login_required
def budget_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.BUDGET_MANAGE)
    budgets = list(
        Budget.objects.filter(administration=admin)
        .select_related("process")
        .annotate(
            n_projects=Count("projects", distinct=True), n_ballots=Count("ballots", distinct=True)
        )
        .order_by("-created_at", "-pk")
    )
    return render(request, "budgets/staff/list.html", {"administration": admin, "budgets": budgets})


@login_required
@require_http_methods(["GET", "POST"])
def budget_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.BUDGET_MANAGE)
    processes = Process.objects.filter(administration=admin).order_by("-created_at", "-pk")
    form = NewBudgetForm(request.POST or None, processes=processes, language=admin.locale or "it")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.changes()
            try:
                budget = actions.create_budget(request.user, form.cleaned_data["process"], **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The budget is created: now add its projects."))
                return redirect(_edit_url(admin, budget))
        status = 400
    return render(
        request,
        "budgets/staff/budget_form.html",
        {"administration": admin, "form": form, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, admin_slug: str, pk) -> HttpResponse:
    admin, budget = access.get_staff_budget(request.user, admin_slug, pk)
    form = BudgetForm(request.POST or None, instance=budget, language=budget.process.language)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_budget(request.user, budget, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The budget is saved."))
                return redirect(_edit_url(admin, budget))
        status = 400
    projects = list(Project.objects.filter(budget=budget).select_related("idea"))
    for project in projects:
        project.budget = budget
    today = today_in(admin)
    return render(
        request,
        "budgets/staff/budget_form.html",
        {
            "administration": admin,
            "budget": budget,
            "form": form,
            "projects": projects,
            "ballots": Ballot.objects.filter(budget=budget).count(),
            "voting": budget.voting_state(today),
            "window": budget.voting_window(),
            "public_url": reverse(
                "budgets:budget", args=[admin.slug, budget.process.slug, budget.pk]
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, admin_slug: str, pk, project_pk=None) -> HttpResponse:
    admin, budget = access.get_staff_budget(request.user, admin_slug, pk)
    project = access.get_staff_project(budget, project_pk) if project_pk is not None else None
    form = ProjectForm(request.POST or None, instance=project, budget=budget)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_project(request.user, budget, project, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The project is saved."))
                return redirect(_edit_url(admin, budget))
        status = 400
    return render(
        request,
        "budgets/staff/project_form.html",
        {"administration": admin, "budget": budget, "project": project, "form": form},
        status=status,
    )


@login_required
@require_POST
def project_delete(request: HttpRequest, admin_slug: str, pk, project_pk) -> HttpResponse:
    admin, budget = access.get_staff_budget(request.user, admin_slug, pk)
    project = access.get_staff_project(budget, project_pk)
    try:
        actions.delete_project(request.user, project)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The project is deleted."))
    return redirect(_edit_url(admin, budget))


@login_required
@require_http_methods(["GET", "POST"])
def from_ideas(request: HttpRequest, admin_slug: str, pk) -> HttpResponse:
    admin, budget = access.get_staff_budget(request.user, admin_slug, pk)
    taken = Project.objects.filter(budget=budget, idea__isnull=False).values("idea_id")
    ideas = (
        Idea.objects.visible()
        .filter(process=budget.process, answer=Idea.Answer.ACCEPTED, state=Idea.State.OPEN)
        .exclude(pk__in=taken)
        .order_by("-supports_count", "pk")
    )
    form = IdeasForm(request.POST or None, ideas=ideas)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = actions.projects_from_ideas(request.user, budget, form.cleaned_data["costs"])
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("%(n)d projects made from ideas.") % {"n": len(made)})
                return redirect(_edit_url(admin, budget))
        status = 400
    return render(
        request,
        "budgets/staff/from_ideas.html",
        {"administration": admin, "budget": budget, "form": form},
        status=status,
    )


@login_required
@require_POST
def publish(request: HttpRequest, admin_slug: str, pk) -> HttpResponse:
    admin, budget = access.get_staff_budget(request.user, admin_slug, pk)
    try:
        outcome = actions.publish_results(request.user, budget)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_edit_url(admin, budget))
    messages.success(
        request,
        _("The results are published: %(n)d projects funded.") % {"n": len(outcome.funded)},
    )
    return redirect(reverse("budgets:results", args=[admin.slug, budget.process.slug, budget.pk]))


# --- the resident register ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register_upload(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.REGISTER_MANAGE)
    form = RegisterForm(request.POST or None, request.FILES or None)
    status = 200
    line_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            parsed = actions.upload_register(request.user, admin, upload.read())
            if parsed.errors:
                line_errors = parsed.errors
                form.add_error(
                    "file", _("Nothing was stored: correct the lines below and upload again.")
                )
            else:
                messages.success(
                    request,
                    _("The register is replaced: %(n)d residents.") % {"n": len(parsed.hashes)},
                )
                return redirect(reverse("budgets:staff_register", args=[admin.slug]))
        status = 400
    register = ResidentRegister.objects.filter(administration=admin).first()
    return render(
        request,
        "budgets/staff/register.html",
        {
            "administration": admin,
            "form": form,
            "register": register,
            "line_errors": line_errors,
            "verified": Verification.objects.filter(administration=admin).count(),
        },
        status=status,
    )


# --- counter verification -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.VOTER_VERIFY)
    form = CounterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            person = User.objects.filter(
                email__iexact=form.cleaned_data["email"], is_active=True
            ).first()
            if person is None:
                form.add_error(
                    "email",
                    _("No account uses this address: ask the person to sign up first."),
                )
            else:
                try:
                    verification.CounterVerifier(request.user).verify(
                        person,
                        admin,
                        fiscal_code=form.cleaned_data["fiscal_code"],
                        birth_date=form.cleaned_data["birth_date"],
                        document_type=form.cleaned_data["document_type"],
                    )
                except ValidationError as exc:
                    form.add_action_errors(exc)
                else:
                    messages.success(
                        request,
                        _("%(person)s is verified: they can now vote.") % {"person": person.email},
                    )
                    return redirect(reverse("budgets:staff_counter", args=[admin.slug]))
        status = 400
    return render(
        request,
        "budgets/staff/counter.html",
        {
            "administration": admin,
            "form": form,
            "today_count": Verification.objects.filter(
                administration=admin, verified_by=request.user
            ).count(),
        },
        status=status,
    )
