"""Staff screens of results under /staff/<administration>/results/: the list, creating and
editing a result (parent, weight, dates, publication), recording progress, milestones and
links. Every screen needs `results:result:manage` in the administration (404 outside the
person's administrations, 403 without the permission)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.core.access import get_administration_for_user
from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.participation.models import Process
from insieme.results import access, actions
from insieme.results.forms import (
    LinkForm,
    MilestoneForm,
    ProgressForm,
    ResultFilterForm,
    ResultForm,
)
from insieme.results.models import Result

PER_PAGE = 50


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _result_form(data, admin, instance=None) -> ResultForm:
    parents = Result.objects.filter(administration=admin).order_by("title", "pk")
    if instance is not None:
        parents = parents.exclude(pk=instance.pk)
    return ResultForm(
        data,
        instance=instance,
        administration=admin,
        processes=Process.objects.filter(administration=admin).order_by("title", "pk"),
        parents=parents,
    )


@login_required
@require_GET
def result_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESULT_MANAGE)
    processes = list(Process.objects.filter(administration=admin).order_by("title", "pk"))
    form = ResultFilterForm(request.GET or None, processes=processes)
    chosen = form.values()
    results = Result.objects.filter(administration=admin).select_related("process", "parent")
    if chosen.get("process"):
        results = results.filter(process_id=chosen["process"])
    if chosen.get("status"):
        results = results.filter(status=chosen["status"])
    page = Paginator(results.order_by("-updated_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = today_in(admin)
    for result in page.object_list:
        result.mark = result.schedule(today)
    return render(
        request,
        "results/staff/list.html",
        {"administration": admin, "form": form, "page": page},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESULT_MANAGE)
    form = _result_form(_bound(request), admin)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = actions.create_result(request.user, admin, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The result is created."))
                return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)
        status = 400
    return render(
        request,
        "results/staff/form.html",
        {"administration": admin, "form": form, "creating": True},
        status=status,
    )


def _render_edit(
    request,
    admin,
    result,
    *,
    form=None,
    progress_form=None,
    milestone_form=None,
    link_form=None,
    status=200,
):
    milestones = list(result.milestones.all())
    for milestone in milestones:
        milestone.result = result
    return render(
        request,
        "results/staff/form.html",
        {
            "administration": admin,
            "result": result,
            "form": form or _result_form(None, admin, result),
            "progress_form": progress_form or ProgressForm(initial={"progress": result.progress}),
            "milestone_form": milestone_form or MilestoneForm(result=result),
            "link_form": link_form or LinkForm(),
            "milestones": milestones,
            "links": list(result.links.all()),
            "children": list(result.children.order_by("title", "pk")),
            "updates": list(result.updates.select_related("author")[:20]),
            "public_url": reverse("results:detail", args=[admin.slug, result.pk]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, result = access.get_staff_result(request.user, admin_slug, pk)
    form = _result_form(_bound(request), admin, instance=result)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_result(request.user, result, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The result is saved."))
                return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)
        result.refresh_from_db()
        return _render_edit(request, admin, result, form=form, status=400)
    return _render_edit(request, admin, result, form=form)


@login_required
@require_POST
def result_progress(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, result = access.get_staff_result(request.user, admin_slug, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            actions.set_progress(
                request.user,
                result,
                progress=form.cleaned_data["progress"],
                status=form.cleaned_data["status"] or None,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The progress is recorded."))
            return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)
    result.refresh_from_db()
    return _render_edit(request, admin, result, progress_form=form, status=400)


@login_required
@require_POST
def milestone_new(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, result = access.get_staff_result(request.user, admin_slug, pk)
    form = MilestoneForm(request.POST, result=result)
    if form.is_valid():
        try:
            actions.add_milestone(
                request.user,
                result,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                translations=form.translations_changes(),
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The milestone is added."))
            return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)
    return _render_edit(request, admin, result, milestone_form=form, status=400)


@login_required
@require_POST
def milestone_done(request: HttpRequest, admin_slug: str, pk: int, milestone_pk: int):
    admin, result = access.get_staff_result(request.user, admin_slug, pk)
    milestone = result.milestones.filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404
    milestone.result = result
    actions.complete_milestone(request.user, milestone)
    messages.success(request, _("The milestone is marked as done."))
    return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)


@login_required
@require_POST
def link_new(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, result = access.get_staff_result(request.user, admin_slug, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_link(
                request.user,
                result,
                kind=data["kind"],
                key=data["key"] or data["url"] or data["label"],
                label=data["label"],
                url=data["url"],
                staff_only=data["staff_only"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The link is saved."))
            return redirect("results:staff_edit", admin_slug=admin.slug, pk=result.pk)
    return _render_edit(request, admin, result, link_form=form, status=400)
