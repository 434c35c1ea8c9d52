"""Writes of retention policies: validate, write in a transaction, audit (DESIGN.md §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.privacy.models import RetentionPolicy


def _check(months: int | None) -> None:
    if months is not None and not (isinstance(months, int) and 1 <= months <= 600):
        raise ValidationError(_("A period is from 1 to 600 months."))


def set_policy(actor, administration, months: int | None, service=None) -> RetentionPolicy | None:
    """The administration's default (service None) or a service's own period; `months` None
    removes it. Returns the policy in force afterwards (None when removed)."""
    _check(months)
    if service is not None and service.administration_id != administration.pk:
        raise ValidationError(_("That service is not this administration's."))
    with transaction.atomic():
        policy = (
            RetentionPolicy.objects.select_for_update()
            .filter(administration=administration, service=service)
            .first()
        )
        before = {"months": policy.months} if policy else None
        if months is None:
            if policy is None:
                return None
            policy.delete()
            after, result = None, None
        else:
            if policy is None:
                policy = RetentionPolicy(administration=administration, service=service)
            policy.months = months
            policy.save()
            after, result = {"months": months}, policy
        audit.record(
            actor=actor,
            action="privacy.retention_policy",
            object_type="privacy.retentionpolicy",
            object_id=f"{administration.pk}:{service.pk if service else 'default'}",
            administration=administration,
            before=before,
            after=after,
        )
    return result
