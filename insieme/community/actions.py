"""Every write of the residents' community survey: opening and closing a round (staff holding
community:round:manage, audited) and answering it (a signed-in resident who is not staff of the
administration, once per round, anonymously: the participation and the counters' increments are
written in one transaction; not audited, since an audit entry would name the person beside the
moment and the area)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.community.areas import areas_for
from insieme.community.models import Participation, Round, Tally, Turnout
from insieme.community.statements import BY_CODE, STATEMENTS
from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.models import Administration, Membership, today_in
from insieme.core.permissions import Perm

MAX_DAYS = 92  # a round lasts at most a quarter


class AlreadyAnswered(Exception):
    """The person has answered this round already."""


def open_round(
    actor,
    admin: Administration,
    opens_on: dt.date,
    closes_on: dt.date,
    today: dt.date | None = None,
) -> Round:
    """Open a round over the administration's areas as they are now. `today` is the
    administration's day (the demo writes earlier rounds as of their own days)."""
    require_perm(actor, Perm.COMMUNITY_MANAGE, admin.pk)
    today = today or today_in(admin)
    if closes_on < opens_on:
        raise ValidationError(_("A round cannot close before it opens."))
    if (closes_on - opens_on).days >= MAX_DAYS:
        raise ValidationError(
            _("A round lasts at most %(days)s days, so that it speaks of one period.")
            % {"days": MAX_DAYS}
        )
    if closes_on < today:
        raise ValidationError(_("A round must still be open on its last day: pick a later date."))
    areas = areas_for(admin)
    with transaction.atomic():
        overlapping = Round.objects.select_for_update().filter(
            administration=admin,
            closed_early=False,
            opens_on__lte=closes_on,
            closes_on__gte=opens_on,
        )
        if overlapping.exists():
            raise ValidationError(
                _("Another round of the community survey covers some of these days.")
            )
        made = Round.objects.create(
            administration=admin,
            opens_on=opens_on,
            closes_on=closes_on,
            areas=areas,
            created_by=actor,
            created_at=timezone.now(),
        )
        # Every counter exists from the start: answering only increments.
        Turnout.objects.bulk_create([Turnout(round=made, area=key) for key, _n in areas])
        Tally.objects.bulk_create(
            [
                Tally(round=made, area=key, statement=s.code, score=score)
                for key, _n in areas
                for s in STATEMENTS
                for score in range(1, 6)
            ]
        )
        audit.record(
            actor=actor,
            action="community.round_opened",
            obj=made,
            after={"opens_on": opens_on, "closes_on": closes_on, "areas": len(areas)},
            administration=admin,
        )
    return made


def close_round(actor, round_: Round) -> Round:
    require_perm(actor, Perm.COMMUNITY_MANAGE, round_.administration_id)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.closed_early:
            return locked
        locked.closed_early = True
        locked.save(update_fields=["closed_early"])
        audit.record(
            actor=actor,
            action="community.round_closed",
            obj=locked,
            before={"closed_early": False},
            after={"closed_early": True},
            administration=locked.administration,
        )
    return locked


def is_staff_of(user, admin: Administration) -> bool:
    return Membership.objects.filter(administration=admin, user=user, is_active=True).exists()


def may_answer(user, admin: Administration) -> bool:
    """Residents answer: a signed-in, active person who is not staff of this administration
    (its employees answer the staff survey instead; a municipality's employee may still answer
    the region's survey, as a resident of the region)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and not is_staff_of(user, admin)
    )


def has_answered(user, round_: Round) -> bool:
    return Participation.objects.filter(round=round_, user=user).exists()


def clean_area(round_: Round, value: object) -> str:
    key = str(value or "")
    if key not in round_.area_keys:
        if not key:
            raise ValidationError(_("Choose the area where you live."))
        raise ValidationError(_("Unknown area: choose one of the list."))
    return key


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


def answer(
    user, round_: Round, area: object, raw: dict[str, object], today: dt.date | None = None
) -> int:
    """Record one resident's answers to an open round; the number of statements answered."""
    admin = round_.administration
    if not may_answer(user, admin):
        raise PermissionDenied
    round_ = Round.objects.get(pk=round_.pk)  # as it is now: it may have closed meanwhile
    if not round_.is_open(today or today_in(admin)):
        raise ValidationError(_("This round of the community survey is not open."))
    key = clean_area(round_, area)
    scores = clean_scores(raw)
    try:
        with transaction.atomic():
            Participation.objects.create(round=round_, user=user)
            Turnout.objects.filter(round=round_, area=key).update(people=F("people") + 1)
            chosen = Q()
            for code, score in scores.items():
                chosen |= Q(statement=code, score=score)
            Tally.objects.filter(chosen, round=round_, area=key).update(n=F("n") + 1)
    except IntegrityError as exc:
        raise AlreadyAnswered from exc
    return len(scores)
