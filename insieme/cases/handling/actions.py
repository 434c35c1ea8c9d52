"""Handling a case: status changes, replies (also from a response template), requests for
information, logged time and decisions on applications; and the work queue's saved views.

Staff actions take the case as the caller read it (through cases.access) and, where two people
may act at once, the version they saw: a stale version raises StaleCase and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases.lifecycle import (
    StaleCase,
    bump,
    localised,
    notify_followers,
    publish,
    record_event,
    require,
    set_status,
    sla_due_dates,
    tracking_context,
)
from insieme.cases.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Case,
    CaseEvent,
    Decision,
    ResponseTemplate,
    SavedView,
    Status,
    TimeLog,
)
from insieme.catalog import i18n
from insieme.catalog.models import ServiceKind
from insieme.core import audit, notify
from insieme.core.access import has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm


def change_status(
    actor, case: Case, to_status: str, *, note: str = "", expected_version: int | None = None
) -> Case:
    """Move a case along an allowed transition, with an optional public note."""
    require(actor, Perm.CASE_HANDLE, case)
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
        from_status = set_status(case, to_status, now, expected_version)
        event = record_event(
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
        notify_followers(
            case,
            "case_status",
            {"from_status": from_status, "note": note},
            public={"from_status": from_status, "note": localised(event.public_text)},
        )
        publish(
            "case.status_changed",
            case,
            text=event.public_text,
            from_status=from_status,
            to_status=to_status,
        )
    return case


def reply(actor, case: Case, text: str, *, public: bool = True) -> CaseEvent:
    """A public reply to the citizen (and the public page, for public cases) or an internal note."""
    require(actor, Perm.CASE_HANDLE, case)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    now = timezone.now()
    with transaction.atomic():
        kind = CaseEvent.Kind.PUBLIC_REPLY if public else CaseEvent.Kind.INTERNAL_NOTE
        event = record_event(case, kind, actor, public=public, text=text, at=now)
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
            notify_followers(
                case, "case_reply", {"text": text}, public={"text": localised(event.public_text)}
            )
            publish("case.public_reply", case, text=event.public_text)
    return event


def request_information(
    actor, case: Case, *, text: str, field_code: str = "", expected_version: int | None = None
) -> CaseEvent:
    """Ask the citizen for missing information, naming the form field (or document) lacking it."""
    require(actor, Perm.CASE_HANDLE, case)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what is missing.")})
    if case.status not in OPEN_STATUSES or case.status == Status.WAITING_CITIZEN:
        raise ValidationError(_("Information can be requested only on a case being handled."))
    now = timezone.now()
    with transaction.atomic():
        from_status = set_status(case, Status.WAITING_CITIZEN, now, expected_version)
        event = record_event(
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
                {"case": case, "text": text, **tracking_context(case)},
                language=case.language,
            )
        publish(
            "case.information_requested",
            case,
            text=event.public_text,
            field_code=field_code[:60],
            from_status=from_status,
            to_status=Status.WAITING_CITIZEN,
        )
    return event


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
    require(actor, Perm.CASE_HANDLE, case)
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
        Case.objects.filter(pk=case.pk).update(
            staff_minutes=F("staff_minutes") + minutes, updated_at=now
        )
        case.staff_minutes += minutes
        case.updated_at = now
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
    require(actor, Perm.CASE_HANDLE, case)
    if template.administration_id != case.administration_id or (
        template.service_id and template.service_id != case.service_id
    ):
        raise ValidationError({"template": _("This reply is not for this service.")})
    body = (text or "").strip() or render_template(template.body, case, actor)
    with transaction.atomic():
        if template.status and template.status != case.status:
            change_status(actor, case, template.status, expected_version=expected_version)
        elif expected_version is not None:
            bump(case, {}, expected_version)
        return reply(actor, case, body, public=True)


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
    require(actor, Perm.CASE_HANDLE, case)
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
        from_status = set_status(case, to_status, now, expected_version)
        Case.objects.filter(pk=case.pk).update(
            decision=decision, decision_reasons=reasons, decision_provision=provision
        )
        case.decision, case.decision_reasons, case.decision_provision = (
            decision,
            reasons,
            provision,
        )
        event = record_event(
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
        notify_followers(
            case,
            "case_status",
            {"from_status": from_status, "note": reasons},
            public={"from_status": from_status, "note": localised(event.public_text)},
        )
        publish(
            "case.status_changed",
            case,
            text=event.public_text,
            from_status=from_status,
            to_status=to_status,
        )
    return case


# --- saved views of the work queue -------------------------------------------------------------


def save_view(user, admin: Administration, *, name: str, query: str) -> SavedView:
    """Save (or overwrite) the person's queue filter `query` under `name`."""
    if not getattr(user, "is_authenticated", False) or not has_perm(user, Perm.CASE_READ, admin):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name (at most 80 characters).")})
    with transaction.atomic():
        view = SavedView.objects.filter(user=user, administration=admin, name=name).first()
        before = audit.snapshot(view, ["name", "query"]) if view else None
        view = view or SavedView(user=user, administration=admin, name=name)
        view.query = query
        view.full_clean(exclude=["user", "administration"])
        action = "queue_view.update" if before else "queue_view.create"
        audit.save_and_record(user, view, action, admin, before=before)
    return view


def delete_view(user, view: SavedView) -> None:
    if view.user_id != getattr(user, "pk", None):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=user,
            action="queue_view.delete",
            obj=view,
            before=audit.snapshot(view, ["name", "query"]),
            administration=view.administration,
        )
        view.delete()
