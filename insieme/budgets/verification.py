"""Who may cast a ballot: a person verified as a resident of the administration, through one
interface, `Verifier`, whatever the method.

- `RegisterVerifier`: the citizen types their fiscal code and birth date; they are hashed with
  the register's key and looked up in the resident register the administration uploaded (which
  holds hashes only). Rate-limited per person, so the register cannot be probed.
- `CounterVerifier`: an employee holding `budgets:voter:verify` sees a document at the counter,
  notes its type (never its number) and types the fiscal code and birth date from it, which are
  hashed the same way (the person need not be in the register: the counter is the way in for
  those the register misses).
- `IdentityProviderVerifier`: for an eID login (SPID, CIE) later on. The identity provider
  vouches for the fiscal code and birth date; the login's callback calls
  `IdentityProviderVerifier().verify(user, administration, fiscal_code=..., birth_date=...)`
  with the attributes of the assertion, and may require the register (`require_register=True`)
  where only residents vote. Nothing else changes: ballots ask only whether a Verification
  exists.

Every method stores the same keyed hash (`identity_hash`), unique per administration: one
resident verifies one account, also across methods. Each verification appends an audit entry
with its method, never the values.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.budgets import register as reg
from insieme.budgets.models import (
    DocumentType,
    RegisterEntry,
    ResidentRegister,
    Verification,
    VerificationMethod,
)
from insieme.core import audit
from insieme.core.access import has_perm
from insieme.core.models import Administration, User
from insieme.core.permissions import Perm
from insieme.core.throttle import Rate, SlidingWindow
from insieme.participation.actions import RateLimited

SELF_CHECK_RATE = Rate(5, 3600)  # register self-checks per person per hour
_SELF_CHECKS = SlidingWindow("budgets-register-check")


class Verifier(Protocol):
    """Verifies a person as a resident of an administration; the evidence depends on the
    method. Returns the person's Verification (the existing one when already verified);
    raises ValidationError with a sentence for the person when the evidence does not do."""

    method: ClassVar[str]

    def verify(self, user, administration: Administration, **evidence) -> Verification: ...


def register_for(administration: Administration) -> ResidentRegister:
    """The administration's register row (made on first use, with its salt)."""
    import secrets

    found = ResidentRegister.objects.filter(administration=administration).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ResidentRegister.objects.create(
                administration=administration, salt=secrets.token_hex(16)
            )
    except IntegrityError:
        return ResidentRegister.objects.get(administration=administration)


def hash_for(administration: Administration, fiscal_code: str, birth_date) -> str:
    """The keyed hash of a resident of `administration` (ValidationError for invalid values)."""
    key = reg.register_key(register_for(administration).salt)
    try:
        return reg.identity_hash(key, fiscal_code, birth_date)
    except reg.InvalidValue as exc:
        raise ValidationError(str(exc)) from exc


def verification_of(user, administration: Administration) -> Verification | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Verification.objects.filter(user=user, administration=administration).first()


def _record(
    user,
    administration: Administration,
    method: str,
    digest: str,
    *,
    verified_by=None,
    document_type: str = "",
) -> Verification:
    """The verification row, once per person and per resident (see the module's docstring)."""
    existing = verification_of(user, administration)
    if existing is not None:
        if existing.identity_hash != digest:
            raise ValidationError(
                _("This account is already verified as another resident of %(admin)s.")
                % {"admin": administration.display_name}
            )
        return existing
    taken = _(
        "This resident is already verified with another account. Each resident votes "
        "with one account: use that one, or ask the counter for help."
    )
    if Verification.objects.filter(administration=administration, identity_hash=digest).exists():
        raise ValidationError(taken)
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                user=user,
                administration=administration,
                method=method,
                identity_hash=digest,
                document_type=document_type,
                verified_at=timezone.now(),
                verified_by=verified_by,
            )
            audit.record(
                actor=verified_by or user,
                action="budgets.voter_verified",
                obj=verification,
                # The method and who, never the hash, the code or the date.
                after={"user": user.pk, "method": method, "document_type": document_type},
                administration=administration,
            )
    except IntegrityError as exc:  # a race: the same person, or the same resident, meanwhile
        existing = verification_of(user, administration)
        if existing is not None and existing.identity_hash == digest:
            return existing
        raise ValidationError(taken) from exc
    return verification


class RegisterVerifier:
    """The citizen's self-check against the resident register."""

    method: ClassVar[str] = VerificationMethod.REGISTER

    def verify(self, user, administration, *, fiscal_code: str = "", birth_date=None, **_extra):
        if not isinstance(user, User) or not user.is_authenticated:
            raise PermissionDenied
        register = ResidentRegister.objects.filter(administration=administration).first()
        if register is None or not register.entries_count:
            raise ValidationError(
                _(
                    "%(admin)s has not uploaded its resident register: ask at the counter to be "
                    "verified."
                )
                % {"admin": administration.display_name}
            )
        decision = _SELF_CHECKS.acquire(str(user.pk), SELF_CHECK_RATE)
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
        try:
            digest = reg.identity_hash(reg.register_key(register.salt), fiscal_code, birth_date)
        except reg.InvalidValue as exc:
            raise ValidationError(str(exc)) from exc
        if not RegisterEntry.objects.filter(register=register, entry_hash=digest).exists():
            raise ValidationError(
                _(
                    "We did not find this fiscal code with this birth date in the resident "
                    "register of %(admin)s. Check both, or go to the counter with a document."
                )
                % {"admin": administration.display_name}
            )
        return _record(user, administration, self.method, digest)


class CounterVerifier:
    """An employee verifies a person in front of them, after seeing a document."""

    method: ClassVar[str] = VerificationMethod.COUNTER

    def __init__(self, employee) -> None:
        self.employee = employee

    def verify(
        self,
        user,
        administration,
        *,
        fiscal_code: str = "",
        birth_date=None,
        document_type: str = "",
        **_extra,
    ):
        if not has_perm(self.employee, Perm.VOTER_VERIFY, administration):
            raise PermissionDenied
        if not isinstance(user, User) or not user.is_active:
            raise ValidationError(_("Choose the person's account."))
        if document_type not in DocumentType.values:
            raise ValidationError({"document_type": _("Choose the type of document you saw.")})
        digest = hash_for(administration, fiscal_code, birth_date)
        return _record(
            user,
            administration,
            self.method,
            digest,
            verified_by=self.employee,
            document_type=document_type,
        )


class IdentityProviderVerifier:
    """For an eID login (SPID, CIE): the provider has verified the fiscal code and the birth
    date; `require_register` also asks the resident register."""

    method: ClassVar[str] = VerificationMethod.EID

    def __init__(self, require_register: bool = False) -> None:
        self.require_register = require_register

    def verify(self, user, administration, *, fiscal_code: str = "", birth_date=None, **_extra):
        digest = hash_for(administration, fiscal_code, birth_date)
        if self.require_register:
            register = register_for(administration)
            if not RegisterEntry.objects.filter(register=register, entry_hash=digest).exists():
                raise ValidationError(
                    _("You are not in the resident register of %(admin)s.")
                    % {"admin": administration.display_name}
                )
        return _record(user, administration, self.method, digest)


VERIFIERS: dict[str, type] = {
    VerificationMethod.REGISTER: RegisterVerifier,
    VerificationMethod.COUNTER: CounterVerifier,
    VerificationMethod.EID: IdentityProviderVerifier,
}
