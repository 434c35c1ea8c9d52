"""The one write path of cases: citizens' filing and follow-up, staff replies and status changes.

Web views, the API, Open311 and the demo's small paths call these; each validates, writes in one
transaction, appends an audit entry and notifies on commit. ValidationError (with field errors)
means nothing was written. The demo's bulk loader is the one exception: it writes rows in bulk
for a year of history and says so.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import zoneinfo
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insieme.cases import tracking
from insieme.cases.matching import case_signature
from insieme.cases.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Attachment,
    Case,
    CaseEvent,
    CaseShare,
    Decision,
    DueState,
    Escalation,
    Follower,
    Handoff,
    Rating,
    ReferenceCounter,
    ResponseTemplate,
    RoutingRule,
    Status,
    TimeLog,
    grid_cell,
)
from insieme.cases.redact import filer_names, localise, public_text, redact
from insieme.cases.uploads import CleanFile, clean_uploads
from insieme.catalog import i18n
from insieme.catalog.forms import citizen_field_name, citizen_form_for
from insieme.catalog.models import Service, ServiceKind
from insieme.catalog.sla import due_date
from insieme.core import audit, events, notify
from insieme.core.access import has_perm
from insieme.core.geo import GeometryError, contains
from insieme.core.models import Department, Membership
from insieme.core.permissions import Perm, Role

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
        public_text=public_text(case, text) if public else "",
        from_status=from_status,
        to_status=to_status,
        field_code=field_code,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _publish(event_type: str, case: Case, *, text: str = "", **extra) -> None:
    """Tell integrators (webhooks) about `case` on commit: public facts only, never who filed it
    or how to reach them; free text only for public cases, and only its public copy (`text`:
    `Case.public_description` or `CaseEvent.public_text`)."""
    public = case.is_public
    data = {
        "reference": case.reference,
        "service_code": case.service.code,
        "kind": case.kind,
        "status": case.status,
        "submitted_at": case.submitted_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "public_url": reverse("case_public", args=[case.administration.slug, case.reference])
        if public
        else None,
        "text": text if public else "",
        **extra,
    }
    events.publish_on_commit(event_type, case.administration_id, data)


def _save_attachments(
    case: Case, cleaned: list[CleanFile], actor, event: CaseEvent | None, public: bool
) -> int:
    """Store files that `clean_uploads` accepted (cleaned before the transaction: decoding a
    photo or rewriting a PDF never holds the database's locks)."""
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


def _notify_followers(
    case: Case, template: str, context: dict, exclude=None, public: dict | None = None
) -> None:
    """E-mail every follower (and an anonymous filer's address) on commit. Followers other than
    the filer read `public` instead of `context` where given: the public copies of the texts."""
    recipients = [
        f.user
        for f in case.followers.select_related("user")
        if f.user.is_active
        and f.user.contact_channel != "none"
        and (exclude is None or f.user_id != exclude.pk)
    ]
    for user in recipients:
        given = context if public is None or user.pk == case.submitted_by_id else public
        notify.send_templated_email(user, template, {"case": case, **given})
    if case.submitted_by_id is None and case.contact_email:
        notify.send_templated_email(
            case.contact_email,
            template,
            {"case": case, **context, **_tracking_context(case)},
            language=case.language,
        )


def _tracking_context(case: Case) -> dict:
    """What e-mails to a filer without an account add: their private tracking link."""
    path = tracking.tracking_path(case)
    return {"tracking_url": notify.absolute_url(path)} if path else {}


# A public copy's placeholders in the language the e-mail is rendered in.
_localised = lazy(localise, str)


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
    assisted: bool = False,
    consent_noted: bool = False,
    language: str = "it",
    via=None,
) -> tuple[Case, bool]:
    """File a report or an application. Returns (case, created).

    `via`: the API key a machine client filed with (Open311, the REST API), recorded as the
    audit entry's actor when there is no person (`actor` None).

    With an `idempotency_key`, a retried submission returns the case the first one created
    (created=False) instead of filing twice. Assisted digital (`assisted`, implied by
    `on_behalf_of`): `actor` is an officer (CASE_ASSIST) filing at a counter or on the phone for
    the citizen `on_behalf_of` — or, for someone without an account, None and their name in
    `contact_name`; the officer is recorded as `filed_by` and the citizen's consent must be noted.
    """
    assisted = assisted or on_behalf_of is not None
    if assisted:
        if not has_perm(actor, Perm.CASE_ASSIST, service.administration_id):
            raise PermissionDenied
        submitter = on_behalf_of
    else:
        submitter = actor if getattr(actor, "is_authenticated", False) else None
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
    if submitter is None and not service.anonymous_allowed and not assisted:
        errors.setdefault("__all__", []).append(_("Log in to file this request."))
    if assisted and submitter is None and not contact_name.strip():
        errors.setdefault("contact_name", []).append(_("Give the citizen's name."))
    if assisted and not consent_noted:
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
    cleaned_files: list[CleanFile] = []
    if not errors:  # files are checked (decoded, rewritten) only for a filing that can succeed
        try:
            cleaned_files = clean_uploads(attachments)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    ack_due, resolve_due = sla_due_dates(service, now)
    row, col = grid_cell(lat, lon) if lat is not None else (None, None)
    address = address.strip()[:300]
    names = filer_names(submitter, contact_name.strip())
    case = Case(
        administration_id=service.administration_id,
        service=service,
        kind=service.kind,
        is_public=service.kind == ServiceKind.REPORT,
        title=service.name,
        description=description,
        public_description=redact(description, names),
        answers=clean_answers,
        lat=lat,
        lon=lon,
        cell_row=row,
        cell_col=col,
        match_grams=case_signature(service.name, description) if lat is not None else b"",
        address=address,
        public_address=redact(address, names),
        channel=channel,
        form_seconds=form_seconds,
        language=language[:8],
        submitted_by=submitter,
        filed_by=actor if assisted else None,
        consent_noted=consent_noted,
        contact_name=contact_name.strip()[:200],
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip()[:40],
        idempotency_key=idempotency_key[:80],
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
            event = _event(
                case,
                CaseEvent.Kind.SUBMITTED,
                actor,
                to_status=Status.SUBMITTED,
                data={"channel": channel},
                at=now,
            )
            _save_attachments(case, cleaned_files, actor, event, public=False)
            if submitter is not None:
                Follower.objects.create(case=case, user=submitter, created_at=now)
            audit.record(
                actor=actor if actor is not None else via,
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
                    case.contact_email,
                    "case_submitted",
                    {"case": case, **_tracking_context(case)},
                    language=language,
                )
            auto_assign(case)
            _publish("case.created", case, text=case.public_description)
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
        if created and not me_too:
            audit.record(
                actor=user, action="case.follow", obj=case, administration=case.administration
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
    with transaction.atomic():
        deleted, _rows = Follower.objects.filter(case=case, user=user).delete()
        if deleted:
            audit.record(
                actor=user, action="case.unfollow", obj=case, administration=case.administration
            )


def _require_submitter(user, case: Case) -> None:
    if not getattr(user, "is_authenticated", False) or case.submitted_by_id != user.pk:
        raise PermissionDenied


def _resume_sla(case: Case, now) -> dict:
    """The updates that restart a paused SLA clock: due dates move on by the pause's length
    (elapsed time, also for working-day SLAs: the pause already skipped what it skipped)."""
    paused = max(now - case.sla_paused_at, dt.timedelta(0))
    updates = {
        "sla_paused_at": None,
        "sla_paused_seconds": case.sla_paused_seconds + int(paused.total_seconds()),
        "due_state": "",
    }
    if case.resolve_due_at is not None:
        updates["resolve_due_at"] = case.resolve_due_at + paused
    if case.acknowledged_at is None and case.acknowledge_due_at is not None:
        updates["acknowledge_due_at"] = case.acknowledge_due_at + paused
    return updates


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
    if to_status not in OPEN_STATUSES:
        stamps["due_state"] = ""  # a closed case is neither due soon nor overdue any more
    if to_status == Status.WAITING_CITIZEN and case.sla_paused_at is None:
        stamps["sla_paused_at"] = now  # the SLA clock stops while the citizen is asked
        stamps["due_state"] = ""  # and the tick judges it again when it restarts
    elif from_status == Status.WAITING_CITIZEN and case.sla_paused_at is not None:
        stamps.update(_resume_sla(case, now))
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
        _publish("case.status_changed", case, from_status=from_status, to_status=Status.CLOSED)
    return case


def provide_information(
    user,
    case: Case,
    *,
    text: str = "",
    attachments: Iterable = (),
    by_tracking_link: bool = False,
) -> Case:
    """The submitter answers a request for missing information; the case goes back to work.

    `by_tracking_link`: the caller opened the case through its private tracking link (a filer
    without an account, `access.get_case_for_tracking`); `user` is then anonymous."""
    if by_tracking_link:
        if case.submitted_by_id is not None or not case.tracking_nonce:
            raise PermissionDenied
    else:
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
    cleaned = clean_uploads(files)
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
        count = _save_attachments(case, cleaned, user, event, public=False)
        audit.record(
            actor=user if getattr(user, "is_authenticated", False) else None,
            action="case.info_provided",
            obj=case,
            after={"status": case.status, "attachments": count}
            | ({"via": "tracking link"} if by_tracking_link else {}),
            administration=case.administration,
        )
        _notify_staff([case.assignee], "case_citizen_answered", case)
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
        _publish("case.rated", case, score=score)
    return rating


# --- staff actions (the case-handling capability builds its screens on these) -----------------


def change_status(
    actor, case: Case, to_status: str, *, note: str = "", expected_version: int | None = None
) -> Case:
    """Move a case along an allowed transition, with an optional public note."""
    _require(actor, Perm.CASE_HANDLE, case)
    if expected_version is not None and expected_version != case.version:
        raise StaleCase  # judged against what the person saw, not against the newer state
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
        event = _event(
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
        _notify_followers(
            case,
            "case_status",
            {"from_status": from_status, "note": note},
            public={"from_status": from_status, "note": _localised(event.public_text)},
        )
        _publish(
            "case.status_changed",
            case,
            text=event.public_text,
            from_status=from_status,
            to_status=to_status,
        )
    return case


def reply(actor, case: Case, text: str, *, public: bool = True) -> CaseEvent:
    """A public reply to the citizen (and the public page, for public cases) or an internal note."""
    _require(actor, Perm.CASE_HANDLE, case)
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
            _notify_followers(
                case, "case_reply", {"text": text}, public={"text": _localised(event.public_text)}
            )
            _publish("case.public_reply", case, text=event.public_text)
    return event


def request_information(
    actor, case: Case, *, text: str, field_code: str = "", expected_version: int | None = None
) -> CaseEvent:
    """Ask the citizen for missing information, naming the form field (or document) lacking it."""
    _require(actor, Perm.CASE_HANDLE, case)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what is missing.")})
    if case.status not in OPEN_STATUSES or case.status == Status.WAITING_CITIZEN:
        raise ValidationError(_("Information can be requested only on a case being handled."))
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, Status.WAITING_CITIZEN, now, expected_version)
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
        elif case.contact_email and case.tracking_nonce:  # they answer through their link
            notify.send_templated_email(
                case.contact_email,
                "case_info_request",
                {"case": case, "text": text, **_tracking_context(case)},
                language=case.language,
            )
        _publish(
            "case.information_requested",
            case,
            text=event.public_text,
            field_code=field_code[:60],
            from_status=from_status,
            to_status=Status.WAITING_CITIZEN,
        )
    return event


# --- case handling: routing, assignment, hand-offs, time, templates, merging, decisions, SLA ---
#
# Staff actions take the case as the caller read it (through cases.access) and, where two people
# may act at once, the version they saw: a stale version raises StaleCase and changes nothing.


def _require(actor, perm: Perm, case: Case) -> None:
    """PermissionDenied unless `actor` holds `perm` in the case's administration and may see the
    case (its department, a department it is shared with, or assigned to them). `None` is the
    system itself (background jobs, imports, the demo), never a request's user."""
    from insieme.cases.access import can_see_case

    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not has_perm(
        actor, perm, case.administration_id
    ):
        raise PermissionDenied
    if not can_see_case(actor, case):
        raise PermissionDenied


def _bump(case: Case, updates: dict, expected_version: int | None) -> None:
    """Write `updates` to the case if nobody changed it since `expected_version` (else the
    caller's version); StaleCase otherwise. Updates the instance too."""
    version = expected_version or case.version
    updates = {**updates, "updated_at": updates.get("updated_at", timezone.now())}
    if not Case.objects.filter(pk=case.pk, version=version).update(
        **updates, version=F("version") + 1
    ):
        raise StaleCase
    for key, value in updates.items():
        setattr(case, key, value)
    case.version = version + 1


def _staff_path(case: Case) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("staff_case", args=[case.administration.slug, case.reference])
    except NoReverseMatch:
        return ""


def _notify_staff(users, template: str, case: Case, context: dict | None = None) -> None:
    """E-mail members of staff (assignment, hand-off, escalation, a citizen's answer)."""
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notify.send_templated_email(
            user, template, {"case": case, "staff_path": _staff_path(case), **(context or {})}
        )


# routing


def route(case: Case) -> Department | None:
    """The department a new case goes to: the first routing rule of its service whose area
    holds the case's place, else the service's responsible department."""
    if case.lat is not None:
        for rule in RoutingRule.objects.filter(service_id=case.service_id).select_related(
            "department"
        ):
            try:
                if contains(rule.area, case.lat, case.lon):
                    return rule.department
            except GeometryError:
                continue
    return case.service.department


# assignment


def open_loads(administration_id: int, user_ids=None) -> dict[int, int]:
    """{officer id: open cases assigned} in one grouped query."""
    qs = Case.objects.filter(
        administration_id=administration_id,
        status__in=sorted(OPEN_STATUSES),
        assignee__isnull=False,
    )
    if user_ids is not None:
        qs = qs.filter(assignee_id__in=list(user_ids))
    return dict(qs.values_list("assignee").annotate(n=Count("id")).values_list("assignee", "n"))


def candidate_officers(case: Case) -> list[Membership]:
    """Who may take the case: active officers and supervisors of its lead department; of them,
    those skilled for the service when the service names any."""
    members = Membership.objects.filter(
        administration_id=case.administration_id,
        is_active=True,
        role__in=[Role.OFFICER, Role.SUPERVISOR],
        user__is_active=True,
    ).select_related("user")
    if case.department_id:
        members = members.filter(department_id=case.department_id)
    skilled = set(case.service.skilled.values_list("id", flat=True))
    members = list(members)
    if skilled and any(m.pk in skilled for m in members):
        members = [m for m in members if m.pk in skilled]
    return members


def least_loaded(case: Case) -> tuple[Membership | None, dict[int, int]]:
    """The candidate with the lowest load against capacity who is under capacity (ties: fewer
    open cases, then the earlier member), and everyone's load."""
    members = candidate_officers(case)
    loads = open_loads(case.administration_id, [m.user_id for m in members])
    best = None
    for m in members:
        load = loads.get(m.user_id, 0)
        if m.capacity == 0 or load >= m.capacity:
            continue
        key = (load / m.capacity, load, m.pk)
        if best is None or key < best[0]:
            best = (key, m)
    return (best[1] if best else None), loads


def capacity_of(case: Case, user) -> int | None:
    m = (
        Membership.objects.filter(
            administration_id=case.administration_id, user=user, is_active=True
        )
        .order_by("-capacity")
        .first()
    )
    return None if m is None else m.capacity


def _set_assignee(actor, case: Case, user, *, reason: str, now, expected_version=None) -> None:
    before = case.assignee_id
    _bump(
        case,
        {"assignee": user, "assigned_at": now if user else None, "updated_at": now},
        expected_version,
    )
    _event(
        case,
        CaseEvent.Kind.ASSIGNED,
        actor,
        public=False,
        text=reason,
        data={"from": before, "to": user.pk if user else None},
        at=now,
    )
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="case.assign",
        obj=case,
        before={"assignee": before},
        after={"assignee": user.pk if user else None},
        administration=case.administration,
    )
    if user is not None and (actor is None or user.pk != getattr(actor, "pk", None)):
        _notify_staff([user], "case_assigned", case, {"reason": reason})


def auto_assign(case: Case, actor=None) -> Membership | None:
    """Assign the case to the least-loaded skilled officer under capacity; nobody when all are
    full (it stays in the department's queue and shows on the supervisor's workload view)."""
    member, _loads = least_loaded(case)
    if member is None:
        return None
    with transaction.atomic():
        _set_assignee(
            actor, case, member.user, reason=_("Assigned automatically."), now=timezone.now()
        )
    return member


def assign(
    actor,
    case: Case,
    assignee,
    *,
    override_reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Give the case to `assignee` (None: back to the queue). Officers may take a case
    themselves; giving it to someone else needs CASE_ASSIGN. Nobody goes beyond capacity
    unless a holder of CASE_ASSIGN says why (recorded as an escalation of kind override)."""
    is_self = assignee is not None and assignee.pk == getattr(actor, "pk", None)
    _require(actor, Perm.CASE_HANDLE if is_self else Perm.CASE_ASSIGN, case)
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open case can be assigned."))
    now = timezone.now()
    override = False
    if assignee is not None:
        capacity = capacity_of(case, assignee)
        if capacity is None or not has_perm(assignee, Perm.CASE_HANDLE, case.administration_id):
            raise ValidationError({"assignee": _("This person does not handle cases here.")})
        load = open_loads(case.administration_id, [assignee.pk]).get(assignee.pk, 0)
        if case.assignee_id != assignee.pk and load >= capacity:
            if not has_perm(actor, Perm.CASE_ASSIGN, case.administration_id):
                raise ValidationError(
                    {"assignee": _("You are at capacity: ask a supervisor to assign it.")}
                )
            if not override_reason.strip():
                raise ValidationError(
                    {
                        "override_reason": ngettext(
                            "%(name)s already has %(load)d open case for a capacity of "
                            "%(capacity)d: say why they should take one more.",
                            "%(name)s already has %(load)d open cases for a capacity of "
                            "%(capacity)d: say why they should take one more.",
                            load,
                        )
                        % {"name": assignee.full_name, "load": load, "capacity": capacity}
                    }
                )
            override = True
    with transaction.atomic():
        _set_assignee(
            actor,
            case,
            assignee,
            reason=override_reason.strip(),
            now=now,
            expected_version=expected_version,
        )
        if override:
            Escalation.objects.create(
                case=case,
                kind=Escalation.Kind.CAPACITY_OVERRIDE,
                actor=actor,
                officer=assignee,
                reason=override_reason.strip(),
                created_at=now,
            )
    return case


# hand-offs and shared cases


def hand_off(
    actor, case: Case, to_department, *, reason: str, expected_version: int | None = None
) -> Handoff:
    """Pass the case to another department of the same administration, with a reason; it stays
    with the sending department until the receiving one accepts."""
    _require(actor, Perm.CASE_HANDLE, case)
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if not reason:
        errors["reason"] = [_("Say why the case goes to the other department.")]
    if to_department is None or to_department.administration_id != case.administration_id:
        errors["to_department"] = [_("Choose a department of this administration.")]
    elif to_department.pk == case.department_id:
        errors["to_department"] = [_("The case is already with this department.")]
    if case.status not in OPEN_STATUSES:
        errors.setdefault("__all__", []).append(_("Only an open case can be handed off."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            _bump(case, {"updated_at": now}, expected_version)
            handoff = Handoff.objects.create(
                case=case,
                from_department_id=case.department_id,
                to_department=to_department,
                reason=reason,
                requested_by=actor,
                created_at=now,
            )
            _event(
                case,
                CaseEvent.Kind.HANDOFF,
                actor,
                public=False,
                text=reason,
                data={"handoff": handoff.pk, "to": to_department.pk},
                at=now,
            )
            audit.record(
                actor=actor,
                action="case.handoff",
                obj=case,
                after={"to_department": to_department.pk, "reason": reason},
                administration=case.administration,
            )
            _notify_staff(
                _department_leads(case.administration_id, to_department.pk),
                "case_handoff",
                case,
                {"handoff": handoff},
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("A hand-off of this case is already waiting for an answer.")
        ) from exc
    return handoff


def _department_leads(administration_id: int, department_id) -> list:
    """Supervisors of a department (or, where it has none, its officers)."""
    members = Membership.objects.filter(
        administration_id=administration_id, department_id=department_id, is_active=True
    ).select_related("user")
    supervisors = [m.user for m in members if m.role == Role.SUPERVISOR]
    return supervisors or [m.user for m in members if m.role == Role.OFFICER]


def _require_receiver(actor, handoff: Handoff) -> None:
    case = handoff.case
    if not getattr(actor, "is_authenticated", False) or not has_perm(
        actor, Perm.CASE_HANDLE, case.administration_id
    ):
        raise PermissionDenied
    from insieme.cases.access import staff_departments

    departments = staff_departments(actor, case.administration)
    if departments is not None and handoff.to_department_id not in departments:
        raise PermissionDenied


def accept_handoff(actor, handoff: Handoff) -> Case:
    """The receiving department takes the case: it becomes the lead, the previous assignee lets
    it go, and it is assigned automatically in the new department."""
    _require_receiver(actor, handoff)
    if handoff.state != Handoff.State.PENDING:
        raise ValidationError(_("This hand-off was already answered."))
    case = handoff.case
    now = timezone.now()
    with transaction.atomic():
        if not Handoff.objects.filter(pk=handoff.pk, state=Handoff.State.PENDING).update(
            state=Handoff.State.ACCEPTED, decided_by=actor, decided_at=now
        ):
            raise StaleCase
        handoff.state, handoff.decided_by, handoff.decided_at = (
            Handoff.State.ACCEPTED,
            actor,
            now,
        )
        case.refresh_from_db()
        _bump(
            case,
            {"department": handoff.to_department, "assignee": None, "assigned_at": None},
            None,
        )
        _event(
            case,
            CaseEvent.Kind.HANDOFF_ACCEPTED,
            actor,
            public=False,
            data={"handoff": handoff.pk, "department": handoff.to_department_id},
            at=now,
        )
        audit.record(
            actor=actor,
            action="case.handoff_accepted",
            obj=case,
            after={"department": handoff.to_department_id},
            administration=case.administration,
        )
    auto_assign(case, actor)
    return case


def return_handoff(actor, handoff: Handoff, *, reason: str) -> Handoff:
    """The receiving department sends the case back with a reason (a bounce-back); the case
    stays with the sending department."""
    _require_receiver(actor, handoff)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"response": _("Say why the case is sent back.")})
    if handoff.state != Handoff.State.PENDING:
        raise ValidationError(_("This hand-off was already answered."))
    now = timezone.now()
    case = handoff.case
    with transaction.atomic():
        if not Handoff.objects.filter(pk=handoff.pk, state=Handoff.State.PENDING).update(
            state=Handoff.State.RETURNED, response=reason, decided_by=actor, decided_at=now
        ):
            raise StaleCase
        handoff.state, handoff.response = Handoff.State.RETURNED, reason
        handoff.decided_by, handoff.decided_at = actor, now
        Case.objects.filter(pk=case.pk).update(updated_at=now, version=F("version") + 1)
        case.refresh_from_db(fields=["updated_at", "version"])
        _event(
            case,
            CaseEvent.Kind.HANDOFF_RETURNED,
            actor,
            public=False,
            text=reason,
            data={"handoff": handoff.pk},
            at=now,
        )
        audit.record(
            actor=actor,
            action="case.handoff_returned",
            obj=case,
            after={"reason": reason},
            administration=case.administration,
        )
        _notify_staff(
            [handoff.requested_by, case.assignee],
            "case_handoff_returned",
            case,
            {"handoff": handoff},
        )
    return handoff


def share_case(actor, case: Case, department) -> CaseShare:
    """Another department works on the case too (the lead department stays in charge)."""
    _require(actor, Perm.CASE_HANDLE, case)
    if department is None or department.administration_id != case.administration_id:
        raise ValidationError({"department": _("Choose a department of this administration.")})
    if department.pk == case.department_id:
        raise ValidationError({"department": _("This is already the lead department.")})
    now = timezone.now()
    with transaction.atomic():
        share, created = CaseShare.objects.get_or_create(
            case=case, department=department, defaults={"added_by": actor, "created_at": now}
        )
        if created:
            _event(
                case,
                CaseEvent.Kind.SHARED,
                actor,
                public=False,
                data={"department": department.pk},
                at=now,
            )
            audit.record(
                actor=actor,
                action="case.shared",
                obj=case,
                after={"department": department.pk},
                administration=case.administration,
            )
    return share


# time


def standard_minutes(case: Case) -> int:
    """Minutes of staff time the service's cost model expects for one case of its channel."""
    minutes = case.service.staff_minutes or {}
    try:
        return int(minutes.get(case.channel) or minutes.get("web") or 0)
    except (TypeError, ValueError):
        return 0


def suggested_minutes(case: Case) -> int:
    """What the time field offers: the cost model's minutes not yet logged, at least 5."""
    return max(5, standard_minutes(case) - case.staff_minutes)


def _working_department(case: Case, departments: set[int] | None) -> int | None:
    """The department whose time it is: the case's lead department when the person works
    there (or has no department), else theirs that the case is shared with, else any of
    theirs (an assignee from elsewhere)."""
    if departments is None or case.department_id in departments:
        return case.department_id
    shared = set(case.shares.values_list("department_id", flat=True)) & departments
    return min(shared or departments)


def log_time(actor, case: Case, minutes, *, action: str = "work") -> TimeLog:
    """Minutes of the actor's time on the case (0-1440), counted on the case for its cost."""
    _require(actor, Perm.CASE_HANDLE, case)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError({"minutes": _("Give the minutes as a whole number.")}) from None
    if not 0 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": _("Give between 0 and 1440 minutes.")})
    now = timezone.now()
    with transaction.atomic():
        from insieme.cases.access import staff_departments

        departments = staff_departments(actor, case.administration)
        entry = TimeLog.objects.create(
            case=case,
            user=actor,
            department_id=_working_department(case, departments),
            action=action[:20],
            minutes=minutes,
            channel=case.channel,
            created_at=now,
        )
        Case.objects.filter(pk=case.pk).update(staff_minutes=F("staff_minutes") + minutes)
        case.staff_minutes += minutes
        audit.record(
            actor=actor,
            action="case.time_logged",
            obj=case,
            after={
                "time_log": entry.pk,
                "minutes": minutes,
                "activity": entry.action,
                "department": entry.department_id,
            },
            administration=case.administration,
        )
    return entry


# replies with templates


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def promised_resolution(case: Case, now: dt.datetime) -> dt.datetime | None:
    """The date a reply written at `now` can promise for resolving `case`: its resolution due
    date, moved on by the time its SLA clock has stood still so far (while the citizen is asked,
    the clock stops); once that date has passed, the service's resolution time counted again
    from `now`, so that a reply never promises a day already gone. None without an SLA date."""
    due = case.resolve_due_at
    if due is None:
        return None
    if case.sla_paused_at is not None:
        due += max(now - case.sla_paused_at, dt.timedelta(0))
    if due < now:
        _ack, due = sla_due_dates(case.service, now)
    return due


def template_context(case: Case, actor=None, now: dt.datetime | None = None) -> dict[str, str]:
    """The values a response template may use, as text, computed from the case as of `now`
    (the current time by default)."""
    from django.utils.formats import date_format

    citizen = case.submitted_by
    due = promised_resolution(case, now or timezone.now())
    tz = zoneinfo.ZoneInfo(case.administration.timezone)
    return {
        "reference": case.reference,
        "service": i18n.text(case.service, "name", case.language),
        "administration": case.administration.display_name,
        "name": (citizen.full_name if citizen else case.contact_name) or "",
        "status": str(Status(case.status).label),
        "due_date": date_format(due.astimezone(tz), "DATE_FORMAT") if due else "",
        "officer": getattr(actor, "full_name", "") or "",
        "address": case.address,
    }


def render_template(text: str, case: Case, actor=None, now: dt.datetime | None = None) -> str:
    """The template's text with its {placeholders} filled; unknown ones are left as written."""
    values = template_context(case, actor, now)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def reply_with_template(
    actor, case: Case, template: ResponseTemplate, *, text: str = "", expected_version=None
) -> CaseEvent:
    """A public reply from a template (edited text when given), and the template's status."""
    _require(actor, Perm.CASE_HANDLE, case)
    if template.administration_id != case.administration_id or (
        template.service_id and template.service_id != case.service_id
    ):
        raise ValidationError({"template": _("This reply is not for this service.")})
    body = (text or "").strip() or render_template(template.body, case, actor)
    with transaction.atomic():
        if template.status and template.status != case.status:
            change_status(actor, case, template.status, expected_version=expected_version)
        elif expected_version is not None:
            _bump(case, {}, expected_version)
        return reply(actor, case, body, public=True)


# merging duplicates


def merge_duplicate(actor, duplicate: Case, into: Case, *, expected_version=None) -> Case:
    """Close `duplicate` as a duplicate of `into`: its followers (the filer first), attachments
    and timeline move to the kept case; the duplicate keeps one event pointing there."""
    _require(actor, Perm.CASE_HANDLE, duplicate)
    _require(actor, Perm.CASE_HANDLE, into)
    if duplicate.pk == into.pk or into.duplicate_of_id == duplicate.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    if duplicate.administration_id != into.administration_id:
        raise ValidationError({"into": _("Choose a case of this administration.")})
    if Status.DUPLICATE not in TRANSITIONS.get(duplicate.status, frozenset()):
        raise ValidationError(_("This case can no longer be marked as a duplicate."))
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(duplicate, Status.DUPLICATE, now, expected_version)
        Case.objects.filter(pk=duplicate.pk).update(duplicate_of=into)
        duplicate.duplicate_of = into
        moved_events = duplicate.events.update(case=into)
        moved_files = duplicate.attachments.update(case=into)
        kept = set(into.followers.values_list("user_id", flat=True))
        followers = list(duplicate.followers.all())
        for follower in followers:
            if follower.user_id not in kept:
                Follower.objects.create(case=into, user_id=follower.user_id, created_at=now)
        if duplicate.submitted_by_id and duplicate.submitted_by_id not in kept:
            Follower.objects.get_or_create(
                case=into,
                user_id=duplicate.submitted_by_id,
                defaults={"me_too": True, "created_at": now},
            )
        _event(
            duplicate,
            CaseEvent.Kind.DUPLICATE,
            actor,
            from_status=from_status,
            to_status=Status.DUPLICATE,
            data={"into": into.reference},
            at=now,
        )
        _event(
            into,
            CaseEvent.Kind.MERGED,
            actor,
            public=False,
            data={"from": duplicate.reference, "events": moved_events, "attachments": moved_files},
            at=now,
        )
        Case.objects.filter(pk=into.pk).update(updated_at=now)
        audit.record(
            actor=actor,
            action="case.merged",
            obj=duplicate,
            after={"into": into.reference},
            administration=duplicate.administration,
        )
        _notify_followers(
            duplicate,
            "case_status",
            {
                "from_status": from_status,
                "note": _("The same problem was already reported: %(ref)s.")
                % {"ref": into.reference},
            },
        )
        _publish(
            "case.status_changed",
            duplicate,
            from_status=from_status,
            to_status=Status.DUPLICATE,
            duplicate_of=into.reference,
        )
    return into


# decisions on applications


def decide(
    actor,
    case: Case,
    *,
    decision: str,
    reasons: str = "",
    provision=None,
    expected_version: int | None = None,
) -> Case:
    """Grant or refuse an application; a refusal states its reasons and the provision applied."""
    _require(actor, Perm.CASE_HANDLE, case)
    errors: dict[str, list] = {}
    if case.kind != ServiceKind.APPLICATION:
        errors["decision"] = [_("Only applications get a decision.")]
    if decision not in Decision.values:
        errors["decision"] = [_("Choose granted or refused.")]
    reasons = (reasons or "").strip()
    if decision == Decision.REFUSED:
        if not reasons:
            errors["reasons"] = [_("A refusal states its reasons.")]
        if provision is None:
            errors["provision"] = [_("A refusal names the provision applied.")]
    if case.status not in OPEN_STATUSES:
        errors.setdefault("__all__", []).append(_("The case is no longer open."))
    if errors:
        raise ValidationError(errors)
    to_status = Status.RESOLVED if decision == Decision.GRANTED else Status.REFUSED
    now = timezone.now()
    with transaction.atomic():
        from_status = _set_status(case, to_status, now, expected_version)
        Case.objects.filter(pk=case.pk).update(
            decision=decision, decision_reasons=reasons, decision_provision=provision
        )
        case.decision, case.decision_reasons, case.decision_provision = (
            decision,
            reasons,
            provision,
        )
        event = _event(
            case,
            CaseEvent.Kind.DECISION,
            actor,
            text=reasons,
            from_status=from_status,
            to_status=to_status,
            data={"decision": decision, "provision": provision.pk if provision else None},
            at=now,
        )
        if case.first_public_response_at is None:
            Case.objects.filter(pk=case.pk).update(first_public_response_at=now)
            case.first_public_response_at = now
        audit.record(
            actor=actor,
            action="case.decision",
            obj=case,
            after={"decision": decision, "provision": provision.pk if provision else None},
            administration=case.administration,
        )
        _notify_followers(
            case,
            "case_status",
            {"from_status": from_status, "note": reasons},
            public={"from_status": from_status, "note": _localised(event.public_text)},
        )
        _publish(
            "case.status_changed",
            case,
            text=event.public_text,
            from_status=from_status,
            to_status=to_status,
        )
    return case


# SLA: the background job


DUE_SOON = dt.timedelta(hours=24)


def sla_tick(now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Mark open cases due soon (within DUE_SOON of their resolve date) and overdue; escalate
    each newly overdue case to its department's supervisors and tell its assignee. Paused cases
    (waiting for the citizen) are skipped. Idempotent: a case is marked and escalated once per
    state. Returns how many cases changed state."""
    now = now or timezone.now()
    active = Case.objects.filter(
        status__in=sorted(OPEN_STATUSES), sla_paused_at__isnull=True, resolve_due_at__isnull=False
    )
    counts = {"due_soon": 0, "overdue": 0}
    overdue = active.filter(resolve_due_at__lte=now).exclude(due_state=DueState.OVERDUE)
    soon = active.filter(resolve_due_at__gt=now, resolve_due_at__lte=now + DUE_SOON).exclude(
        due_state__in=[DueState.DUE_SOON, DueState.OVERDUE]
    )
    for state, qs in ((DueState.OVERDUE, overdue), (DueState.DUE_SOON, soon)):
        while True:
            cases = list(
                qs.select_related("administration", "service", "assignee").order_by("pk")[:batch]
            )
            if not cases:
                break
            for case in cases:
                with transaction.atomic():
                    # The state too: two overlapping ticks never escalate one case twice.
                    if not Case.objects.filter(
                        pk=case.pk, version=case.version, due_state=case.due_state
                    ).update(
                        due_state=state, escalated_at=now if state == DueState.OVERDUE else None
                    ):
                        continue  # changed meanwhile: the next tick sees it
                    audit.record(
                        actor=None,
                        action="case.overdue" if state == DueState.OVERDUE else "case.due_soon",
                        obj=case,
                        before={"due_state": case.due_state},
                        after={"due_state": state},
                        administration=case.administration,
                    )
                    case.due_state = state
                    Escalation.objects.create(
                        case=case,
                        kind=Escalation.Kind.OVERDUE
                        if state == DueState.OVERDUE
                        else Escalation.Kind.DUE_SOON,
                        officer=case.assignee,
                        created_at=now,
                    )
                    if state == DueState.OVERDUE:
                        _event(case, CaseEvent.Kind.ESCALATED, None, public=False, at=now)
                        leads = _department_leads(case.administration_id, case.department_id)
                        _notify_staff([*leads, case.assignee], "case_escalated", case)
                    else:
                        _notify_staff([case.assignee], "case_due_soon", case)
                counts[state] += 1
    return counts
