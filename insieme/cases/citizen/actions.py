"""The citizen's own follow-up: following a case ("me too"), withdrawing, answering a request for
information, rating the outcome. Each validates, writes in one transaction and audits."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases.lifecycle import (
    MAX_DESCRIPTION,
    notify_staff,
    publish,
    record_event,
    save_attachments,
    set_status,
)
from insieme.cases.models import (
    Case,
    CaseEvent,
    Follower,
    Rating,
    Status,
)
from insieme.core import audit
from insieme.core.uploads import clean_uploads


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
            record_event(case, CaseEvent.Kind.FOLLOWED, None, data={"me_too": True})
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


def withdraw_case(user, case: Case, reason: str = "") -> Case:
    """The submitter withdraws an open case: it closes, with the reason on the timeline."""
    _require_submitter(user, case)
    if not case.is_open:
        raise ValidationError(_("Only an open request can be withdrawn."))
    now = timezone.now()
    with transaction.atomic():
        from_status = set_status(case, Status.CLOSED, now)
        record_event(
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
        publish("case.status_changed", case, from_status=from_status, to_status=Status.CLOSED)
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
        from_status = set_status(case, Status.IN_PROGRESS, now)
        event = record_event(
            case,
            CaseEvent.Kind.INFO_PROVIDED,
            user,
            public=False,
            text=text,
            from_status=from_status,
            to_status=Status.IN_PROGRESS,
            at=now,
        )
        count = save_attachments(case, cleaned, user, event, public=False)
        audit.record(
            actor=user if getattr(user, "is_authenticated", False) else None,
            action="case.info_provided",
            obj=case,
            after={"status": case.status, "attachments": count}
            | ({"via": "tracking link"} if by_tracking_link else {}),
            administration=case.administration,
        )
        notify_staff([case.assignee], "case_citizen_answered", case)
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
        # A change to the case: the dashboards' rollups read it again (insieme.dashboards).
        Case.objects.filter(pk=case.pk).update(updated_at=now)
        case.updated_at = now
        record_event(case, CaseEvent.Kind.RATED, user, public=False, data={"score": score}, at=now)
        audit.record(
            actor=user,
            action="case.rate",
            obj=case,
            after={"score": score},
            administration=case.administration,
        )
        publish("case.rated", case, score=score)
    return rating
