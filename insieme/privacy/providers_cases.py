"""What the cases app holds about a person, for the copy of their own data
(insieme.privacy.export). It lives here, not in insieme.cases, which must not grow; it reads
the cases' models and the filer's own view of them (insieme.cases.access), registered from
PrivacyConfig.ready().

A person's requests are exported as they see them on their own case page: what they wrote
(description, answers, address, contact details), the dates and the status, and the timeline
the filer reads, with every text as written (not the public, redacted copy). Left out on
purpose: internal notes and every event staff did not make public (assignments, hand-offs,
shares, escalations), the time staff logged, who of the staff handled the case, the duplicate
check's text signature, the private link's secret, and other people's requests, except the
public reference and service of the public requests the person follows.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import Attachment, Case, CaseEvent, Follower, Rating
from insieme.catalog.i18n import LocalText
from insieme.catalog.models import Datatype
from insieme.core.registry import PersonalData

# Events whose text staff wrote for the filer (the citizen's timeline says "the administration").
STAFF_WORDS = frozenset(
    {
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.PUBLIC_REPLY,
        CaseEvent.Kind.INFO_REQUESTED,
        CaseEvent.Kind.DECISION,
        CaseEvent.Kind.DUPLICATE,
    }
)

CASE_LABELS = {
    "reference": gettext_lazy("reference"),
    "administration": gettext_lazy("Administration"),
    "service": gettext_lazy("Service"),
    "kind": gettext_lazy("kind"),
    "status": gettext_lazy("status"),
    "public": gettext_lazy("public"),
    "channel": gettext_lazy("channel"),
    "filed_by_staff": gettext_lazy("Filed for you by the administration"),
    "submitted_at": gettext_lazy("Submitted"),
    "acknowledged_at": gettext_lazy("Acknowledged"),
    "resolve_due_at": gettext_lazy("Due"),
    "resolved_at": gettext_lazy("Resolved"),
    "closed_at": gettext_lazy("Closed"),
    "decision": gettext_lazy("Decision"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "language": gettext_lazy("Language"),
    "answers": gettext_lazy("answers"),
    "address": gettext_lazy("address"),
    "lat": gettext_lazy("latitude"),
    "lon": gettext_lazy("longitude"),
    "contact_name": gettext_lazy("name"),
    "contact_email": gettext_lazy("e-mail"),
    "contact_phone": gettext_lazy("phone"),
    "form_seconds": gettext_lazy("seconds spent on the form"),
    "messages": gettext_lazy("Messages"),
    "at": gettext_lazy("When"),
    "from": gettext_lazy("From"),
    "text": gettext_lazy("Text"),
    "asked_for": gettext_lazy("Information requested"),
    "attachments": gettext_lazy("Attachments"),
    "name": gettext_lazy("name"),
    "content_type": gettext_lazy("Type"),
    "size": gettext_lazy("Size (bytes)"),
    "uploaded_at": gettext_lazy("Added on"),
}

RATING_LABELS = {
    "reference": gettext_lazy("reference"),
    "score": gettext_lazy("Rating (1 to 5)"),
    "comment": gettext_lazy("Comment"),
    "at": gettext_lazy("When"),
}

FOLLOW_LABELS = {
    "reference": gettext_lazy("reference"),
    "administration": gettext_lazy("Administration"),
    "service": gettext_lazy("Service"),
    "me_too": gettext_lazy("You reported it too"),
    "since": gettext_lazy("Since"),
}


def _cases(user):
    return (
        Case.objects.filter(submitted_by=user)
        .select_related("service", "administration")
        .prefetch_related("service__attributes")
        .order_by("submitted_at", "pk")
    )


def _events_by_case(user) -> dict[int, list[CaseEvent]]:
    """The timeline each of the person's cases shows them (as access.events_for_submitter
    reads it for one case), for all their cases in one query: public events and their own
    answers, never internal notes."""
    events = (
        CaseEvent.objects.filter(case__submitted_by=user)
        .filter(Q(is_public=True) | Q(kind=CaseEvent.Kind.INFO_PROVIDED, actor=user))
        .exclude(kind=CaseEvent.Kind.INTERNAL_NOTE)
        .order_by("created_at", "pk")
    )
    grouped: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in events:
        grouped[event.case_id].append(event)
    return grouped


def _attachments_by_case(user) -> dict[int, list[Attachment]]:
    # Only files citizens send are stored today; a file on an internal note would be staff's.
    files = (
        Attachment.objects.filter(case__submitted_by=user)
        .exclude(event__kind=CaseEvent.Kind.INTERNAL_NOTE)
        .order_by("created_at", "pk")
    )
    grouped: dict[int, list[Attachment]] = defaultdict(list)
    for item in files:
        grouped[item.case_id].append(item)
    return grouped


def _answers(case: Case) -> dict:
    """The form's answers by question, as the filer's page words them (a choice by its name);
    an answer whose question is gone from the form keeps its code."""
    from insieme.cases.citizen.views import answer_rows

    given = case.answers or {}
    # answer_rows walks the answered questions in this order: each row is one of them.
    asked = sorted(
        (a for a in case.service.attributes.all() if a.code in given),
        key=lambda a: (a.order, a.code),
    )
    rows = {}
    for attribute, (label, text) in zip(asked, answer_rows(case), strict=True):
        # What the person typed is in their language; a choice's name is the form's.
        typed = attribute.datatype in (Datatype.STRING, Datatype.TEXT)
        rows[str(label)] = LocalText(text, case.language) if typed else text
    known = {a.code for a in asked}
    for code, value in given.items():
        if code not in known:
            rows[code] = LocalText(str(value), case.language)
    return rows


def _message(case: Case, event: CaseEvent, user) -> dict:
    from insieme.cases.citizen.views import field_label

    by_person = event.actor_id == user.pk
    if by_person:
        sender = _("You")
    elif event.kind in STAFF_WORDS:
        sender = _("The administration")
    else:
        sender = ""
    title = str(CaseEvent.Kind(event.kind).label) if event.kind in CaseEvent.Kind.values else ""
    if event.kind == CaseEvent.Kind.STATUS and event.to_status:
        title = _("Status: %(status)s") % {"status": _status_label(event.to_status)}
    message = {
        "at": event.created_at,
        "kind": title,
        "from": sender,
        "text": LocalText(event.text, case.language) if by_person else event.text,
    }
    if event.kind == CaseEvent.Kind.INFO_REQUESTED and event.field_code:
        message["asked_for"] = field_label(case, event.field_code)
    return message


def _status_label(code: str) -> str:
    from insieme.cases.models import Status

    return str(Status(code).label) if code in Status.values else code


def _file(item: Attachment) -> dict:
    return {
        "name": item.original_name or item.file.name.rsplit("/", 1)[-1],
        "content_type": item.content_type,
        "size": item.size,
        "uploaded_at": item.created_at,
    }


def _case(case: Case, events: list[CaseEvent], files: list[Attachment], user) -> dict:
    written = case.language
    return {
        "reference": case.reference,
        "administration": case.administration.display_name,
        "service": case.service.i18n.name,
        "kind": case.get_kind_display(),
        "status": case.get_status_display(),
        "public": case.is_public,
        "channel": case.get_channel_display(),
        "filed_by_staff": bool(case.filed_by_id and case.filed_by_id != user.pk),
        "submitted_at": case.submitted_at,
        "acknowledged_at": case.acknowledged_at,
        "resolve_due_at": case.resolve_due_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "decision": case.get_decision_display(),
        "title": LocalText(case.title, written),
        "description": LocalText(case.description, written),
        "language": written,
        "answers": _answers(case),
        "address": LocalText(case.address, written),
        "lat": case.lat,
        "lon": case.lon,
        "contact_name": case.contact_name,
        "contact_email": case.contact_email,
        "contact_phone": case.contact_phone,
        "form_seconds": case.form_seconds,
        "messages": [_message(case, e, user) for e in events],
        "attachments": [_file(f) for f in files],
    }


def cases(user) -> list[dict]:
    """The person's requests and applications, each with its timeline and files' names."""
    events = _events_by_case(user)
    files = _attachments_by_case(user)
    return [_case(c, events.get(c.pk, []), files.get(c.pk, []), user) for c in _cases(user)]


def ratings(user) -> list[dict]:
    rows = Rating.objects.filter(user=user).select_related("case").order_by("created_at", "pk")
    return [
        {
            "reference": r.case.reference,
            "score": r.score,
            "comment": LocalText(r.comment, r.case.language),
            "at": r.created_at,
        }
        for r in rows
    ]


def follows(user) -> list[dict]:
    rows = (
        Follower.objects.filter(user=user)
        .select_related("case__service", "case__administration")
        .order_by("created_at", "pk")
    )
    return [
        {
            "reference": f.case.reference,
            "administration": f.case.administration.display_name,
            "service": f.case.service.i18n.name,
            "me_too": f.me_too,
            "since": f.created_at,
        }
        for f in rows
    ]


SECTIONS = (
    PersonalData(
        "cases",
        gettext_lazy("Your requests"),
        cases,
        app="cases",
        labels=CASE_LABELS,
        note=gettext_lazy(
            "Each request as you see it on its page, with the texts as you wrote them. The "
            "notes staff write for their own work are not included: ask the administration's "
            "data protection officer for them."
        ),
        order=20,
    ),
    PersonalData(
        "case_ratings",
        gettext_lazy("Your ratings of requests"),
        ratings,
        app="cases",
        labels=RATING_LABELS,
        order=21,
    ),
    PersonalData(
        "case_follows",
        gettext_lazy("Requests you follow"),
        follows,
        app="cases",
        labels=FOLLOW_LABELS,
        order=22,
    ),
)
