"""Setting an administration's thresholds (audited), and reading a cell's verdicts: the
measured status of a cell (its worst indicator status) and whether it disagrees with what
employees report in the staff survey."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.core.registry import indicators
from insieme.insights.models import Status, Threshold

# Staff agreeing with a cell's statements: at or above this share they see it working, at or
# below the other they see a problem (in between: mixed views).
PERCEIVED_WORKS, PERCEIVED_PROBLEM = 0.6, 0.4
_RANK = {Status.REALISED: 0, Status.WATCH: 1, Status.CHALLENGE: 2}


def set_threshold(
    actor, admin: Administration, key: str, realised: float | None, challenge: float | None
) -> Threshold | None:
    """Set (or, with both None, remove) the pair for one indicator."""
    require_perm(actor, Perm.THRESHOLD_MANAGE, admin.pk)
    if key not in indicators:
        raise ValidationError(
            _("No Scorecard indicator has the key “%(key)s”.") % {"key": key[:80]}
        )
    better = indicators.get(key).better
    existing = Threshold.objects.filter(administration=admin, indicator_key=key).first()
    if realised is None and challenge is None:
        if existing is not None:
            with transaction.atomic():
                audit.record(
                    actor=actor,
                    action="insights.threshold_removed",
                    obj=existing,
                    before=audit.snapshot(existing, ["realised", "challenge"]),
                    administration=admin,
                )
                existing.delete()
        return None
    if better not in ("higher", "lower"):
        raise ValidationError(
            _("This indicator has no better direction, so it takes no thresholds.")
        )
    if realised is None or challenge is None:
        raise ValidationError(_("Give both values, or neither to remove the thresholds."))
    if (better == "higher" and realised <= challenge) or (
        better == "lower" and realised >= challenge
    ):
        raise ValidationError(
            _("Higher is better here: the benefit must be realised above the challenge.")
            if better == "higher"
            else _("Lower is better here: the benefit must be realised below the challenge.")
        )
    if existing and (existing.realised, existing.challenge) == (realised, challenge):
        return existing  # nothing changes, nothing is written
    before = audit.snapshot(existing, ["realised", "challenge"]) if existing else None
    threshold = existing or Threshold(administration=admin, indicator_key=key)
    threshold.realised, threshold.challenge = realised, challenge
    threshold.updated_by = actor if getattr(actor, "pk", None) else None
    threshold.updated_at = timezone.now()
    with transaction.atomic():
        threshold.save()
        audit.record(
            actor=actor,
            action="insights.threshold_set",
            obj=threshold,
            before=before,
            after={"realised": realised, "challenge": challenge},
            administration=admin,
        )
    return threshold


def for_administration(admin: Administration) -> dict[str, Threshold]:
    return {t.indicator_key: t for t in Threshold.objects.filter(administration=admin)}


def worst(statuses: list[str | None]) -> str | None:
    found = [s for s in statuses if s]
    return max(found, key=lambda s: _RANK[s]) if found else None


def disagreement(measured: str | None, perceived: dict | None) -> str:
    """ "" when they agree or one side is missing; else what differs, in words."""
    if measured is None or perceived is None:
        return ""
    share = perceived["agree_share"]
    if measured == Status.CHALLENGE and share >= PERCEIVED_WORKS:
        return _("Staff see it working; the measures show a challenge.")
    if measured == Status.REALISED and share <= PERCEIVED_PROBLEM:
        return _("The measures show the benefit realised; staff do not see it.")
    return ""
