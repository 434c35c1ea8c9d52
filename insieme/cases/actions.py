"""The one write path of cases: citizens' filing and follow-up, staff replies and status changes.

Web views, the API, Open311 and the demo's small paths call these; each validates, writes in one
transaction, appends an audit entry and notifies on commit. ValidationError (with field errors)
means nothing was written. The demo's bulk loader is the one exception: it writes rows in bulk
for a year of history and says so.
"""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases.matching import case_signature
from insieme.cases.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Attachment,
    Case,
    CaseEvent,
    Follower,
    Rating,
    ReferenceCounter,
    Status,
    grid_cell,
)
from insieme.cases.uploads import clean_uploads
from insieme.catalog.forms import citizen_field_name, citizen_form_for
from insieme.catalog.models import Service, ServiceKind
from insieme.catalog.sla import due_date
from insieme.core import audit, notify
from insieme.core.geo import contains

MAX_DESCRIPTION = 4000


class StaleCase(Exception):
    """The case changed since the actor loaded it (optimistic concurrency)."""


# --- helpers -----------------------------------------------------------------------------------


def _jsonable_answers(answers: dict) -> dict:
    out = {}
    for code, value in answers.items():
        if isinstance(value, decimal.Decimal):
            value = format(value.normalize(), "f")
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        out[code] = value
    return out


def allocate_references(admin_id: int, year: int, count: int = 1) -> int:
    """Reserve `count` consecutive numbers for (administration, year); returns the first.

    Call inside a transaction: the counter row stays locked until it commits, so two filings
    never share a number.
    """
    ReferenceCounter.objects.get_or_create(administration_id=admin_id, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(
        administration_id=admin_id, year=year
    )
    first = counter.last + 1
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=counter.last + count)
    return first


def format_reference(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


def _holidays(service: Service) -> frozenset:
    return frozenset(service.administration.holidays.values_list("date", flat=True))


def sla_due_dates(service: Service, start: dt.datetime, holidays=None) -> tuple:
    """(acknowledge due, resolve due) for a case of `service` filed at `start`."""
    holidays = _holidays(service) if holidays is None else holidays
    tz = zoneinfo.ZoneInfo(service.administration.timezone)
    return (
        due_date(start, service.sla_acknowledge_days, service.sla_day_type, holidays, tz),
        due_date(start, service.sla_resolve_days, service.sla_day_type, holidays, tz),
    )


def _event(
    case: Case,
    kind: str,
    actor,
    *,
    public: bool = True,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
    field_code: str = "",
    data: dict | None = None,
    at=None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        is_public=public,
        text=text,
        from_status=from_status,
        to_status=to_status,
        field_code=field_code,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _save_attachments(case: Case, files, actor, event: CaseEvent | None, public: bool) -> int:
    cleaned = clean_uploads(files)
    now = timezone.now()
    for item in cleaned:
        Attachment.objects.create(
            case=case,
            event=event,
            file=item.content,
            content_type=item.content_type,
            size=item.content.size,
            original_name=item.original_name,
            is_public=public,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
    return len(cleaned)


def _notify_followers(case: Case, template: str, context: dict, exclude=None) -> None:
    """E-mail every follower (and an anonymous filer's address) on commit."""
    recipients = [
        f.user
        for f in case.followers.select_related("user")
        if f.user.is_active
        and f.user.contact_channel != "none"
        and (exclude is None or f.user_id != exclude.pk)
    ]
    for user in recipients:
        notify.send_templated_email(user, template, {"case": case, **context})
    if case.submitted_by_id is None and case.contact_email:
        notify.send_templated_email(
            case.contact_email, template, {"case": case, **context}, language=case.language
        )


# --- filing ------------------------------------------------------------------------------------


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


def submit_case(
    actor,
    service: Service,
    *,
    answers: dict | None = None,
    description: str = "",
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    channel: str = "web",
    form_seconds: int | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    attachments: Iterable = (),
    idempotency_key: str = "",
    on_behalf_of=None,
    consent_noted: bool = False,
    language: str = "it",
) -> tuple[Case, bool]:
    """File a report or an application. Returns (case, created).

    With an `idempotency_key`, a retried submission returns the case the first one created
    (created=False) instead of filing twice. `on_behalf_of` is the citizen an officer files for
    (assisted digital); then `actor` is the officer and consent must be noted.
    """
    submitter = on_behalf_of or (actor if getattr(actor, "is_authenticated", False) else None)
    if idempotency_key:
        existing = Case.objects.filter(
            administration_id=service.administration_id, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            # A key answers only its own filer: someone else's key never reveals their case.
            if existing.submitted_by_id != getattr(submitter, "pk", None):
                raise ValidationError(_("This form was already sent. Open the form again."))
            return existing, False
    errors: dict[str, list] = {}
    if service.status != Service.Status.PUBLISHED:
        raise ValidationError(_("This service does not accept requests."))
    if channel not in service.channels and not (channel == "web" and "app" in service.channels):
        errors.setdefault("channel", []).append(_("This service is not offered on that channel."))
    if submitter is None and not service.anonymous_allowed:
        errors.setdefault("__all__", []).append(_("Log in to file this request."))
    if on_behalf_of is not None and not consent_noted:
        errors.setdefault("consent_noted", []).append(
            _("Note that the citizen consented to filing on their behalf.")
        )
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("Keep the description within %(n)d characters.") % {"n": MAX_DESCRIPTION}
        )
    if service.kind == ServiceKind.REPORT and not description and not answers:
        errors.setdefault("description", []).append(_("Describe the problem."))
    if (lat is None) != (lon is None):
        errors.setdefault("location", []).append(_("Give both latitude and longitude."))
    elif lat is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            errors.setdefault("location", []).append(_("That is not a valid position."))
        elif not contains(service.administration.boundary, lat, lon):
            errors.setdefault("location", []).append(
                _(
                    "This place is outside %(admin)s. Choose a place within its territory, or file "
                    "with the administration responsible for it."
                )
                % {"admin": service.administration.display_name}
            )
    if service.located and lat is None and not address.strip():
        errors.setdefault("location", []).append(
            _("Show the place on the map or write its address.")
        )
    try:
        clean_answers = validate_answers(service, answers or {})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        clean_answers = {}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    ack_due, resolve_due = sla_due_dates(service, now)
    row, col = grid_cell(lat, lon) if lat is not None else (None, None)
    case = Case(
        administration_id=service.administration_id,
        service=service,
        kind=service.kind,
        is_public=service.kind == ServiceKind.REPORT,
        title=service.name,
        description=description,
        answers=clean_answers,
        lat=lat,
        lon=lon,
        cell_row=row,
        cell_col=col,
        match_grams=case_signature(service.name, description) if lat is not None else b"",
        address=address.strip()[:300],
        channel=channel,
        form_seconds=form_seconds,
        language=language[:8],
        submitted_by=submitter,
        filed_by=actor if on_behalf_of is not None else None,
        consent_noted=consent_noted,
        contact_name=contact_name.strip()[:200],
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip()[:40],
        idempotency_key=idempotency_key[:80],
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
            case.save()
            event = _event(
                case,
                CaseEvent.Kind.SUBMITTED,
                actor,
                to_status=Status.SUBMITTED,
                data={"channel": channel},
                at=now,
            )
            _save_attachments(case, attachments, actor, event, public=False)
            if submitter is not None:
                Follower.objects.create(case=case, user=submitter, created_at=now)
            audit.record(
                actor=actor,
                action="case.submit",
                obj=case,
                after={
                    "reference": case.reference,
                    "service": service.code,
                    "channel": channel,
                    "status": case.status,
                },
                administration=service.administration,
            )
            if submitter is not None:
                notify.send_templated_email(submitter, "case_submitted", {"case": case})
            elif case.contact_email:
                notify.send_templated_email(
                    case.contact_email, "case_submitted", {"case": case}, language=language
                )
    except IntegrityError:
        if idempotency_key:  # a concurrent retry won the race
            return Case.objects.get(
                administration_id=service.administration_id, idempotency_key=idempotency_key
            ), False
        raise
    return case, True


# --- citizens' follow-up ----------------------------------------------------------------------


def follow_case(user, case: Case, *, me_too: bool = False) -> Follower:
    """Follow a case (and with `me_too`, say 'I have this problem too' instead of filing again)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    if me_too and not case.is_open:
        raise ValidationError(_("This case is closed; file a new request if the problem is back."))
    with transaction.atomic():
        follower, created = Follower.objects.get_or_create(
            case=case, user=user, defaults={"me_too": me_too, "created_at": timezone.now()}
        )
        if me_too and (created or not follower.me_too):
            if not created:
                Follower.objects.filter(pk=follower.pk).update(me_too=True)
            _event(case, CaseEvent.Kind.FOLLOWED, None, data={"me_too": True})
            Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
            audit.record(
                actor=user,
                action="case.me_too",
                obj=case,
                after={"me_too": True},
                administration=case.administration,
            )
    return follower


def unfollow_case(user, case: Case) -> None:
    if case.submitted_by_id == user.pk:
        raise ValidationError(_("You filed this request; you keep receiving its updates."))
    Follower.objects.filter(case=case, user=user).delete()


def _require_submitter(user, case: Case) -> None:
    if not getattr(user, "is_authenticated", False) or case.submitted_by_id != user.pk:
        raise PermissionDenied


def _set_status(case: Case, to_status: str, now, expected_version: int | None = None) -> str:
    """Move the case to `to_status` with a version check; returns the status it left."""
    from_status = case.status
    stamps = {"updated_at": now, "status": to_status}
    if to_status == Status.ACKNOWLEDGED and case.acknowledged_at is None:
        stamps["acknowledged_at"] = now
    if to_status == Status.RESOLVED:
        stamps["resolved_at"] = now
    if to_status in (Status.CLOSED, Status.REFUSED, Status.DUPLICATE):
        stamps["closed_at"] = now
        if case.resolved_at is None and to_status != Status.CLOSED:
            stamps["resolved_at"] = now
    qs = Case.objects.filter(pk=case.pk, version=expected_version or case.version)
    if not qs.update(**stamps, version=F("version") + 1):
        raise StaleCase
    for key, value in stamps.items():
        setattr(case, key, value)
    case.version = (expected_version or case.version) + 1
    return from_status


def withdraw_case(user, case: Case, reason: str = "") -> Case:
    """The submitter withdraws an open case: it closes, with the reason on the timeline."""
    _require_submitter(user, case)
    if not case.is_open:
        raise ValidationError(_("Only an open request can be withdrawn."))
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, Status.CLOSED, now)
        _event(
            case,
            CaseEvent.Kind.WITHDRAWN,
            user,
            text=reason.strip()[:2000],
            from_status=from_status,
            to_status=Status.CLOSED,
            at=now,
        )
        audit.record(
            actor=user,
            action="case.withdraw",
            obj=case,
            before={"status": from_status},
            after={"status": Status.CLOSED},
            administration=case.administration,
        )
    return case


def provide_information(user, case: Case, *, text: str = "", attachments: Iterable = ()) -> Case:
    """The submitter answers a request for missing information; the case goes back to work."""
    _require_submitter(user, case)
    if case.status != Status.WAITING_CITIZEN:
        raise ValidationError(_("Nothing was asked of you on this request."))
    text = (text or "").strip()
    files = [f for f in attachments if f]
    if not text and not files:
        raise ValidationError({"text": _("Write the information asked for or attach it.")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            {"text": _("Keep it within %(n)d characters.") % {"n": MAX_DESCRIPTION}}
        )
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, Status.IN_PROGRESS, now)
        event = _event(
            case,
            CaseEvent.Kind.INFO_PROVIDED,
            user,
            public=False,
            text=text,
            from_status=from_status,
            to_status=Status.IN_PROGRESS,
            at=now,
        )
        count = _save_attachments(case, files, user, event, public=False)
        audit.record(
            actor=user,
            action="case.info_provided",
            obj=case,
            after={"status": case.status, "attachments": count},
            administration=case.administration,
        )
    return case


def rate_case(user, case: Case, *, score: int, comment: str = "") -> Rating:
    """The submitter rates the outcome (1–5) once the case is resolved or closed."""
    _require_submitter(user, case)
    if case.status not in (Status.RESOLVED, Status.CLOSED, Status.REFUSED):
        raise ValidationError(_("You can rate a request once it is resolved."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose from 1 to 5.")})
    if len(comment or "") > 2000:
        raise ValidationError({"comment": _("Keep the comment within 2000 characters.")})
    if Rating.objects.filter(case=case).exists():
        raise ValidationError(_("You have rated this request already."))
    now = timezone.now()
    with transaction.atomic():
        rating = Rating.objects.create(
            case=case, user=user, score=score, comment=(comment or "").strip(), created_at=now
        )
        _event(case, CaseEvent.Kind.RATED, user, public=False, data={"score": score}, at=now)
        audit.record(
            actor=user,
            action="case.rate",
            obj=case,
            after={"score": score},
            administration=case.administration,
        )
    return rating


# --- staff actions (the case-handling capability builds its screens on these) -----------------


def change_status(
    actor, case: Case, to_status: str, *, note: str = "", expected_version: int | None = None
) -> Case:
    """Move a case along an allowed transition, with an optional public note."""
    if to_status not in TRANSITIONS.get(case.status, frozenset()):
        raise ValidationError(
            {
                "status": _("A case cannot go from %(a)s to %(b)s.")
                % {
                    "a": Status(case.status).label,
                    "b": Status(to_status).label if to_status in Status.values else to_status,
                }
            }
        )
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, to_status, now, expected_version)
        _event(
            case,
            CaseEvent.Kind.STATUS,
            actor,
            text=note.strip(),
            from_status=from_status,
            to_status=to_status,
            at=now,
        )
        if note.strip() and case.first_public_response_at is None:
            Case.objects.filter(pk=case.pk).update(first_public_response_at=now)
            case.first_public_response_at = now
        audit.record(
            actor=actor,
            action="case.status",
            obj=case,
            before={"status": from_status},
            after={"status": to_status},
            administration=case.administration,
        )
        _notify_followers(case, "case_status", {"from_status": from_status, "note": note})
    return case


def reply(actor, case: Case, text: str, *, public: bool = True) -> CaseEvent:
    """A public reply to the citizen (and the public page, for public cases) or an internal note."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    now = timezone.now()
    with transaction.atomic():
        kind = CaseEvent.Kind.PUBLIC_REPLY if public else CaseEvent.Kind.INTERNAL_NOTE
        event = _event(case, kind, actor, public=public, text=text, at=now)
        updates = {"updated_at": now}
        if public and case.first_public_response_at is None:
            updates["first_public_response_at"] = now
        Case.objects.filter(pk=case.pk).update(**updates)
        for key, value in updates.items():
            setattr(case, key, value)
        audit.record(
            actor=actor,
            action=f"case.{kind}",
            obj=case,
            after={"event": event.pk},
            administration=case.administration,
        )
        if public:
            _notify_followers(case, "case_reply", {"text": text})
    return event


def request_information(actor, case: Case, *, text: str, field_code: str = "") -> CaseEvent:
    """Ask the citizen for missing information, naming the form field (or document) lacking it."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what is missing.")})
    if case.status not in OPEN_STATUSES or case.status == Status.WAITING_CITIZEN:
        raise ValidationError(_("Information can be requested only on a case being handled."))
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, Status.WAITING_CITIZEN, now)
        event = _event(
            case,
            CaseEvent.Kind.INFO_REQUESTED,
            actor,
            text=text,
            field_code=field_code[:60],
            from_status=from_status,
            to_status=Status.WAITING_CITIZEN,
            at=now,
        )
        updates = {"info_requests": F("info_requests") + 1, "complete_at_submission": False}
        if case.first_public_response_at is None:
            updates["first_public_response_at"] = now
        Case.objects.filter(pk=case.pk).update(**updates)
        case.refresh_from_db(
            fields=["info_requests", "complete_at_submission", "first_public_response_at"]
        )
        audit.record(
            actor=actor,
            action="case.info_requested",
            obj=case,
            after={"field": field_code},
            administration=case.administration,
        )
        if case.submitted_by_id:
            notify.send_templated_email(
                case.submitted_by, "case_info_request", {"case": case, "text": text}
            )
    return event
