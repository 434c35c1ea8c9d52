"""Who may try a password or a code now: throttles that nobody can turn against a known person.

Failed tries count per client address and per account typed, in sliding windows with growing
pauses (insieme.core.throttle.Lockout). Counting per account alone would let anyone who knows a
person's e-mail address lock them out; so a browser in which the person has signed in before
carries a signed "trusted browser" cookie naming the account (OWASP's device cookies), and tries
from it count only against that browser: an attacker elsewhere can pause the account for
strangers' browsers, never for its owner's own. From a new browser the owner waits out the pause
(at most LOGIN_LOCKOUT_MAX seconds) or resets the password by e-mail, which ends every pause of
the account. The owner is told by e-mail when a pause begins, once per pause, not per try.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from insieme.core import notify
from insieme.core.throttle import (
    CODE_BY_ACCOUNT,
    CODE_BY_DEVICE,
    LOGIN_BY_ACCOUNT,
    LOGIN_BY_ADDRESS,
    LOGIN_BY_DEVICE,
    Lockout,
    client_address,
)

# A sign-in through an outside identity provider (insieme.identity) leaves here the provider's
# address where signing out continues (OpenID Connect RP-initiated logout): logout_view goes there
# once this session has ended, so that the provider's session ends too.
LOGOUT_CONTINUE_KEY = "_insieme_logout_continue"

DEVICE_COOKIE = "insieme_browser"
DEVICE_SALT = "insieme.core.signin.trusted-browser"
DEVICE_DAYS = 180


def _account_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def trusted_browser(request: HttpRequest, email: str) -> str | None:
    """The id of this browser if the person with `email` has signed in from it, else None."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw or not email:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account_digest(email):
        return None
    browser = data.get("b")
    return browser if isinstance(browser, str) and browser else None


def remember_browser(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Mark this browser as one `email` signs in from (after a complete sign-in)."""
    browser = trusted_browser(request, email) or secrets.token_urlsafe(12)
    value = signing.dumps({"a": _account_digest(email), "b": browser}, salt=DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@dataclass(frozen=True)
class Refusal:
    wait: int  # seconds
    pause_began: Lockout | None  # the lockout whose pause this try started, if any


@dataclass(frozen=True)
class Gate:
    """The identities one try counts against."""

    pairs: tuple[tuple[Lockout, str], ...]

    def enter(self) -> Refusal | None:
        """Take a slot in each, or refuse (taking none) while any is paused or full."""
        for lockout, identity in self.pairs:
            wait = lockout.paused(identity)
            if wait:
                return Refusal(wait, None)
        taken = []
        for lockout, identity in self.pairs:
            decision, began = lockout.attempt(identity)
            if not decision.allowed:
                for other, other_identity in taken:
                    other.succeeded(other_identity)
                return Refusal(decision.retry_after, lockout if began else None)
            taken.append((lockout, identity))
        return None

    def give_back(self) -> None:
        """The try succeeded (or was no try at all): it does not count."""
        for lockout, identity in self.pairs:
            lockout.succeeded(identity)


def password_gate(request: HttpRequest, email: str) -> Gate:
    browser = trusted_browser(request, email)
    if browser:
        return Gate(((LOGIN_BY_DEVICE, browser),))
    pairs = [(LOGIN_BY_ADDRESS, client_address(request))]
    if email:
        pairs.append((LOGIN_BY_ACCOUNT, email))
    return Gate(tuple(pairs))


def code_gate(request: HttpRequest, user) -> Gate:
    """Second-factor codes: per account, or per browser the person signed in from before."""
    browser = trusted_browser(request, user.email)
    if browser:
        return Gate(((CODE_BY_DEVICE, browser),))
    return Gate(((CODE_BY_ACCOUNT, str(user.pk)),))


def end_pauses(user) -> None:
    """Forget the account's failures and pauses (its owner proved who they are by e-mail)."""
    LOGIN_BY_ACCOUNT.reset(user.email)
    CODE_BY_ACCOUNT.reset(str(user.pk))


def tell_owner(email: str, kind: str) -> None:
    """E-mail the account with `email` (if there is one) that a pause began: `kind` is "password"
    (failed passwords) or "code" (the right password, then failed codes). Sent in the
    background, so the answer takes as long whether or not the account exists."""
    from insieme.core.models import User

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    notify.send_templated_email(
        user,
        "signin_paused",
        {
            "user": user,
            "code": kind == "code",
            "minutes": max(1, settings.LOGIN_RATE_WINDOW // 60),
            "reset_link": notify.absolute_url(reverse("password_reset")),
        },
        background=True,
    )
