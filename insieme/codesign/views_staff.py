"""Staff screens of co-design, under /staff/<administration>/co-design/: the proposals, a
proposal's editor and its side-by-side preview, adoption; and the work item of an idea.

404 outside the person's administrations, 403 where their role lacks the permission (see
insieme.codesign.access). Writes go through insieme.codesign.actions; a refused write answers
400 (409 when the service changed since the draft) with the page and the reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog.forms import AttributeForm
from insieme.catalog.models import Attribute, Service
from insieme.codesign import access, actions, contacts, snapshots
from insieme.codesign.forms import StartForm, TermsForm, TextsForm, TraceForm
from insieme.codesign.models import ServiceChange
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.permissions import Perm
from insieme.participation.access import get_staff_idea
from insieme.participation.models import Idea

PER_PAGE = 100


def _is_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and len(raw) < 12


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


@login_required
@require_GET
def change_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    status = request.GET.get("status", "")
    if status not in ServiceChange.Status.values:
        status = ""
    changes = list(access.staff_changes(admin, status)[:PER_PAGE])
    return render(
        request,
        "codesign/staff/list.html",
        {
            "administration": admin,
            "changes": changes,
            "status": status,
            "statuses": ServiceChange.Status.choices,
            "may_propose": has_perm(request.user, Perm.SERVICE_CHANGE_PROPOSE, admin),
        },
    )


def _idea_of(request, admin, raw) -> Idea | None:
    if not raw:
        return None
    idea = get_staff_idea(request.user, admin.slug, raw, (Perm.SERVICE_CHANGE_PROPOSE,))
    return idea


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_CHANGE_PROPOSE)
    source = request.POST if request.method == "POST" else request.GET
    idea = _idea_of(request, admin, source.get("idea", ""))
    language = idea.language if idea is not None else admin.locale or "it"
    instance = ServiceChange(administration=admin, language=language)
    initial = {}
    if idea is not None:
        initial = {"title": idea.title, "rationale": idea.body}
        target = actions.target_service(idea)
        if target is not None:
            initial["service"] = target.pk
    elif _is_id(source.get("service", "")):
        initial["service"] = int(source["service"])
    form = StartForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        administration=admin,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = actions.start_change(
                    request.user,
                    form.cleaned_data["service"],
                    idea=idea,
                    language=language,
                    **form.texts(),
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The draft is made: change it, then preview it."))
                return redirect("codesign:staff_change", admin.slug, change.pk)
        status = 400
    return render(
        request,
        "codesign/staff/new.html",
        {"administration": admin, "form": form, "idea": idea},
        status=status,
    )


def _page(request, admin, change, *, status=200, errors=None, **forms) -> HttpResponse:
    proposed = snapshots.normalise(change.proposed)
    service = change.service
    may_edit = change.is_editable and has_perm(request.user, Perm.SERVICE_CHANGE_PROPOSE, admin)
    context = {
        "administration": admin,
        "change": change,
        "service": service,
        "proposed": proposed,
        "diff": snapshots.differences(change.base, proposed),
        "provisions": snapshots.provisions_by_id(change.base, proposed),
        "may_edit": may_edit,
        "may_adopt": change.status == ServiceChange.Status.OPEN
        and has_perm(request.user, Perm.SERVICE_CHANGE_ADOPT, admin),
        "errors": errors or [],
    }
    if may_edit:
        context["texts_form"] = forms.get("texts_form") or TextsForm(instance=change)
        context["terms_form"] = forms.get("terms_form") or TermsForm(
            initial=TermsForm.initial_for(proposed)
        )
        context["trace_form"] = forms.get("trace_form") or TraceForm(
            service=service, proposed=proposed
        )
    return render(request, "codesign/staff/change.html", context, status=status)


@login_required
@require_GET
def change_page(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, change = access.get_staff_change(request.user, admin_slug, pk)
    return _page(request, admin, change)


@login_required
@require_GET
def change_preview(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, change = access.get_staff_change(request.user, admin_slug, pk)
    return render(
        request,
        "codesign/staff/preview.html",
        {"administration": admin, "change": change, **preview_context(change)},
    )


def preview_context(change: ServiceChange) -> dict:
    """The side by side: the citizen's form now and as proposed, and the table of differences."""
    from insieme.catalog.forms import citizen_form_from_attributes

    service = change.service
    base = snapshots.normalise(change.base)
    proposed = snapshots.normalise(change.proposed)
    current_form = citizen_form_from_attributes(
        snapshots.attributes_of(base, service), prefix="now"
    )
    proposed_form = citizen_form_from_attributes(
        snapshots.attributes_of(proposed, service), prefix="proposed"
    )
    current_form.make_read_only()
    proposed_form.make_read_only()
    return {
        "service": service,
        "base": base,
        "proposed": proposed,
        "current_form": current_form,
        "proposed_form": proposed_form,
        "diff": snapshots.differences(base, proposed),
        "provisions": snapshots.provisions_by_id(base, proposed),
    }


def _error_page(request, admin, change, exc, **forms) -> HttpResponse:
    return _page(request, admin, change, status=400, errors=_messages_of(exc), **forms)


@login_required
@require_POST
def change_act(request: HttpRequest, admin_slug: str, pk: int, what: str) -> HttpResponse:
    perm = Perm.SERVICE_CHANGE_ADOPT if what == "adopt" else Perm.SERVICE_CHANGE_PROPOSE
    admin, change = access.get_staff_change(request.user, admin_slug, pk, perm)
    post = request.POST
    forms: dict = {}
    done = ""
    try:
        if what == "texts":
            form = TextsForm(post, instance=change)
            forms["texts_form"] = form
            if not form.is_valid():
                return _page(request, admin, change, status=400, **forms)
            actions.update_texts(request.user, change, **form.texts())
            done = _("The title and explanation are saved.")
        elif what == "terms":
            form = TermsForm(post)
            forms["terms_form"] = form
            if not form.is_valid():
                return _page(request, admin, change, status=400, **forms)
            actions.set_terms(
                request.user, change, channels=form.cleaned_data["channels"], sla=form.sla()
            )
            done = _("Channels and SLA are saved in the proposal.")
        elif what == "trace-add":
            form = TraceForm(
                post, service=change.service, proposed=snapshots.normalise(change.proposed)
            )
            forms["trace_form"] = form
            if not form.is_valid():
                return _page(request, admin, change, status=400, **forms)
            actions.add_trace(
                request.user,
                change,
                field=form.cleaned_data["field"],
                provision=form.cleaned_data["provision"],
                policy_need=form.cleaned_data["policy_need"],
            )
            done = _("The trace is added to the proposal.")
        elif what == "trace-remove":
            index = post.get("index", "")
            if not (_is_id(index) and len(index) < 6):
                raise ValidationError(_("There is no such trace in the proposal."))
            actions.remove_trace(request.user, change, part=post.get("part", ""), index=int(index))
            done = _("The trace is removed from the proposal.")
        elif what == "field-remove":
            actions.remove_field(request.user, change, post.get("code", ""))
            done = _("The field is removed from the proposal.")
        elif what == "field-move":
            actions.move_field(
                request.user, change, post.get("code", ""), post.get("direction", "")
            )
            done = _("The field is moved.")
        elif what == "open":
            actions.open_for_comments(request.user, change)
            done = _("The proposal is open for comments: participants can see it.")
        elif what == "withdraw":
            actions.withdraw(request.user, change)
            done = _("The proposal is withdrawn.")
        elif what == "adopt":
            actions.adopt(request.user, change)
            messages.success(request, _("The proposal is adopted: the service has changed."))
            return redirect("catalog_service_detail", admin.slug, change.service_id)
        else:
            raise Http404
    except actions.Conflict:
        return _page(
            request,
            admin,
            change,
            status=409,
            errors=[
                _(
                    "The service changed since this draft was made: nothing was adopted. "
                    "Start a new proposal from the service as it is now."
                )
            ],
        )
    except ValidationError as exc:
        change.refresh_from_db()
        return _error_page(request, admin, change, exc, **forms)
    messages.success(request, done)
    return redirect("codesign:staff_change", admin.slug, change.pk)


def _field_row(change: ServiceChange, code: str | None) -> dict | None:
    if code is None:
        return None
    for row in snapshots.normalise(change.proposed)["fields"]:
        if row["code"] == code:
            return row
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, admin_slug: str, pk: int, code: str | None = None):
    admin, change = access.get_staff_change(
        request.user, admin_slug, pk, Perm.SERVICE_CHANGE_PROPOSE
    )
    if not change.is_editable:
        raise Http404
    service: Service = change.service
    row = _field_row(change, code)
    instance = Attribute(
        **({k: row[k] for k in (*snapshots.FIELD_KEYS, "translations")} if row else {})
    )
    instance.service = service
    if row is None:
        proposed = snapshots.normalise(change.proposed)
        instance.order = max([f["order"] or 0 for f in proposed["fields"]] + [0]) + 10
    form = AttributeForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        language=service.language,
    )
    if row is not None and request.method == "GET":
        from insieme.catalog.forms import format_values

        form.initial["values"] = format_values(row["values"])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_field(request.user, change, form.changes(), code=code)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The field is saved in the proposal."))
                return redirect("codesign:staff_change", admin.slug, change.pk)
        status = 400
    return render(
        request,
        "codesign/staff/field.html",
        {"administration": admin, "change": change, "form": form, "code": code},
        status=status,
    )


@login_required
@require_POST
def idea_work_item(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    """Make the work item of an accepted idea whose answer no listener saw (an idea of an
    internal idea box or a round table: their answers are not published as events)."""
    idea = get_staff_idea(request.user, admin_slug, pk, (Perm.IDEA_ANSWER,))
    try:
        item = actions.create_work_item(request.user, idea)
    except ValidationError as exc:
        return render(
            request,
            "codesign/staff/refused.html",
            {
                "administration": idea.process.administration,
                "idea": idea,
                "errors": _messages_of(exc),
            },
            status=400,
        )
    messages.success(
        request, _("Work item %(ref)s is in the department's queue.") % {"ref": item.case.reference}
    )
    return redirect("staff_participation_idea", admin_slug, idea.pk)


@login_required
@require_GET
def contact_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """The people who agreed to be invited to co-design (insieme.codesign.contacts)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_CHANGE_PROPOSE)
    page = Paginator(contacts.people(admin), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "codesign/staff/contacts.html",
        {
            "administration": admin,
            "page": page,
            "people": [(person, contacts.reach(person)) for person in page.object_list],
            "purpose": contacts.PURPOSE,
        },
    )
