"""The steps every write of a case is made of: its reference and due dates, timeline events,
status moves with a version check, permission checks, notifications and webhook events.

The actions of each journey (filing, citizen, handling, matching) call these inside their own
transaction and audit entry; nothing here audits or opens a transaction by itself, so these are
never a write path of their own (tests/core/test_audit_coverage.py checks that only actions
modules take them).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy

from insieme.cases import tracking
from insieme.cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    ReferenceCounter,
    Status,
)
from insieme.cases.redact import localise, public_text
from insieme.catalog.models import Service
from insieme.catalog.sla import due_date
from insieme.core import events, notify
from insieme.core.access import has_perm
from insieme.core.models import Membership
from insieme.core.permissions import Perm, Role
from insieme.core.uploads import CleanFile

MAX_DESCRIPTION = 4000


class StaleCase(Exception):
    """The case changed since the actor loaded it (optimistic concurrency)."""


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


def service_holidays(service: Service) -> frozenset:
    return frozenset(service.administration.holidays.values_list("date", flat=True))


def sla_due_dates(service: Service, start: dt.datetime, holidays=None) -> tuple:
    """(acknowledge due, resolve due) for a case of `service` filed at `start`."""
    holidays = service_holidays(service) if holidays is None else holidays
    tz = zoneinfo.ZoneInfo(service.administration.timezone)
    return (
        due_date(start, service.sla_acknowledge_days, service.sla_day_type, holidays, tz),
        due_date(start, service.sla_resolve_days, service.sla_day_type, holidays, tz),
    )


def record_event(
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


def publish(event_type: str, case: Case, *, text: str = "", **extra) -> None:
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


def save_attachments(
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


def notify_followers(
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
            {"case": case, **context, **tracking_context(case)},
            language=case.language,
        )


def tracking_context(case: Case) -> dict:
    """What e-mails to a filer without an account add: their private tracking link."""
    path = tracking.tracking_path(case)
    return {"tracking_url": notify.absolute_url(path)} if path else {}


# A public copy's placeholders in the language the e-mail is rendered in.
localised = lazy(localise, str)


def resume_sla(case: Case, now) -> dict:
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


def set_status(case: Case, to_status: str, now, expected_version: int | None = None) -> str:
    """Move the case to `to_status` with a version check; returns the status it left."""
    from_status = case.status
    stamps = {"updated_at": now, "status": to_status}
    if to_status == Status.ACKNOWLEDGED and case.acknowledged_at is None:
        stamps["acknowledged_at"] = now
    if to_status == Status.RESOLVED:
        stamps["resolved_at"] = now
    elif from_status == Status.RESOLVED and to_status in OPEN_STATUSES:
        stamps["resolved_at"] = None  # reopened: no longer resolved (issue 14, item 2)
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
        stamps.update(resume_sla(case, now))
    qs = Case.objects.filter(pk=case.pk, version=expected_version or case.version)
    if not qs.update(**stamps, version=F("version") + 1):
        raise StaleCase
    for key, value in stamps.items():
        setattr(case, key, value)
    case.version = (expected_version or case.version) + 1
    return from_status


def require(actor, perm: Perm, case: Case) -> None:
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


def bump(case: Case, updates: dict, expected_version: int | None) -> None:
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


def staff_path(case: Case) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("staff_case", args=[case.administration.slug, case.reference])
    except NoReverseMatch:
        return ""


def notify_staff(users, template: str, case: Case, context: dict | None = None) -> None:
    """E-mail members of staff (assignment, hand-off, escalation, a citizen's answer)."""
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notify.send_templated_email(
            user, template, {"case": case, "staff_path": staff_path(case), **(context or {})}
        )


def department_leads(administration_id: int, department_id) -> list:
    """Supervisors of a department (or, where it has none, its officers)."""
    members = Membership.objects.filter(
        administration_id=administration_id, department_id=department_id, is_active=True
    ).select_related("user")
    supervisors = [m.user for m in members if m.role == Role.SUPERVISOR]
    return supervisors or [m.user for m in members if m.role == Role.OFFICER]
