"""Merging a duplicate report into the case it repeats: its followers move over, its filer is
told, and it closes as a duplicate."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases.lifecycle import (
    notify_followers,
    publish,
    record_event,
    require,
    set_status,
)
from insieme.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    Follower,
    Status,
)
from insieme.core import audit
from insieme.core.permissions import Perm


def merge_duplicate(actor, duplicate: Case, into: Case, *, expected_version=None) -> Case:
    """Close `duplicate` as a duplicate of `into`: its followers (the filer first), attachments
    and timeline move to the kept case; the duplicate keeps one event pointing there."""
    require(actor, Perm.CASE_HANDLE, duplicate)
    require(actor, Perm.CASE_HANDLE, into)
    if duplicate.pk == into.pk or into.duplicate_of_id == duplicate.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    if duplicate.administration_id != into.administration_id:
        raise ValidationError({"into": _("Choose a case of this administration.")})
    if Status.DUPLICATE not in TRANSITIONS.get(duplicate.status, frozenset()):
        raise ValidationError(_("This case can no longer be marked as a duplicate."))
    now = timezone.now()
    with transaction.atomic():
        from_status = set_status(duplicate, Status.DUPLICATE, now, expected_version)
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
        record_event(
            duplicate,
            CaseEvent.Kind.DUPLICATE,
            actor,
            from_status=from_status,
            to_status=Status.DUPLICATE,
            data={"into": into.reference},
            at=now,
        )
        record_event(
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
        notify_followers(
            duplicate,
            "case_status",
            {
                "from_status": from_status,
                "note": _("The same problem was already reported: %(ref)s.")
                % {"ref": into.reference},
            },
        )
        publish(
            "case.status_changed",
            duplicate,
            from_status=from_status,
            to_status=Status.DUPLICATE,
            duplicate_of=into.reference,
        )
    return into
