"""Filing a request online: the form, the duplicate check, "me too", and the confirmation.

Every write goes through an action (filing.actions.submit_case, citizen.actions.follow_case). The
filed references are remembered in the session: only the person who filed may see the confirmation
page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.citizen.views_tracking import keep_private, tracking_url_for
from insieme.cases.filing import actions as filing_actions
from insieme.cases.filing.forms import FilingForm, form_seconds
from insieme.cases.matching import signatures as matching
from insieme.cases.models import Case
from insieme.cases.redact import localise
from insieme.catalog.forms import citizen_field_name, citizen_form_for
from insieme.catalog.models import Datatype, Service, ServiceKind
from insieme.catalog.sla import describe_day_type, describe_sla
from insieme.core.geo import GeometryError, contains
from insieme.core.registry import prefill_hints, prefill_offer, prefill_record

SESSION_FILED = "insieme_filed_cases"
SESSION_FOLLOWED = "insieme_followed_cases"
EXCERPT_CHARS = 160


def _service(admin_slug: str, code: str) -> Service:
    return get_object_or_404(
        Service.objects.filter(status=Service.Status.PUBLISHED)
        .select_related("administration")
        .prefetch_related("attributes"),
        administration__slug=admin_slug,
        code=code,
    )


def _offered_on_web(service: Service) -> bool:
    return "web" in service.channels or "app" in service.channels


def _remember(request: HttpRequest, key: str, case: Case) -> None:
    seen = list(request.session.get(key, []))
    entry = f"{case.administration.slug}/{case.reference}"
    if entry not in seen:
        seen = [*seen, entry][-50:]
    request.session[key] = seen


def _try_reverse(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def answers_from_post(service: Service, data) -> dict:
    """Raw answers keyed by question code (lists for several-choice questions)."""
    answers: dict = {}
    for attribute in service.attributes.all():
        if not attribute.variable:
            continue
        name = citizen_field_name(attribute)
        if attribute.datatype == Datatype.MULTIVALUELIST:
            values = data.getlist(name)
            if values:
                answers[attribute.code] = values
        elif data.get(name, "") != "":
            answers[attribute.code] = data.get(name)
    return answers


def _last_addresses(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    seen: list[str] = []
    for address in (
        Case.objects.filter(submitted_by=user)
        .exclude(address="")
        .order_by("-submitted_at")
        .values_list("address", flat=True)[:20]
    ):
        if address not in seen:
            seen.append(address)
        if len(seen) == 3:
            break
    return seen


def put_action_errors(exc: ValidationError, form: FilingForm, citizen) -> None:
    """Each of the action's errors next to its field: question codes on the questions,
    'location' in the location block, the rest on the filing form or at its top."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    codes = {a.code: citizen_field_name(a) for a in citizen.attributes if a.variable}
    for key, error_list in errors.items():
        messages_ = [m for e in error_list for m in e.messages]
        if key in codes:
            name = codes[key]
            if not citizen.errors.get(name):
                citizen.add_error(name, messages_)
        elif key == "location":
            form.location_errors.extend(m for m in messages_ if m not in form.location_errors)
        elif (
            key in ("description", "attachments")
            or key in form.fields
            and key
            not in (
                "token",
                "started",
                "checked",
            )
        ):
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)


def _duplicates(service: Service, form: FilingForm) -> list[dict]:
    data = form.cleaned_data
    lat, lon = data.get("lat"), data.get("lon")
    if lat is None or lon is None:
        return []
    found = matching.find_duplicates(service, lat, lon, data.get("description") or "")
    return [
        {
            "reference": m.case.reference,
            "admin_slug": service.administration.slug,
            "service": m.case.service.i18n.name,
            "status": m.case.get_status_display(),
            "distance": round(m.distance_m),
            "excerpt": Truncator(localise(m.case.public_description)).chars(EXCERPT_CHARS),
        }
        for m in found
    ]


def _prefilled_location(service: Service, query) -> dict:
    """Initial lat, lon and address from the query string (the map page links here with them),
    parsed by the form's own fields; a place outside the administration is left out."""
    if not service.located or not any(query.get(k) for k in ("lat", "lon", "address")):
        return {}
    probe = FilingForm({k: query.get(k, "") for k in ("lat", "lon", "address")})
    probe.is_valid()
    data, initial = probe.cleaned_data, {}
    lat, lon = data.get("lat"), data.get("lon")
    if lat is not None and lon is not None:
        try:
            inside = contains(service.administration.boundary, lat, lon)
        except GeometryError:
            inside = False
        if inside:
            initial.update(lat=lat, lon=lon)
    if data.get("address"):
        initial["address"] = data["address"]
    return initial


def _render(request, service, form, citizen, *, duplicates=(), status=200) -> HttpResponse:
    user = request.user
    last_addresses = _last_addresses(user)
    prefill_hints(request, service, form, citizen)
    if last_addresses and "address" in form.fields:
        form.fields["address"].widget.attrs["list"] = "last-addresses"
    return render(
        request,
        "cases/filing/file.html",
        {
            "service": service,
            "admin": service.administration,
            "form": form,
            "citizen_form": citizen,
            "duplicates": list(duplicates),
            "has_errors": bool(form.errors or citizen.errors or form.location_errors),
            "signed_in": user.is_authenticated,
            "last_addresses": last_addresses,
            "boundary": service.administration.boundary or None,
            "tile_url": settings.INSIEME_TILE_URL,
            "tile_attribution": settings.INSIEME_TILE_ATTRIBUTION,
            "sla_text": describe_sla(service),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def case_file(request: HttpRequest, admin_slug: str, code: str) -> HttpResponse:
    service = _service(admin_slug, code)
    if not _offered_on_web(service):
        raise Http404
    user = request.user
    if not user.is_authenticated and not service.anonymous_allowed:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        initial = prefill_offer(request, service)  # contact details and what else is known
        initial.update(_prefilled_location(service, request.GET))
        form = FilingForm(
            initial=initial, located=service.located, administration=service.administration
        )
        return _render(request, service, form, citizen_form_for(service, initial=initial))

    form = FilingForm(
        request.POST,
        request.FILES,
        located=service.located,
        administration=service.administration,
    )
    citizen = citizen_form_for(service, data=request.POST)
    citizen.is_valid()  # the same checks the action runs, for errors next to each question
    if not form.is_complete() or citizen.errors:
        return _render(request, service, form, citizen, status=400)
    data = form.cleaned_data
    if (
        service.located
        and service.kind == ServiceKind.REPORT
        and not data.get("checked")
        and not Case.objects.filter(
            administration_id=service.administration_id, idempotency_key=data["token"]
        ).exists()
    ):
        duplicates = _duplicates(service, form)
        if duplicates:
            form = FilingForm(
                {**request.POST.dict(), "checked": "on"},
                located=service.located,
                administration=service.administration,
            )  # the next submission files for real
            form.is_valid()
            return _render(request, service, form, citizen, duplicates=duplicates)
    try:
        case, _created = filing_actions.submit_case(
            user,
            filing_actions.Filing(
                service,
                answers=answers_from_post(service, request.POST),
                description=data.get("description", ""),
                lat=data.get("lat"),
                lon=data.get("lon"),
                address=data.get("address", ""),
                channel="web",
                form_seconds=form_seconds(data.get("started", "")),
                contact_name=data.get("contact_name", ""),
                contact_email=data.get("contact_email", ""),
                contact_phone=data.get("contact_phone", ""),
                attachments=request.FILES.getlist("attachments"),
                idempotency_key=data.get("token", ""),
                language=getattr(request, "LANGUAGE_CODE", "it"),
            ),
        )
    except ValidationError as exc:
        put_action_errors(exc, form, citizen)
        return _render(request, service, form, citizen, status=400)
    _remember(request, SESSION_FILED, case)
    prefill_record(request, service, case)
    return redirect(
        "case_filed",
        admin_slug=service.administration.slug,
        code=service.code,
        reference=case.reference,
    )


@require_POST
def case_me_too(request: HttpRequest, admin_slug: str, code: str, reference: str) -> HttpResponse:
    service = _service(admin_slug, code)
    file_url = reverse("case_file", args=[admin_slug, code])
    if not request.user.is_authenticated:
        return redirect_to_login(file_url)
    case = get_object_or_404(
        Case.objects.select_related("administration", "service"),
        administration__slug=admin_slug,
        reference=reference,
        is_public=True,
    )
    try:
        citizen_actions.follow_case(request.user, case, me_too=True)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(getattr(exc, "messages", [])) or _("You cannot follow this request.")
        messages.error(request, text)
        return redirect(file_url)
    messages.success(
        request,
        _("You are following %(ref)s: you will receive its updates.") % {"ref": case.reference},
    )
    public = _try_reverse("case_public", admin_slug, reference)
    if public:
        return redirect(public)
    _remember(request, SESSION_FOLLOWED, case)
    return redirect("case_followed", admin_slug=admin_slug, code=service.code, reference=reference)


def _session_case(request, key: str, admin_slug: str, code: str, reference: str) -> Case:
    if f"{admin_slug}/{reference}" not in request.session.get(key, []):
        raise Http404
    return get_object_or_404(
        Case.objects.select_related("administration", "service"),
        administration__slug=admin_slug,
        service__code=code,
        reference=reference,
    )


def case_filed(request: HttpRequest, admin_slug: str, code: str, reference: str) -> HttpResponse:
    case = _session_case(request, SESSION_FILED, admin_slug, code, reference)
    service = case.service
    own = request.user.is_authenticated and case.submitted_by_id == request.user.pk
    # Without an account, the private link to follow the case (shown to this session only).
    private_url = tracking_url_for(request, case) if case.submitted_by_id is None else ""
    response = render(
        request,
        "cases/filing/filed.html",
        {
            "private_url": private_url,
            "case": case,
            "service": service,
            "admin": case.administration,
            "sla_text": describe_sla(service),
            "day_type_text": describe_day_type(service.sla_day_type),
            "tracking_url": _try_reverse("my_case", admin_slug, reference) if own else None,
            "signed_in_filer": own,
            "public_url": _try_reverse("case_public", admin_slug, reference)
            if case.is_public
            else None,
        },
    )
    return keep_private(response) if private_url else response


def case_followed(request: HttpRequest, admin_slug: str, code: str, reference: str) -> HttpResponse:
    """Where "me too" lands until the public case page exists."""
    case = _session_case(request, SESSION_FOLLOWED, admin_slug, code, reference)
    return render(
        request,
        "cases/filing/followed.html",
        {"case": case, "service": case.service, "admin": case.administration},
    )
