"""Assisted digital: an officer at a counter or on the phone files a request on a citizen's
behalf, through the same form the citizen fills online (`citizen_form_for` for the service's
questions, `FilingForm` for description, place, files and contact), recorded with its channel
and the citizen's consent (actions.submit_case with on_behalf_of and consent_noted).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from insieme.cases import access
from insieme.cases.filing import actions as filing_actions
from insieme.cases.filing.forms import FilingForm
from insieme.cases.filing.views import answers_from_post, put_action_errors
from insieme.cases.models import Case, Channel
from insieme.cases.setup.views_workload import case_url
from insieme.catalog.forms import citizen_form_for, style_widgets
from insieme.catalog.models import Service
from insieme.catalog.sla import describe_sla
from insieme.core.access import get_administration_for_user
from insieme.core.models import User
from insieme.core.permissions import Perm
from insieme.core.safe_input import CheckedInputMixin

ASSISTED_CHANNELS = (Channel.COUNTER, Channel.PHONE)
SESSION_ASSISTED = "insieme_assisted_cases"
# The action's error keys that belong to this screen's own form rather than the filing form.
OWN_KEYS = ("channel", "consent_noted")


class AssistedForm(CheckedInputMixin, forms.Form):
    """Who the request is for, how they reached us, and their consent."""

    citizen_email = forms.EmailField(
        label=gettext_lazy("The citizen's account e-mail"),
        required=False,
        help_text=gettext_lazy(
            "If the citizen has an account: the request will appear among theirs. Leave it empty "
            "for someone without an account and write their name and contact below."
        ),
        error_messages={"invalid": gettext_lazy("Write a valid e-mail address.")},
    )
    channel = forms.ChoiceField(label=gettext_lazy("How the citizen reached you"))
    consent_noted = forms.BooleanField(
        label=gettext_lazy("The citizen consented to my filing on their behalf"),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Ask the citizen first: nothing is filed on their behalf without their consent."
            )
        },
    )

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in channels]
        self.fields["channel"].widget = forms.RadioSelect(choices=self.fields["channel"].choices)
        if len(channels) == 1:
            self.initial.setdefault("channel", channels[0])
        self.citizen: User | None = None
        style_widgets(self)

    def clean_citizen_email(self) -> str:
        email = (self.cleaned_data.get("citizen_email") or "").strip().lower()
        if email:
            self.citizen = User.objects.filter(email=email, is_active=True).first()
            if self.citizen is None:
                raise forms.ValidationError(
                    _(
                        "Nobody has an account with this e-mail address: leave it empty and "
                        "write the citizen's name and contact below."
                    )
                )
        return email


def _assisted_channels(service: Service) -> list[str]:
    return [c for c in ASSISTED_CHANNELS if c in service.channels]


def _service(admin, code: str) -> Service:
    service = get_object_or_404(
        Service.objects.filter(administration=admin, status=Service.Status.PUBLISHED)
        .select_related("administration")
        .prefetch_related("attributes"),
        code=code,
    )
    if not _assisted_channels(service):
        raise Http404
    return service


@login_required
@require_GET
def choose_service(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_ASSIST)
    services = [
        s
        for s in Service.objects.filter(
            administration=admin, status=Service.Status.PUBLISHED
        ).order_by("group", "name")
        if _assisted_channels(s)
    ]
    return render(
        request, "cases/staff/assisted.html", {"administration": admin, "services": services}
    )


def _put_errors(exc: ValidationError, assist: AssistedForm, form: FilingForm, citizen) -> None:
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    rest = {}
    for key, error_list in errors.items():
        if key in OWN_KEYS:
            assist.add_error(key, [m for e in error_list for m in e.messages])
        else:
            rest[key] = error_list
    if rest:
        put_action_errors(ValidationError(rest), form, citizen)


def _render(request, admin, service, assist, form, citizen, status=200) -> HttpResponse:
    return render(
        request,
        "cases/staff/assisted_file.html",
        {
            "administration": admin,
            "service": service,
            "assist": assist,
            "form": form,
            "citizen_form": citizen,
            "has_errors": bool(
                assist.errors or form.errors or citizen.errors or form.location_errors
            ),
            "boundary": admin.boundary or None,
            "tile_url": settings.INSIEME_TILE_URL,
            "tile_attribution": settings.INSIEME_TILE_ATTRIBUTION,
            "sla_text": describe_sla(service),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_for_citizen(request: HttpRequest, admin_slug: str, code: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_ASSIST)
    service = _service(admin, code)
    channels = _assisted_channels(service)
    if request.method == "GET":
        return _render(
            request,
            admin,
            service,
            AssistedForm(channels=channels),
            FilingForm(located=service.located, administration=admin),
            citizen_form_for(service),
        )
    assist = AssistedForm(request.POST, channels=channels)
    form = FilingForm(request.POST, request.FILES, located=service.located, administration=admin)
    citizen = citizen_form_for(service, data=request.POST)
    assist_ok, form_ok, citizen_ok = assist.is_valid(), form.is_complete(), citizen.is_valid()
    data = form.cleaned_data
    person = assist.citizen
    if assist_ok and person is None and not (data.get("contact_name") or "").strip():
        form.add_error(
            "contact_name",
            _("Write the citizen's name, or give the e-mail of their account above."),
        )
        form_ok = False
    if not (assist_ok and form_ok and citizen_ok):
        return _render(request, admin, service, assist, form, citizen, status=400)
    try:
        case, _created = filing_actions.submit_case(
            request.user,
            filing_actions.Filing(
                service,
                answers=answers_from_post(service, request.POST),
                description=data.get("description", ""),
                lat=data.get("lat"),
                lon=data.get("lon"),
                address=data.get("address", ""),
                channel=assist.cleaned_data["channel"],
                # The officer's typing time is not the citizen's: left out of time-to-complete.
                form_seconds=None,
                contact_name=data.get("contact_name") or (person.full_name if person else ""),
                contact_email=data.get("contact_email") or (person.email if person else ""),
                contact_phone=data.get("contact_phone") or (person.phone if person else ""),
                attachments=request.FILES.getlist("attachments"),
                idempotency_key=data.get("token", ""),
                on_behalf_of=person,
                assisted=True,
                consent_noted=assist.cleaned_data["consent_noted"],
                language=person.preferred_language
                if person
                else getattr(request, "LANGUAGE_CODE", "it"),
            ),
        )
    except ValidationError as exc:
        _put_errors(exc, assist, form, citizen)
        return _render(request, admin, service, assist, form, citizen, status=400)
    seen = list(request.session.get(SESSION_ASSISTED, []))
    entry = f"{admin.slug}/{case.reference}"
    if entry not in seen:
        request.session[SESSION_ASSISTED] = [*seen, entry][-50:]
    return redirect(
        "staff_filed_for_citizen",
        admin_slug=admin.slug,
        code=service.code,
        reference=case.reference,
    )


@login_required
@require_GET
def filed_for_citizen(
    request: HttpRequest, admin_slug: str, code: str, reference: str
) -> HttpResponse:
    """The reference to read out to the citizen; only for the officer who just filed it."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_ASSIST)
    if f"{admin.slug}/{reference}" not in request.session.get(SESSION_ASSISTED, []):
        raise Http404
    case = get_object_or_404(
        Case.objects.select_related("service", "submitted_by", "department", "administration"),
        administration=admin,
        service__code=code,
        reference=reference,
    )
    return render(
        request,
        "cases/staff/assisted_filed.html",
        {
            "administration": admin,
            "case": case,
            "service": case.service,
            "sla_text": describe_sla(case.service),
            # Only for someone who may open it: a case routed to another department is not
            # the officer's to read, and the link would lead to a 404.
            "staff_url": case_url(admin.slug, case.reference)
            if access.can_see_case(request.user, case)
            else "",
        },
    )
