"""The private tracking page of a filer without an account: ``/track/<token>/`` (see
``insieme.cases.tracking``), the same timeline a signed-in filer sees on "My requests", with the
form to answer a request for information and their attachments.

The link is the only key, so the pages that carry it are never cached (``no-store``), never
named to another site (``Referrer-Policy: no-referrer``) and never indexed. A wrong link is a
404 like any missing page; an address that keeps trying wrong links is slowed down (429).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.cases import access, lifecycle, tracking
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.citizen.forms import ProvideInformationForm
from insieme.cases.citizen.views import answer_rows, field_label, timeline
from insieme.cases.models import Case, CaseEvent, Status
from insieme.core.throttle import Rate, SlidingWindow, client_address
from insieme.core.views_errors import too_many_requests

# Wrong tracking links per client address (the login throttle's limit and window).
WRONG_LINKS = SlidingWindow("tracking-wrong-link")


def _wrong_link_rate() -> Rate:
    return Rate(settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_WINDOW)


PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def keep_private(response: HttpResponse) -> HttpResponse:
    """Headers for a page that carries a private link."""
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    return response


def tracked(view):
    """Resolve the token to its case (404 for a wrong one, 429 after too many wrong ones from
    one address) and mark the answer private."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        address, rate = client_address(request), _wrong_link_rate()
        if WRONG_LINKS.count(address, rate) >= rate.limit:
            # At most a window's wait (the sliding window frees slots sooner, slice by slice).
            return keep_private(too_many_requests(request, rate.window))
        try:
            case = access.get_case_for_tracking(token)
        except Http404:
            WRONG_LINKS.acquire(address, rate)
            raise
        return keep_private(view(request, case, token, *args, **kwargs))

    return wrapper


def _render(request: HttpRequest, case: Case, token: str, status: int = 200, info_form=None):
    events = list(access.events_for_submitter(case))
    info_request = None
    if case.status == Status.WAITING_CITIZEN:
        asked = [e for e in events if e.kind == CaseEvent.Kind.INFO_REQUESTED]
        info_request = asked[-1] if asked else None
    now = timezone.now()
    context = {
        "case": case,
        "admin": case.administration,
        "tracking_token": token,
        "answers": answer_rows(case),
        "attachments": list(case.attachments.order_by("created_at", "pk")),
        "timeline": timeline(case, events, for_submitter=True),
        "info_request": info_request,
        "info_field": field_label(case, info_request.field_code) if info_request else "",
        "info_form": info_form or ProvideInformationForm(),
        "overdue": bool(case.is_open and case.resolve_due_at and case.resolve_due_at < now),
        "public_url": reverse("case_public", args=[case.administration.slug, case.reference])
        if case.is_public
        else "",
    }
    return render(request, "cases/citizen/tracked.html", context, status=status)


@require_GET
@tracked
def tracked_case(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    return _render(request, case, token)


@require_POST
@tracked
def tracked_case_information(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = ProvideInformationForm(request.POST, request.FILES)
    if case.status != Status.WAITING_CITIZEN:
        form.add_error(None, _("Nothing was asked of you on this request."))
    elif form.is_valid():
        try:
            citizen_actions.provide_information(
                request.user,
                case,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
                by_tracking_link=True,
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        except lifecycle.StaleCase:
            form.add_error(None, _("The request changed meanwhile; please try again."))
        else:
            messages.success(request, _("Thank you: your answer was sent to the administration."))
            return redirect("case_tracking", token=token)
    return _render(request, case, token, status=400, info_form=form)


@require_GET
@tracked
def tracked_case_attachment(request: HttpRequest, case: Case, token: str, pk: int):
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=str(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tracking_url_for(request: HttpRequest, case: Case) -> str:
    """The full private link, to show the filer once they have filed."""
    path = tracking.tracking_path(case)
    return request.build_absolute_uri(path) if path else ""
