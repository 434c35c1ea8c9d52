"""The one write of consent: a person gives or withdraws their consent to an optional
processing. Validate, append in a transaction, audit (DESIGN.md §3)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.models import User
from insieme.core.registry import consent_purposes
from insieme.privacy import consents
from insieme.privacy.models import Consent

ACTION = "privacy.consent"


def decide(actor, user: User, key: str, granted: bool, *, at: dt.datetime | None = None):
    """Record `user`'s decision about the purpose `key`: consent given (`granted`) or
    withdrawn, to the purpose's current version. Returns the new row, or None when nothing
    changes: the latest decision already says the same about the same version (a second
    click), or a withdrawal of a consent never given. So every row that withdraws follows one
    that gave.

    Only the person decides: `actor` is `user`, or the label of what acted for nobody (the
    demo); anyone else is refused (PermissionDenied), staff included, since consent given on
    someone's behalf is no consent. The audit entry records the purpose, the answer and the
    version, before and after, and nothing else about the person. `at` backdates the decision
    (the demo's history); the page never passes it. ValidationError for a purpose no app
    registers or a closed account."""
    if isinstance(actor, User) and actor.pk != user.pk:
        raise PermissionDenied
    if key not in consent_purposes:
        raise ValidationError(_("This site does not ask consent for that."))
    if not user.is_active:
        raise ValidationError(_("This account is closed."))
    purpose = consent_purposes.get(key)
    with transaction.atomic():
        # One decision of a person at a time: two clicks at once would both read the same
        # latest row (PostgreSQL; SQLite serialises writers itself).
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        previous = consents.latest(user, key)
        if previous is None and not granted:
            return None  # never given: there is nothing to withdraw
        if (
            previous is not None
            and previous.granted == granted
            and previous.version == purpose.version
        ):
            return None
        row = Consent.objects.create(
            user=user,
            purpose=key,
            granted=granted,
            version=purpose.version,
            decided_at=at or timezone.now(),
        )
        audit.record(
            actor=actor,
            action=ACTION,
            obj=row,
            before=_state(previous),
            after=_state(row),
        )
    return row


def _state(row: Consent | None) -> dict | None:
    if row is None:
        return None
    return {"purpose": row.purpose, "granted": row.granted, "version": row.version}
