"""Public pages of participatory budgeting, under a process's address
(/participation/<administration>/<process>/budgets/<id>/):

- the budget: its projects with their costs, the voting dates, what the person can do next;
- the ballot: a box per project, the running total (a "Check my total" button without
  JavaScript; with it, a live total read out by screen readers), the warning that a ballot is
  final, and the refusals in plain words (over the budget: by how much);
- "your ballot": what the person chose, once cast;
- the results, once published: the ranking, votes, costs, what was funded and what is left.

And /participation/<administration>/budgets/verify/, where a citizen checks themselves against
the resident register. Vote counts appear nowhere before the results are published.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from insieme.budgets import access, actions, verification
from insieme.budgets.forms import BallotForm, SelfCheckForm
from insieme.budgets.models import Ballot, BallotKind, Budget, Project
from insieme.core import views_errors
from insieme.core.models import today_in
from insieme.participation.access import get_public_administration
from insieme.participation.actions import RateLimited


def budget_url(budget: Budget, name: str = "budget") -> str:
    return reverse(
        f"budgets:{name}", args=[budget.administration.slug, budget.process.slug, budget.pk]
    )


def _projects(budget: Budget) -> list[Project]:
    projects = list(Project.objects.filter(budget=budget).select_related("category", "idea"))
    for project in projects:
        project.budget = budget
        if project.category is not None:
            project.category.process = budget.process
    return projects


def _state(request: HttpRequest, budget: Budget) -> dict:
    """What the pages share: the voting window and state, and the person's standing."""
    phases = list(budget.process.phases.all())
    today = today_in(budget.administration)
    user = request.user
    verified = verification.verification_of(user, budget.administration) is not None
    ballot = (
        Ballot.objects.filter(budget=budget, voter=user).first() if user.is_authenticated else None
    )
    return {
        "budget": budget,
        "process": budget.process,
        "admin": budget.administration,
        "window": budget.voting_window(phases),
        "voting": budget.voting_state(today, phases),
        "closed": actions.voting_closed_reason(budget, today, phases),
        "verified": verified,
        "my_ballot": ballot,
        "approval": budget.kind == BallotKind.APPROVAL,
        "verify_url": reverse("budgets:verify", args=[budget.administration.slug])
        + "?next="
        + budget_url(budget, "ballot"),
    }


@require_GET
def budget_page(request: HttpRequest, admin_slug: str, process_slug: str, pk) -> HttpResponse:
    budget = access.get_budget_for_user(request.user, admin_slug, process_slug, pk)
    context = _state(request, budget)
    context["projects"] = _projects(budget)
    context["ballots"] = (
        Ballot.objects.filter(budget=budget).count() if budget.results_published else None
    )
    return render(request, "budgets/budget.html", context)


def _totals(budget: Budget, projects: list[Project], chosen_ids) -> dict:
    chosen = [p for p in projects if p.pk in set(chosen_ids)]
    cost = sum(p.cost_cents for p in chosen)
    return {
        "chosen_count": len(chosen),
        "chosen_cost": cost,
        "left": budget.total_cents - cost,
        "over": budget.kind == BallotKind.KNAPSACK and cost > budget.total_cents,
    }


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, admin_slug: str, process_slug: str, pk) -> HttpResponse:
    budget = access.get_budget_for_user(request.user, admin_slug, process_slug, pk)
    context = _state(request, budget)
    if context["my_ballot"] is not None:
        return redirect(budget_url(budget, "my_ballot"))
    projects = _projects(budget)
    context["projects"] = projects
    status = 200
    form = BallotForm(request.POST or None, projects=projects)
    chosen_ids: list[int] = []
    if request.method == "POST" and not context["closed"] and context["verified"]:
        if form.is_valid():
            chosen_ids = form.cleaned_data["projects"]
            if request.POST.get("action") == "check":
                try:
                    actions.check_choices(budget, chosen_ids, projects)
                    context["fits"] = True
                except ValidationError as exc:
                    form.add_action_errors(exc)
            else:
                try:
                    actions.cast_ballot(request.user, budget, chosen_ids)
                except actions.AlreadyVoted:
                    return redirect(budget_url(budget, "my_ballot") + "?already=1")
                except ValidationError as exc:
                    form.add_action_errors(exc)
                    status = 400
                else:
                    return redirect(budget_url(budget, "my_ballot") + "?cast=1")
        else:
            status = 400
    elif request.method == "POST":
        status = 409
    context.update(form=form, chosen=set(chosen_ids), **_totals(budget, projects, chosen_ids))
    return render(request, "budgets/ballot.html", context, status=status)


@login_required
@require_GET
def my_ballot(request: HttpRequest, admin_slug: str, process_slug: str, pk) -> HttpResponse:
    budget = access.get_budget_for_user(request.user, admin_slug, process_slug, pk)
    context = _state(request, budget)
    mine = context["my_ballot"]
    if mine is None:
        return redirect(budget_url(budget, "ballot"))
    chosen = [
        c.project
        for c in mine.choices.select_related("project").order_by("project__position", "project__pk")
    ]
    for project in chosen:
        project.budget = budget
    context.update(
        chosen=chosen,
        chosen_cost=sum(p.cost_cents for p in chosen),
        just_cast=request.GET.get("cast") == "1",
        already=request.GET.get("already") == "1",
    )
    return render(request, "budgets/my_ballot.html", context)


@require_GET
def results(request: HttpRequest, admin_slug: str, process_slug: str, pk) -> HttpResponse:
    budget = access.get_budget_for_user(request.user, admin_slug, process_slug, pk)
    context = _state(request, budget)
    if budget.results_published:
        projects = sorted(_projects(budget), key=lambda p: (p.rank or 0, p.pk))
        spent = sum(p.cost_cents for p in projects if p.is_funded)
        context.update(
            projects=projects,
            funded=[p for p in projects if p.is_funded],
            spent=spent,
            remaining=budget.total_cents - spent,
            ballots=Ballot.objects.filter(budget=budget).count(),
        )
    return render(request, "budgets/results.html", context)


# --- verification -------------------------------------------------------------------------------


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_public_administration(admin_slug)
    existing = verification.verification_of(request.user, admin)
    form = SelfCheckForm(request.POST or None)
    status = 200
    if request.method == "POST" and existing is None:
        if form.is_valid():
            try:
                verification.RegisterVerifier().verify(
                    request.user,
                    admin,
                    fiscal_code=form.cleaned_data["fiscal_code"],
                    birth_date=form.cleaned_data["birth_date"],
                )
            except RateLimited as limited:
                return views_errors.too_many_requests(request, limited.retry_after)
            except ValidationError as exc:
                form.add_action_errors(exc)
                status = 400
            else:
                return redirect(_next(request) or request.path + "?done=1")
        else:
            status = 400
    budgets = (
        Budget.objects.filter(
            administration=admin, is_published=True, results_published_at__isnull=True
        )
        .select_related("process")
        .annotate(n=Count("projects"))
        .order_by("-pk")[:5]
    )
    return render(
        request,
        "budgets/verify.html",
        {
            "admin": admin,
            "form": form,
            "verification": existing,
            "next": _next(request),
            "done": request.GET.get("done") == "1",
            "budgets": [b for b in budgets if access.can_see_budget(request.user, b)],
        },
        status=status,
    )
