"""Every write of the staff perception survey: opening and closing a round (staff holding
perception:round:manage, audited) and answering it (an employee of the administration, once,
anonymously: the participation and the answers are written in one transaction, the answers
with no person and in shuffled order; not audited, since an audit entry would name the person
beside the moment)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.models import Administration, Membership, today_in
from insieme.core.permissions import Perm
from insieme.perception.models import Answer, Participation, Round
from insieme.perception.statements import BY_CODE

MAX_DAYS = 92  # a round lasts at most a quarter


class AlreadyAnswered(Exception):
    """The person has answered this round already."""


def open_round(actor, admin: Administration, opens_on: dt.date, closes_on: dt.date) -> Round:
    require_perm(actor, Perm.PERCEPTION_MANAGE, admin.pk)
    if closes_on < opens_on:
        raise ValidationError(_("A round cannot close before it opens."))
    if (closes_on - opens_on).days >= MAX_DAYS:
        raise ValidationError(
            _("A round lasts at most %(days)s days, so that it speaks of one period.")
            % {"days": MAX_DAYS}
        )
    if closes_on < today_in(admin):
        raise ValidationError(_("A round must still be open on its last day: pick a later date."))
    with transaction.atomic():
        overlapping = Round.objects.select_for_update().filter(
            administration=admin,
            closed_early=False,
            opens_on__lte=closes_on,
            closes_on__gte=opens_on,
        )
        if overlapping.exists():
            raise ValidationError(_("Another round of the staff survey covers some of these days."))
        made = Round.objects.create(
            administration=admin,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="perception.round_opened",
            obj=made,
            after={"opens_on": opens_on, "closes_on": closes_on},
            administration=admin,
        )
    return made


def close_round(actor, round_: Round) -> Round:
    require_perm(actor, Perm.PERCEPTION_MANAGE, round_.administration_id)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.closed_early:
            return locked
        locked.closed_early = True
        locked.save(update_fields=["closed_early"])
        audit.record(
            actor=actor,
            action="perception.round_closed",
            obj=locked,
            before={"closed_early": False},
            after={"closed_early": True},
            administration=locked.administration,
        )
    return locked


def may_answer(user, admin: Administration) -> bool:
    """Employees answer for their own administration: an active membership there (staff of a
    region do not answer for the municipalities it hosts)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and Membership.objects.filter(administration=admin, user=user, is_active=True).exists()
    )


def has_answered(user, round_: Round) -> bool:
    return Participation.objects.filter(round=round_, user=user).exists()


def clean_scores(raw: dict[str, object]) -> dict[str, int]:
    """{statement code: 1..5} from submitted values; "" or "0" is "don't know" and left out.
    Unknown codes and values outside the scale raise ValidationError."""
    scores: dict[str, int] = {}
    for code, value in raw.items():
        if code not in BY_CODE:
            raise ValidationError(_("Unknown statement: %(code)s.") % {"code": str(code)[:20]})
        if value in ("", None, "0", 0):
            continue
        try:
            score = int(str(value))
        except ValueError as exc:
            raise ValidationError(_("Answers go from 1 to 5.")) from exc
        if not 1 <= score <= 5:
            raise ValidationError(_("Answers go from 1 to 5."))
        scores[code] = score
    if not scores:
        raise ValidationError(_("Answer at least one statement (or leave the survey for later)."))
    return scores


def answer(user, round_: Round, raw: dict[str, object], seed: int | None = None) -> int:
    """Record one employee's answers to an open round; the number of statements answered."""
    admin = round_.administration
    if not may_answer(user, admin):
        raise PermissionDenied
    round_ = Round.objects.get(pk=round_.pk)  # as it is now: it may have closed meanwhile
    if not round_.is_open(today_in(admin)):
        raise ValidationError(_("This round of the staff survey is not open."))
    scores = clean_scores(raw)
    rows = [Answer(round=round_, statement=code, score=score) for code, score in scores.items()]
    random.Random(seed).shuffle(rows)
    try:
        with transaction.atomic():
            Participation.objects.create(round=round_, user=user)
            Answer.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise AlreadyAnswered from exc
    return len(rows)
