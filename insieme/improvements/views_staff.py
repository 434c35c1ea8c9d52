"""Staff screens of the improvement backlog under /staff/<administration>/improvements/: the
list (filtered by status and kind of insight), an item's page with its measured effect,
opening an item (also from a Scorecard indicator: `?indicator=KEY`), editing and assigning it,
moving it between open and in progress, closing it as done or dropping it.

Reading needs `improvements:item:read`, every change `improvements:item:manage` (404 outside
the person's administrations, 403 without the permission); the actions check again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.codesign.models import ServiceChange
from insieme.core.models import User
from insieme.improvements import access, actions, measure
from insieme.improvements.forms import CloseForm, ItemFilterForm, ItemForm, StatusForm
from insieme.improvements.models import MAX_DETAIL, Item, Source, Status
from insieme.participation.models import Process

PER_PAGE = 50


def _owners(admin):
    return (
        User.objects.filter(
            is_active=True, memberships__administration=admin, memberships__is_active=True
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def _item_form(data, admin, *, instance=None, initial=None) -> ItemForm:
    return ItemForm(
        data,
        instance=instance,
        initial=initial,
        owners=_owners(admin),
        processes=Process.objects.filter(administration=admin).order_by("title", "pk"),
        service_changes=ServiceChange.objects.filter(administration=admin).order_by("title", "pk"),
    )


def find_control_free(text: str) -> str:
    """`text` without control characters, to be repeated in a message."""
    return "".join(c for c in text if c.isprintable())


def _redirect(admin, item) -> HttpResponse:
    return redirect("improvements:staff_detail", admin_slug=admin.slug, pk=item.pk)


@login_required
@require_GET
def item_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_staff_administration(request.user, admin_slug)
    form = ItemFilterForm(request.GET or None)
    chosen = form.values()
    items = Item.objects.filter(administration=admin).select_related("owner")
    if chosen.get("status"):
        items = items.filter(status=chosen["status"])
    if chosen.get("source"):
        items = items.filter(source=chosen["source"])
    page = Paginator(items.order_by("-opened_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.indicator_title = measure.title(item.indicator_key) if item.indicator_key else ""
    return render(
        request,
        "improvements/staff/list.html",
        {
            "administration": admin,
            "form": form,
            "page": page,
            "may_manage": access.may_manage(request.user, admin.pk),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Open an item. `?indicator=KEY` (the Scorecard's link) fills in the indicator;
    `?source=KIND&detail=TEXT` (the links of hotspots, topics and forecast alerts) fill in where
    it comes from and what the insight says."""
    admin = access.get_staff_administration(request.user, admin_slug, manage=True)
    status, prefill_error = 200, ""
    source = request.GET.get("source", "")
    detail = request.GET.get("detail", "")
    if source and source not in Source.values:
        status = 400
        prefill_error = _("No kind of insight is called “%(source)s”.") % {
            "source": find_control_free(source[:100])
        }
    elif len(detail) > MAX_DETAIL or find_control_free(detail) != detail:
        status = 400
        prefill_error = _(
            "What the insight says must be plain text of at most %(n)d characters."
        ) % {"n": MAX_DETAIL}
    # The Scorecard's link: checked whatever the method, so a malformed one (an unknown key,
    # a control character) is refused with 400, never taken in.
    key = request.GET.get("indicator", "")
    found = measure.indicator(key) if key else None
    for sent in (key, request.POST.get("indicator", "")):
        if sent and measure.indicator(sent) is None:
            status = 400
            prefill_error = _("No Scorecard indicator has the key “%(key)s”.") % {
                "key": find_control_free(sent[:100])
            }
    if request.method == "POST" and status == 200:
        form = _item_form(request.POST, admin)
        if form.is_valid():
            data = form.changes()
            try:
                item = actions.open_item(request.user, admin, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The improvement item is opened."))
                return _redirect(admin, item)
        status = 400
    else:
        initial = {}
        if actions.is_active_staff(admin, request.user):
            initial["owner"] = request.user.pk
        if found is not None:
            initial.update(source=Source.INDICATOR, indicator_key=key)
            initial.setdefault("title", str(found.title))
        elif source and status == 200:
            initial["source"] = source
        if detail and status == 200:
            initial["source_detail"] = detail
        form = _item_form(None, admin, initial=initial)
    return render(
        request,
        "improvements/staff/form.html",
        {"administration": admin, "form": form, "creating": True, "prefill_error": prefill_error},
        status=status,
    )


def _render_detail(request, admin, item, *, status_form=None, close_form=None, status=200):
    found = measure.indicator(item.indicator_key)
    return render(
        request,
        "improvements/staff/detail.html",
        {
            "administration": admin,
            "item": item,
            "indicator": found,
            "indicator_title": measure.title(item.indicator_key) if item.indicator_key else "",
            "before": measure.shown(item.value_before, item.indicator_key),
            "after": measure.shown(item.value_after, item.indicator_key),
            "may_manage": access.may_manage(request.user, admin.pk),
            "status_form": status_form
            or StatusForm(
                initial={
                    "status": Status.IN_PROGRESS if item.status == Status.OPEN else Status.OPEN
                }
            ),
            "close_form": close_form or CloseForm(),
        },
        status=status,
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, item = access.get_staff_item(request.user, admin_slug, pk)
    return _render_detail(request, admin, item)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, item = access.get_staff_item(request.user, admin_slug, pk, manage=True)
    if request.method == "POST":
        form = _item_form(request.POST, admin, instance=item)
        if form.is_valid():
            try:
                actions.update_item(request.user, item, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The improvement item is saved."))
                return _redirect(admin, item)
        item.refresh_from_db()
        status = 400
    else:
        form = _item_form(None, admin, instance=item)
        status = 200
    return render(
        request,
        "improvements/staff/form.html",
        {"administration": admin, "form": form, "item": item, "creating": False},
        status=status,
    )


@login_required
@require_POST
def item_status(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, item = access.get_staff_item(request.user, admin_slug, pk, manage=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.set_status(request.user, item, form.cleaned_data["status"])
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The status is changed."))
            return _redirect(admin, item)
    item.refresh_from_db()
    return _render_detail(request, admin, item, status_form=form, status=400)


@login_required
@require_POST
def item_close(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, item = access.get_staff_item(request.user, admin_slug, pk, manage=True)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["outcome"] == CloseForm.DONE:
                actions.close_as_done(request.user, item)
                done = _("The item is closed as done; its effect is measured.")
            else:
                actions.drop_item(request.user, item, reason=form.cleaned_data["reason"])
                done = _("The item is dropped.")
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, done)
            return _redirect(admin, item)
    item.refresh_from_db()
    return _render_detail(request, admin, item, close_form=form, status=400)
