"""The one write path of sign-in with a digital identity: find the person's account (or create it),
link the identity to it, record what happened in the audit log.

Whose account is it, in this order:
1. the account this identity (issuer and subject) is linked to already;
2. the account linked to another identity with the same fiscal code (the same person through
   another SPID identity provider, or through CIE);
3. the account with the same e-mail address, ONLY when the provider says it verified the address,
   and never an account that a different fiscal code is linked to;
4. none: a new citizen account (its address verified when the provider says so, else a
   confirmation link is e-mailed), unless accounts are not to be created on sign-in.
Someone already signed in who goes through the provider links the identity to their own account,
unless it belongs to another one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from insieme.core import actions as core_actions
from insieme.core import audit
from insieme.core.models import User
from insieme.identity import config
from insieme.identity.claims import Person
from insieme.identity.errors import SignInError
from insieme.identity.models import Identity


@dataclass(frozen=True)
class Outcome:
    user: User
    identity: Identity
    matched_by: str  # "identity", "fiscal_code", "email", "created" or "signed_in"
    linked: bool  # the identity was linked to the account by this sign-in


def _by_fiscal_code(person: Person) -> User | None:
    if not person.fiscal_code:
        return None
    owners = set(
        Identity.objects.filter(fiscal_code_hash=person.fiscal_code_hash).values_list(
            "user_id", flat=True
        )
    )
    if len(owners) > 1:
        raise SignInError("conflict", f"{len(owners)} accounts share a fiscal code")
    return User.objects.filter(pk__in=owners).first()


def _by_email(person: Person) -> User | None:
    if not (person.email and person.email_verified):
        return None
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        return None
    if person.fiscal_code:
        # An account that another person's fiscal code is linked to is not this person's, even
        # with the same address (a shared family address, a reassigned mailbox).
        others = (
            Identity.objects.filter(user=user)
            .exclude(fiscal_code_hash="")
            .exclude(fiscal_code_hash=person.fiscal_code_hash)
        )
        if others.exists():
            return None
    return user


def _create(person: Person) -> User:
    if not config.options().get("CREATE_ACCOUNTS", True):
        raise SignInError("no_account")
    if not person.email:
        raise SignInError("no_email")
    if User.objects.filter(email__iexact=person.email).exists():
        raise SignInError("email_taken")
    language = (get_language() or "en")[:2]
    try:
        with transaction.atomic():
            user = core_actions.create_user(
                None,
                email=person.email,
                full_name=person.full_name or person.email.split("@", 1)[0],
                password=None,  # an unusable password: a reset link sets one
                verified=person.email_verified,
                preferred_language=language if language in ("en", "it") else "en",
            )
    except (ValidationError, IntegrityError) as exc:
        raise SignInError("email_taken", "the account could not be created") from exc
    if user.email_verified_at is None:
        transaction.on_commit(lambda: core_actions.send_verification(user, background=True))
    return user


def _find(person: Person, identity: Identity | None, current: User | None) -> tuple[User, str]:
    owner, how = None, ""
    if identity is not None:
        owner, how = identity.user, "identity"
    else:
        owner = _by_fiscal_code(person)
        how = "fiscal_code" if owner is not None else ""
    if current is not None:
        if owner is not None and owner.pk != current.pk:
            raise SignInError("linked_elsewhere")
        return current, how or "signed_in"
    if owner is None:
        owner = _by_email(person)
        how = "email" if owner is not None else ""
    if owner is None:
        return _create(person), "created"
    return owner, how


def _link(user: User, identity: Identity | None, person: Person, how: str) -> tuple[Identity, bool]:
    now = timezone.now()
    if identity is not None:
        identity.last_used_at = now
        identity.assurance = person.assurance
        if person.fiscal_code:
            identity.fiscal_code_hash = person.fiscal_code_hash
        identity.save(update_fields=["last_used_at", "assurance", "fiscal_code_hash"])
        return identity, False
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                user=user,
                issuer=person.issuer,
                subject=person.subject,
                fiscal_code_hash=person.fiscal_code_hash,
                assurance=person.assurance,
                linked_at=now,
                last_used_at=now,
            )
    except IntegrityError as exc:  # the same identity, linked meanwhile by another request
        raise SignInError("state", "the identity was linked meanwhile") from exc
    audit.record(
        actor=user,
        action="identity.link",
        obj=identity,
        # The provider and how the account was found; never the subject or the fiscal code.
        after={"user": user.pk, "issuer": person.issuer, "matched_by": how},
    )
    return identity, True


def _vouch_for_email(user: User, person: Person) -> None:
    """The provider verified the address the account has: so is it, for us."""
    if not (person.email_verified and user.email_verified_at is None):
        return
    if user.email.lower() != person.email:
        return
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit.record(
        actor=user,
        action="user.verify_email",
        obj=user,
        before={"email_verified_at": None},
        after={
            "email": user.email,
            "email_verified_at": user.email_verified_at,
            "by": "identity provider",
        },
    )


def sign_in(person: Person, *, current_user: User | None = None) -> Outcome:
    """Find or create the account of `person` (see the module's docstring), link the identity,
    and audit the sign-in. `current_user`: the account signed in already in this browser, if
    any (then the identity is linked to it). Raises SignInError and writes nothing when the
    person cannot be signed in."""
    with transaction.atomic():
        identity = (
            Identity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=person.issuer, subject=person.subject)
            .first()
        )
        user, how = _find(person, identity, current_user)
        if not user.is_active:
            raise SignInError("inactive")
        identity, linked = _link(user, identity, person, how)
        _vouch_for_email(user, person)
        audit.record(
            actor=user,
            action="identity.sign_in",
            obj=identity,
            after={"issuer": person.issuer, "matched_by": how, "assurance": person.assurance},
        )
    return Outcome(user=user, identity=identity, matched_by=how, linked=linked)


def unlink_all(user: User) -> int:
    """Forget every identity of `user` (the erasure of their account). Call inside the erasure's
    transaction."""
    count, _per_model = Identity.objects.filter(user=user).delete()
    return count
