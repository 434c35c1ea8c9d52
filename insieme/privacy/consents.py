"""Reading people's decisions about optional processing (the `Consent` rows), and answering
insieme.core.consent for every app (registered as its provider in PrivacyConfig.ready()).

The rows are append-only: a person's latest decision about a purpose, by `decided_at` then id,
is the one that applies. It is in force when it gave consent to the purpose's current version;
a consent given to an earlier version is not (the person agreed to other words), nor is one
for a purpose no app registers any more. Writes: insieme.privacy.actions_consent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from insieme.core import consent
from insieme.core.registry import ConsentPurpose, consent_purposes
from insieme.privacy.models import Consent

NEWEST_FIRST = ("-decided_at", "-pk")


@dataclass(frozen=True)
class State:
    """Where a person stands on one purpose: their latest decision (None: never decided)."""

    purpose: ConsentPurpose
    latest: Consent | None

    @property
    def in_force(self) -> bool:
        return in_force(self.latest, self.purpose)

    @property
    def outdated(self) -> bool:
        """They agreed, but to earlier words: not in force until they agree again."""
        latest = self.latest
        return bool(latest and latest.granted and latest.version != self.purpose.version)


def in_force(decision: Consent | None, purpose: ConsentPurpose) -> bool:
    return bool(decision and decision.granted and decision.version == purpose.version)


def purposes() -> list[ConsentPurpose]:
    """Every registered purpose, in the order the apps registered them."""
    return list(consent_purposes)


def latest(user, key: str) -> Consent | None:
    return Consent.objects.filter(user=user, purpose=key).order_by(*NEWEST_FIRST).first()


def states(user) -> list[State]:
    """The person's standing on every registered purpose (one query)."""
    found: dict[str, Consent] = {}
    rows = Consent.objects.filter(user=user, purpose__in=consent_purposes.keys())
    for row in rows.order_by(*NEWEST_FIRST):
        found.setdefault(row.purpose, row)
    return [State(p, found.get(p.key)) for p in purposes()]


def history(user) -> QuerySet[Consent]:
    """Every decision of the person, newest first."""
    return Consent.objects.filter(user=user).order_by(*NEWEST_FIRST)


def title_of(key: str):
    """What the page calls a purpose: its title, or its key once no app registers it."""
    return consent_purposes.get(key).title if key in consent_purposes else key


# --- the provider of insieme.core.consent ------------------------------------------------------


def given(user, purpose: ConsentPurpose) -> bool:
    return in_force(latest(user, purpose.key), purpose)


def holders(purpose: ConsentPurpose) -> QuerySet:
    """The ids of the people whose latest decision about `purpose` gives consent to its
    current version: a granting row with no later row of the same person and purpose."""
    later = Consent.objects.filter(user=OuterRef("user"), purpose=purpose.key).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk"))
    )
    return (
        Consent.objects.filter(purpose=purpose.key, granted=True, version=purpose.version)
        .exclude(Exists(later))
        .values("user_id")
    )


PROVIDER = consent.Provider(key="privacy", given=given, holders=holders)
