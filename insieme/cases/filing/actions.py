"""Filing: a report or an application, online, by a machine client (Open311, the REST API) or
at a counter on a citizen's behalf, passed as one typed `Filing`.

Web views, the API, Open311 and the demo's small paths call `submit_case`: it validates, writes
in one transaction, appends an audit entry and notifies on commit. ValidationError (with field
errors) means nothing was written. The demo's bulk loader is the one exception: it writes rows in
bulk for a year of history and says so.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases import tracking
from insieme.cases.handling.assignment import (
    auto_assign,
    route,
)
from insieme.cases.lifecycle import (
    MAX_DESCRIPTION,
    allocate_references,
    format_reference,
    publish,
    record_event,
    save_attachments,
    sla_due_dates,
    tracking_context,
)
from insieme.cases.matching.signatures import case_signature
from insieme.cases.models import (
    Case,
    CaseEvent,
    Follower,
    Status,
    grid_cell,
)
from insieme.cases.redact import filer_names, redact
from insieme.catalog.forms import citizen_field_name, citizen_form_for
from insieme.catalog.models import Service, ServiceKind
from insieme.core import audit, notify
from insieme.core.access import has_perm
from insieme.core.geo import contains
from insieme.core.models import ApiKey, User
from insieme.core.permissions import Perm
from insieme.core.uploads import CleanFile, clean_uploads


def _jsonable_answers(answers: dict) -> dict:
    out = {}
    for code, value in answers.items():
        if isinstance(value, decimal.Decimal):
            value = format(value.normalize(), "f")
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        out[code] = value
    return out


def validate_answers(service: Service, answers: dict) -> dict:
    """Check answers (keyed by question code) with the service's citizen form; return the
    JSON-ready validated answers or raise ValidationError keyed by question code."""
    form = citizen_form_for(service)
    data: dict = {}
    for attribute in form.attributes:
        if attribute.code in answers:
            data[citizen_field_name(attribute)] = answers[attribute.code]
    bound = citizen_form_for(service, data=_QueryLike(data))
    if not bound.is_valid():
        errors = {}
        for attribute in bound.attributes:
            name = citizen_field_name(attribute)
            if name in bound.errors:
                errors[attribute.code] = bound.errors[name]
        raise ValidationError(errors or bound.non_field_errors())
    return _jsonable_answers(bound.answers())


class _QueryLike(dict):
    """A dict that answers getlist() like a QueryDict, for list questions."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list | tuple) else [value]


@dataclass(frozen=True)
class Filing:
    """One filing as it arrives from any channel: the web form, assisted digital, Open311, the
    REST API or the demo. `submit_case` checks every field; nothing here is trusted yet."""

    service: Service
    _: KW_ONLY
    answers: dict | None = None  # keyed by question code
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    channel: str = "web"
    form_seconds: int | None = None  # how long the filer took (the Scorecard's burden)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    attachments: Iterable = ()  # uploaded files, cleaned before the transaction
    idempotency_key: str = ""
    on_behalf_of: User | None = None  # assisted digital: the citizen with an account
    assisted: bool = False
    consent_noted: bool = False  # assisted digital: the citizen agreed
    language: str = "it"
    # The API key a machine client filed with (Open311, the REST API), recorded as the audit
    # entry's actor when there is no person (`actor` None).
    via: ApiKey | None = None


def submit_case(actor, filing: Filing) -> tuple[Case, bool]:
    """File a report or an application. Returns (case, created).

    `actor` is who files: the person signed in, an officer filing on someone's behalf, or None
    (an anonymous filer, a machine client). With `filing.idempotency_key`, a retried submission
    returns the case the first one created (created=False) instead of filing twice. Assisted
    digital (`filing.assisted`, implied by `filing.on_behalf_of`): `actor` is an officer
    (CASE_ASSIST) filing at a counter or on the phone for the citizen `on_behalf_of`, or, for
    someone without an account, None and their name in `contact_name`; the officer is recorded
    as `filed_by` and the citizen's consent must be noted.
    """
    service = filing.service
    description = filing.description
    address = filing.address
    assisted = filing.assisted or filing.on_behalf_of is not None
    if assisted:
        if not has_perm(actor, Perm.CASE_ASSIST, service.administration_id):
            raise PermissionDenied
        submitter = filing.on_behalf_of
    else:
        submitter = actor if getattr(actor, "is_authenticated", False) else None
    if filing.idempotency_key:
        existing = Case.objects.filter(
            administration_id=service.administration_id, idempotency_key=filing.idempotency_key
        ).first()
        if existing is not None:
            # A key answers only its own filer: someone else's key never reveals their case.
            if existing.submitted_by_id != getattr(submitter, "pk", None):
                raise ValidationError(_("This form was already sent. Open the form again."))
            return existing, False
    errors: dict[str, list] = {}
    if service.status != Service.Status.PUBLISHED:
        raise ValidationError(_("This service does not accept requests."))
    if filing.channel not in service.channels and not (
        filing.channel == "web" and "app" in service.channels
    ):
        errors.setdefault("channel", []).append(_("This service is not offered on that channel."))
    if submitter is None and not service.anonymous_allowed and not assisted:
        errors.setdefault("__all__", []).append(_("Log in to file this request."))
    if assisted and submitter is None and not filing.contact_name.strip():
        errors.setdefault("contact_name", []).append(_("Give the citizen's name."))
    if assisted and not filing.consent_noted:
        errors.setdefault("consent_noted", []).append(
            _("Note that the citizen consented to filing on their behalf.")
        )
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("Keep the description within %(n)d characters.") % {"n": MAX_DESCRIPTION}
        )
    if service.kind == ServiceKind.REPORT and not description and not filing.answers:
        errors.setdefault("description", []).append(_("Describe the problem."))
    if (filing.lat is None) != (filing.lon is None):
        errors.setdefault("location", []).append(_("Give both latitude and longitude."))
    elif filing.lat is not None:
        if not (-90 <= filing.lat <= 90 and -180 <= filing.lon <= 180):
            errors.setdefault("location", []).append(_("That is not a valid position."))
        elif not contains(service.administration.boundary, filing.lat, filing.lon):
            errors.setdefault("location", []).append(
                _(
                    "This place is outside %(admin)s. Choose a place within its territory, or file "
                    "with the administration responsible for it."
                )
                % {"admin": service.administration.display_name}
            )
    if service.located and filing.lat is None and not address.strip():
        errors.setdefault("location", []).append(
            _("Show the place on the map or write its address.")
        )
    try:
        clean_answers = validate_answers(service, filing.answers or {})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        clean_answers = {}
    cleaned_files: list[CleanFile] = []
    if not errors:  # files are checked (decoded, rewritten) only for a filing that can succeed
        try:
            cleaned_files = clean_uploads(filing.attachments)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    ack_due, resolve_due = sla_due_dates(service, now)
    row, col = grid_cell(filing.lat, filing.lon) if filing.lat is not None else (None, None)
    address = address.strip()[:300]
    names = filer_names(submitter, filing.contact_name.strip())
    case = Case(
        administration_id=service.administration_id,
        service=service,
        kind=service.kind,
        is_public=service.kind == ServiceKind.REPORT,
        title=service.name,
        description=description,
        public_description=redact(description, names),
        answers=clean_answers,
        lat=filing.lat,
        lon=filing.lon,
        cell_row=row,
        cell_col=col,
        match_grams=case_signature(service.name, description) if filing.lat is not None else b"",
        address=address,
        public_address=redact(address, names),
        channel=filing.channel,
        form_seconds=filing.form_seconds,
        language=filing.language[:8],
        submitted_by=submitter,
        filed_by=actor if assisted else None,
        consent_noted=filing.consent_noted,
        contact_name=filing.contact_name.strip()[:200],
        contact_email=filing.contact_email.strip(),
        contact_phone=filing.contact_phone.strip()[:40],
        idempotency_key=filing.idempotency_key[:80],
        # Without an account, the filer follows the case through a private link.
        tracking_nonce=tracking.new_nonce() if submitter is None else None,
        submitted_at=now,
        updated_at=now,
        acknowledge_due_at=ack_due,
        resolve_due_at=resolve_due,
    )
    try:
        with transaction.atomic():
            number = allocate_references(service.administration_id, now.year)
            case.reference = format_reference(now.year, number)
            case.full_clean(
                exclude=[
                    "service",
                    "administration",
                    "submitted_by",
                    "filed_by",
                    "duplicate_of",
                    "decision_provision",
                ]
            )
            case.department = route(case)
            case.save()
            event = record_event(
                case,
                CaseEvent.Kind.SUBMITTED,
                actor,
                to_status=Status.SUBMITTED,
                data={"channel": filing.channel},
                at=now,
            )
            save_attachments(case, cleaned_files, actor, event, public=False)
            if submitter is not None:
                Follower.objects.create(case=case, user=submitter, created_at=now)
            audit.record(
                actor=actor if actor is not None else filing.via,
                action="case.submit",
                obj=case,
                after={
                    "reference": case.reference,
                    "service": service.code,
                    "channel": filing.channel,
                    "status": case.status,
                },
                administration=service.administration,
            )
            if submitter is not None:
                notify.send_templated_email(submitter, "case_submitted", {"case": case})
            elif case.contact_email:
                notify.send_templated_email(
                    case.contact_email,
                    "case_submitted",
                    {"case": case, **tracking_context(case)},
                    language=filing.language,
                )
            auto_assign(case)
            publish("case.created", case, text=case.public_description)
    except IntegrityError:
        if filing.idempotency_key:  # a concurrent retry won the race
            return Case.objects.get(
                administration_id=service.administration_id, idempotency_key=filing.idempotency_key
            ), False
        raise
    return case, True
