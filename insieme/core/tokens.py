"""Tokens carried by e-mailed links: signed (stateless) ones and invitation secrets.

E-mail verification and e-mail change use django.core.signing: the link carries the user's id
and a keyed digest of the address involved (plus, for a change, the new address in clear), signed
with SECRET_KEY and timestamped. No table is needed, and a link stops working by itself once the
address it names is no longer the account's (so an e-mail change link works once). Password
reset uses Django's own token generator (it changes when the password does). Invitations keep
only a SHA-256 of their random secret in the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from insieme.core.models import Invitation, User

VERIFY_SALT = "insieme.core.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600
EMAIL_CHANGE_SALT = "insieme.core.email-change"
EMAIL_CHANGE_MAX_AGE = 24 * 3600


class TokenError(Exception):
    """A link that cannot be used. `status` is the HTTP answer: 404 unknown, 410 no longer valid."""

    status = 404


class TokenInvalid(TokenError):
    status = 404


class TokenExpired(TokenError):
    status = 410


class TokenUsed(TokenError):
    """The link worked once and cannot be used again."""

    status = 410


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict):
        raise TokenInvalid
    return data


def _address_digest(email: str) -> str:
    """A short keyed digest of an address: links name it without showing it in server logs."""
    return signing.Signer(salt="insieme.core.address").signature(email.lower())[:22]


@dataclass(frozen=True)
class VerifyClaim:
    user_id: int
    email_digest: str

    def matches(self, email: str) -> bool:
        return self.email_digest == _address_digest(email)


def make_verify_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": _address_digest(user.email)}, salt=VERIFY_SALT)


def read_verify_token(token: str) -> VerifyClaim:
    """The claim in a verification link; raises TokenInvalid or TokenExpired."""
    data = _load(token, VERIFY_SALT, VERIFY_MAX_AGE)
    try:
        return VerifyClaim(user_id=int(data["u"]), email_digest=str(data["e"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenInvalid from exc


@dataclass(frozen=True)
class EmailChangeClaim:
    """The new address travels in clear (the change needs it); the old one only as a digest."""

    user_id: int
    old_email_digest: str
    new_email: str

    def matches_old(self, email: str) -> bool:
        return self.old_email_digest == _address_digest(email)


def make_email_change_token(user, new_email: str) -> str:
    data = {"u": user.pk, "o": _address_digest(user.email), "n": new_email}
    return signing.dumps(data, salt=EMAIL_CHANGE_SALT)


def read_email_change_token(token: str) -> EmailChangeClaim:
    """The claim in an e-mail change link; raises TokenInvalid or TokenExpired."""
    data = _load(token, EMAIL_CHANGE_SALT, EMAIL_CHANGE_MAX_AGE)
    try:
        return EmailChangeClaim(
            user_id=int(data["u"]), old_email_digest=str(data["o"]), new_email=str(data["n"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenInvalid from exc


def hash_secret(raw: str) -> str:
    """SHA-256 hex of an invitation secret: what the database keeps instead of the secret."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """(raw secret for the link, its hash for the database)."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_secret(raw)


def read_password_reset_link(uidb64: str, token: str) -> User:
    """The active user a password-reset link is for; TokenInvalid when bad, expired or used.

    Django's generator cannot tell those apart: the token changes with the password, so a
    used link simply no longer matches.
    """
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError) as exc:
        raise TokenInvalid from exc
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise TokenInvalid
    return user


def read_invitation(raw: str) -> Invitation:
    """The open invitation for a link's secret; TokenInvalid, TokenUsed or TokenExpired."""
    inv = (
        Invitation.objects.select_related("administration", "department")
        .filter(token_hash=hash_secret(raw or ""))
        .first()
    )
    if inv is None:
        raise TokenInvalid
    if inv.accepted_at is not None:
        raise TokenUsed
    if inv.expires_at <= timezone.now():
        raise TokenExpired
    return inv
