"""Why a sign-in with the identity provider did not succeed: one exception, one reason each, which
the callback view turns into a page (insieme.identity.views.FAILURES)."""

from __future__ import annotations

REASONS = frozenset(
    {
        "refused",  # the person did not consent at the provider (error=access_denied)
        "provider",  # the provider answered with an error, or something unreadable
        "unavailable",  # the provider did not answer (down, time-out)
        "expired",  # the sign-in took too long: the code, the id token or our state expired
        "invalid",  # a token that does not check out (signature, audience, issuer, nonce)
        "state",  # a callback this browser did not start, or one used already
        "no_email",  # an unknown person whose provider shares no e-mail address
        "email_taken",  # an unknown person whose unverified address belongs to an account
        "no_account",  # an unknown person, and accounts are not created on sign-in
        "conflict",  # the fiscal code belongs to more than one account
        "linked_elsewhere",  # linking, but the identity belongs to another account
        "inactive",  # the account is closed
    }
)


class SignInError(Exception):
    """`reason` (one of REASONS) picks the page the person sees; `detail` is for the log only
    (it may name endpoints and codes, never a token or a person's data)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown sign-in failure {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
