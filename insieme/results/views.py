"""Public pages of results ("you said, we did"): an administration's results, filtered by
process and status, each marked on schedule or late; a result's page with its progress, dates,
milestones, parts, links, updates and the follow button.

Every write goes through `insieme.results.actions`; every read across a permission boundary
through `insieme.results.access` (404 for missing and forbidden alike). Works without
JavaScript: following is a form that posts and comes back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.core.models import today_in
from insieme.participation.access import visible_processes
from insieme.results import access, actions
from insieme.results.forms import ResultFilterForm
from insieme.results.models import ResultFollow, Status

RESULTS_PER_PAGE = 20


def detail_url(result) -> str:
    return reverse("results:detail", args=[result.administration.slug, result.pk])


@require_GET
def result_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_public_administration(admin_slug)
    results = (
        access.visible_results(request.user)
        .filter(administration=admin)
        .select_related("administration", "process")
    )
    processes = list(
        visible_processes(request.user)
        .filter(administration=admin, results__in=results)
        .distinct()
        .order_by("title", "pk")
    )
    form = ResultFilterForm(request.GET or None, processes=processes)
    chosen = form.values()
    if chosen.get("process"):
        results = results.filter(process_id=chosen["process"])
    if chosen.get("status"):
        results = results.filter(status=chosen["status"])
    results = results.order_by("due_on", "-updated_at", "-pk")
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    today = today_in(admin)
    for result in page.object_list:
        result.mark = result.schedule(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "results/list.html",
        {
            "admin": admin,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(chosen),
            "staff_url": reverse("results:staff_list", args=[admin.slug])
            if access.may_manage(request.user, admin.pk)
            else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def result_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = access.get_public_administration(admin_slug)
    result = access.get_result_for_user(request.user, admin, pk)
    user = request.user
    today = today_in(admin)
    milestones = list(result.milestones.all())
    for milestone in milestones:
        milestone.result = result
    children = list(
        access.visible_results(user).filter(parent=result).select_related("administration")
    )
    for child in children:
        child.mark = child.schedule(today)
    total_weight = sum(c.weight for c in children if c.status != Status.CANCELLED)
    links = list(result.links.all())
    if not access.may_see_staff_links(user, admin.pk):
        links = [link for link in links if not link.staff_only]
    parent = None
    if result.parent_id is not None:
        parent = (
            access.visible_results(user)
            .filter(pk=result.parent_id)
            .select_related("administration")
            .first()
        )
    idea = result.idea if result.idea_id is not None and result.process_id is not None else None
    return render(
        request,
        "results/detail.html",
        {
            "admin": admin,
            "result": result,
            "mark": result.schedule(today),
            "milestones": milestones,
            "children": children,
            "total_weight": total_weight,
            "links": links,
            "updates": list(result.updates.all()[:50]),
            "parent": parent,
            "idea": idea,
            "following": user.is_authenticated
            and ResultFollow.objects.filter(user=user, result=result).exists(),
            "staff_url": reverse("results:staff_edit", args=[admin.slug, result.pk])
            if access.may_manage(user, admin.pk)
            else "",
        },
    )


@login_required
@require_POST
def result_follow(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = access.get_public_administration(admin_slug)
    result = access.get_result_for_user(request.user, admin, pk)
    actions.follow(request.user, result)
    messages.success(
        request, _("You follow this result: you will receive an e-mail when it progresses.")
    )
    return redirect(detail_url(result))


@login_required
@require_POST
def result_unfollow(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = access.get_public_administration(admin_slug)
    result = access.get_result_for_user(request.user, admin, pk)
    actions.unfollow(request.user, result)
    messages.success(request, _("You no longer follow this result."))
    return redirect(detail_url(result))
