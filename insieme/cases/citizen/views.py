"""The citizen's follow-up of cases: "My requests", the filer's case page with its actions, the
public page of a public case, and attachment downloads that check access.

Reads go through `insieme.cases.access` (404 for missing and forbidden alike); every write is a
POST to one of `insieme.cases.citizen.actions`, followed by a redirect (PRG). The public page never
shows personal data: no names, contact details, answers, private attachments or internal notes, and
every text is its public copy, redacted when it was written (`insieme.cases.redact`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.cases import access, lifecycle
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.citizen.forms import (
    CaseStateFilterForm,
    ProvideInformationForm,
    RatingForm,
    WithdrawForm,
)
from insieme.cases.labels import asked_label
from insieme.cases.models import OPEN_STATUSES, Case, CaseEvent, Follower, Rating, Status
from insieme.cases.redact import case_names, localise, redact
from insieme.catalog import i18n
from insieme.catalog.models import Datatype

PAGE_SIZE = 20
RATEABLE = (Status.RESOLVED, Status.CLOSED, Status.REFUSED)


# --- helpers -----------------------------------------------------------------------------------


def _my_case_url(case: Case) -> str:
    return reverse("my_case", args=[case.administration.slug, case.reference])


def _public_url(case: Case) -> str:
    return reverse("case_public", args=[case.administration.slug, case.reference])


def _attributes(case: Case) -> dict:
    return {a.code: a for a in case.service.attributes.all()}


def _answer_text(attribute, value) -> str:
    names = {o["key"]: o["name"] for o in i18n.options(attribute)}
    if attribute.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
        keys = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(k), str(k)) for k in keys)
    if attribute.datatype == Datatype.DATETIME and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return date_format(timezone.localtime(parsed), "DATETIME_FORMAT")
    return str(value)


def answer_rows(case: Case) -> list[tuple[str, str]]:
    """(question label, answer) for the filer, in the form's order."""
    attributes = sorted(_attributes(case).values(), key=lambda a: (a.order, a.code))
    return [
        (a.i18n.label, _answer_text(a, case.answers[a.code]))
        for a in attributes
        if a.code in (case.answers or {})
    ]


def field_label(case: Case, code: str) -> str:
    """The label of the question (or the document) an information request names."""
    if not code:
        return ""
    attribute = _attributes(case).get(code)
    if attribute is not None:
        return attribute.i18n.label
    return asked_label(code, {})


@dataclass
class TimelineItem:
    at: object
    title: str
    text: str = ""
    by: str = ""
    asked_field: str = ""
    attachments: list = field(default_factory=list)


def _status_label(code: str) -> str:
    return Status(code).label if code in Status.values else code


def timeline(case: Case, events, *, for_submitter: bool) -> list[TimelineItem]:
    """The events as the filer (or, on the public page, anyone) may read them. Staff are shown
    as "the administration", never by name; the public reads each text's redacted copy."""
    administration = _("The administration")

    def clean(event) -> str:
        return event.text if for_submitter else localise(event.public_text)

    items = []
    for event in events:
        kind = event.kind
        item = TimelineItem(at=event.created_at, title=str(CaseEvent.Kind(kind).label))
        if kind == CaseEvent.Kind.SUBMITTED:
            item.title = _("Request submitted")
        elif kind == CaseEvent.Kind.STATUS:
            item.title = _("Status: %(status)s") % {"status": _status_label(event.to_status)}
            item.text, item.by = clean(event), administration
        elif kind == CaseEvent.Kind.PUBLIC_REPLY:
            item.title = _("Reply")
            item.text, item.by = clean(event), administration
        elif kind == CaseEvent.Kind.INFO_REQUESTED:
            item.title = _("Information requested")
            item.text, item.by = clean(event), administration
            item.asked_field = field_label(case, event.field_code)
        elif kind == CaseEvent.Kind.INFO_PROVIDED:
            if not for_submitter:
                continue
            item.title = _("Information you provided")
            item.text, item.by = event.text, _("You")
        elif kind == CaseEvent.Kind.WITHDRAWN:
            if for_submitter:
                item.title, item.text, item.by = _("You withdrew the request"), event.text, _("You")
            else:
                item.title = _("Withdrawn by the person who filed it")
        elif kind in (CaseEvent.Kind.DECISION, CaseEvent.Kind.DUPLICATE):
            item.text, item.by = clean(event), administration
        elif kind == CaseEvent.Kind.RATED:
            continue
        if for_submitter:
            item.attachments = list(event.attachments.all())
        items.append(item)
    return items


def _state_filter(qs, state: str):
    """The "open" statuses, still being handled; or one final status, only that one."""
    if state == "open":
        return qs.filter(status__in=sorted(OPEN_STATUSES))
    if state:
        return qs.filter(status=state)
    return qs


def _follower(user, case: Case) -> Follower | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Follower.objects.filter(case=case, user=user).first()


def _refuse(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    """An action that does not apply now: say why on the case page (PRG)."""
    messages.error(request, message)
    return redirect(_my_case_url(case))


def _error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# --- My requests -------------------------------------------------------------------------------


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    form = CaseStateFilterForm(request.GET or None)
    state = form.state_value() if request.GET else ""
    cases = _state_filter(access.cases_of_submitter(request.user), state)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/citizen/my_requests.html",
        {"form": form, "page": page, "state": state, "query": query.urlencode()},
    )


def _render_my_case(
    request: HttpRequest, case: Case, status: int = 200, **forms_given
) -> HttpResponse:
    events = list(access.events_for_submitter(case))
    info_request = None
    if case.status == Status.WAITING_CITIZEN:
        requests_ = [e for e in events if e.kind == CaseEvent.Kind.INFO_REQUESTED]
        info_request = requests_[-1] if requests_ else None
    rating = Rating.objects.filter(case=case).first()
    now = timezone.now()
    context = {
        "case": case,
        "admin": case.administration,
        "answers": answer_rows(case),
        "attachments": list(case.attachments.order_by("created_at", "pk")),
        "timeline": timeline(case, events, for_submitter=True),
        "info_request": info_request,
        "info_field": field_label(case, info_request.field_code) if info_request else "",
        "info_form": forms_given.get("info_form") or ProvideInformationForm(),
        "rating": rating,
        "can_rate": rating is None and case.status in RATEABLE,
        "rating_form": forms_given.get("rating_form") or RatingForm(),
        "overdue": bool(case.is_open and case.resolve_due_at and case.resolve_due_at < now),
        "follower": _follower(request.user, case),
        "public_url": _public_url(case) if case.is_public else "",
    }
    return render(request, "cases/citizen/my_case.html", context, status=status)


@login_required
@require_GET
def my_case(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_submitter(request.user, admin_slug, reference)
    return _render_my_case(request, case)


@login_required
@require_POST
def my_case_information(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_submitter(request.user, admin_slug, reference)
    if case.status != Status.WAITING_CITIZEN:  # no form on the page to show the error on
        return _refuse(request, case, _("Nothing was asked of you on this request."))
    form = ProvideInformationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            citizen_actions.provide_information(
                request.user,
                case,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        except lifecycle.StaleCase:
            form.add_error(None, _("The request changed meanwhile; please try again."))
        else:
            messages.success(request, _("Thank you: your answer was sent to the administration."))
            return redirect(_my_case_url(case))
    return _render_my_case(request, case, status=400, info_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def my_case_withdraw(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_submitter(request.user, admin_slug, reference)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                citizen_actions.withdraw_case(request.user, case, form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_action_errors(exc)
            except lifecycle.StaleCase:
                form.add_error(None, _("The request changed meanwhile; please try again."))
            else:
                messages.success(request, _("Your request was withdrawn."))
                return redirect(_my_case_url(case))
        status = 400
    return render(
        request,
        "cases/citizen/withdraw.html",
        {"case": case, "admin": case.administration, "form": form},
        status=status,
    )


@login_required
@require_POST
def my_case_rate(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_submitter(request.user, admin_slug, reference)
    if case.status not in RATEABLE:  # no form on the page to show the error on
        return _refuse(request, case, _("You can rate a request once it is resolved."))
    if Rating.objects.filter(case=case).exists():
        return _refuse(request, case, _("You have rated this request already."))
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            citizen_actions.rate_case(
                request.user,
                case,
                score=int(form.cleaned_data["score"]),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(_my_case_url(case))
    return _render_my_case(request, case, status=400, rating_form=form)


# --- following ---------------------------------------------------------------------------------


def _back_to(user, case: Case) -> str:
    return _my_case_url(case) if case.submitted_by_id == user.pk else _public_url(case)


@login_required
@require_POST
def case_follow(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_follower(request.user, admin_slug, reference)
    me_too = request.POST.get("me_too") == "1"
    try:
        citizen_actions.follow_case(request.user, case, me_too=me_too)
    except (ValidationError, PermissionDenied) as exc:
        for message in _error_messages(exc) if isinstance(exc, ValidationError) else []:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Thank you: your report was added to this case, and you will receive its updates.")
            if me_too
            else _("You will receive e-mail updates of this case."),
        )
    return redirect(_back_to(request.user, case))


@login_required
@require_POST
def case_unfollow(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_case_for_follower(request.user, admin_slug, reference)
    try:
        citizen_actions.unfollow_case(request.user, case)
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("You no longer receive updates of this case."))
    return redirect(_back_to(request.user, case))


# --- attachments -------------------------------------------------------------------------------


@require_GET
def case_attachment(request: HttpRequest, admin_slug: str, reference: str, pk: int):
    attachment = access.get_attachment(request.user, admin_slug, reference, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    own = attachment.case.submitted_by_id is not None and (
        attachment.case.submitted_by_id == getattr(request.user, "pk", None)
    )
    name = str(attachment) if own else public_name(attachment, case_names(attachment.case))
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=name,
    )
    response["Cache-Control"] = "public, max-age=3600" if attachment.is_public else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the public page ---------------------------------------------------------------------------


def public_name(attachment, names) -> str:
    """An attachment's file name as the public sees it (a file may be named after its owner)."""
    return localise(redact(str(attachment), names))


def public_attachments(case: Case) -> list:
    """The public attachments of `case`, each with `public_name`."""
    attachments = list(case.attachments.filter(is_public=True).order_by("created_at", "pk"))
    names = case_names(case) if attachments else set()
    for attachment in attachments:
        attachment.public_name = public_name(attachment, names)
    return attachments


@require_GET
def case_public(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    case = access.get_public_case(admin_slug, reference)
    follower = _follower(request.user, case)
    place = ""
    if case.lat is not None and case.lon is not None:
        place = f"{case.lat:.3f}, {case.lon:.3f}"
    original = None
    if case.duplicate_of_id and case.duplicate_of.is_public:
        original = case.duplicate_of
    return render(
        request,
        "cases/citizen/public.html",
        {
            "case": case,
            "admin": case.administration,
            "description": localise(case.public_description),
            "address": localise(case.public_address),
            "place": place,
            "timeline": timeline(case, access.public_events(case), for_submitter=False),
            "attachments": public_attachments(case),
            "follower": follower,
            "is_submitter": request.user.is_authenticated
            and case.submitted_by_id == request.user.pk,
            "original": original,
            "login_url": reverse("login") + "?next=" + _public_url(case),
        },
    )
