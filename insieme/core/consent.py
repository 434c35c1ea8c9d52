"""Asking whether a person consented to an optional processing, without depending on the app
that keeps the decisions.

An app declares the optional processing it does (`registry.register_consent_purpose`, from its
AppConfig) and asks here before doing it: `given(user, key)` for one person, `holders(key)` for
everyone whose consent is in force. The answers come from a provider, which the data protection
app (insieme.privacy, where people give and withdraw consent) registers at ready(); privacy
depends on the other apps, never the other way round.

Consent is opt-in and never presumed (GDPR art. 7, recital 32): with no provider, for an
anonymous visitor or an account that is closed, the answer is "no". A consent given to an
earlier version of a purpose's words is not in force either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from insieme.core.registry import ConsentPurpose, consent_providers, consent_purposes


@dataclass(frozen=True)
class Provider:
    """What the app keeping the decisions answers.

    - `given(user, purpose)`: whether `user` (signed in, active) consented to `purpose` as it
      reads now, and has not withdrawn since;
    - `holders(purpose)`: the ids of everyone whose consent to `purpose` as it reads now is in
      force, as a queryset of ids, for `pk__in=`."""

    key: str
    given: Callable[[Any, ConsentPurpose], bool]
    holders: Callable[[ConsentPurpose], Any]


def register_provider(provider: Provider) -> Provider:
    """One provider per installation: the first registered answers."""
    return consent_providers.register(provider.key, provider)


def purpose(key: str) -> ConsentPurpose:
    """The registered purpose `key`. A key no app registered is a mistake in the code asking,
    not a "no": LookupError."""
    if key not in consent_purposes:
        raise LookupError(f"no consent purpose {key!r} is registered")
    return consent_purposes.get(key)


def _provider() -> Provider | None:
    return next(iter(consent_providers), None)


def given(user, key: str) -> bool:
    """Whether `user` consented to the purpose `key`, in its current words, and has not
    withdrawn. False for an anonymous visitor, a closed account, or when no app keeps
    decisions."""
    wanted = purpose(key)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    provider = _provider()
    return bool(provider is not None and provider.given(user, wanted))


def holders(key: str) -> Any:
    """The ids of every person whose consent to `key` is in force (a queryset to filter with
    `pk__in=`; an empty tuple when no app keeps decisions). Closed accounts may be among them:
    filter on `is_active` too."""
    wanted = purpose(key)
    provider = _provider()
    return () if provider is None else provider.holders(wanted)
