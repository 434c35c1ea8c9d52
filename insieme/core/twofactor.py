"""The second factor: who needs it, and the middleware that holds a session until it is given.

Staff may turn on a TOTP second factor (an authenticator app) with recovery codes; for
administrators it is mandatory. django-otp keeps the devices and marks a session verified
(`request.user.is_verified()`); this module decides who must be verified, and sends anyone who
must but is not to the code page, or, for an administrator without a device, to the set-up page,
before any other page works. The REST API ignores such a session (insieme.api.auth), and API
keys are unaffected: a key acts for its administration, never for a person.
"""

from __future__ import annotations

import base64
import time
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core.models import Membership, RecoveryCodeDevice
from insieme.core.permissions import Role

SESSION_KEY = "_insieme_second_factor"  # [required?, when checked] cached in the session
RECHECK_SECONDS = 60
# Pages a session waiting for its second factor may see (by URL name).
OPEN_URL_NAMES = {
    "two_factor_verify",
    "two_factor_setup",
    "logout",
    "set_language",
    "healthz",
    "readyz",
    "metrics",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
OPEN_PREFIXES = ("/static/", "/media/", "/api/", "/open311/", "/favicon")


def clock() -> float:
    return time.time()


def is_administrator(user) -> bool:
    return Membership.objects.filter(
        user=user, role=Role.ADMINISTRATOR, is_active=True, user__is_active=True
    ).exists()


def totp_device(user, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(user) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def required(user) -> bool:
    """True when `user` must give a second factor: they turned one on, or administer."""
    if not getattr(user, "is_authenticated", False):
        return False
    return totp_device(user) is not None or is_administrator(user)


def required_for_session(request: HttpRequest) -> bool:
    """`required(request.user)`, cached in the session for RECHECK_SECONDS (so a citizen's pages
    pay no query for it); views that change a person's second factor call forget()."""
    now = clock()
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and now - cached[1] < RECHECK_SECONDS:
        return bool(cached[0])
    answer = required(request.user)
    request.session[SESSION_KEY] = [answer, now]
    return answer


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


# A sign-in that was itself two-factor (a digital identity at a high enough level, decided by
# insieme.identity from INSIEME_OIDC_SECOND_FACTOR_ACR) stands for the second factor in this
# session; it holds the account's id, so it never vouches for another account.
STRONG_SIGN_IN_KEY = "_insieme_strong_sign_in"


def mark_strong_sign_in(request: HttpRequest, user) -> None:
    """Call right after login(): this session's sign-in gave two factors already."""
    request.session[STRONG_SIGN_IN_KEY] = user.pk


def waiting(request: HttpRequest) -> bool:
    """True when this session belongs to someone who still has to give their second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    if request.session.get(STRONG_SIGN_IN_KEY) == user.pk:
        return False
    return required_for_session(request)


def _next_query(request: HttpRequest) -> str:
    return "?" + urlencode({"next": request.get_full_path()})


class SecondFactorMiddleware:
    """Install after django_otp's OTPMiddleware (and the session and message middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(OPEN_PREFIXES) and waiting(request):
            try:
                name = resolve(path).url_name
            except Resolver404:
                name = None
            if name not in OPEN_URL_NAMES:
                page = "two_factor_verify" if totp_device(request.user) else "two_factor_setup"
                target = reverse(page)
                if request.method in ("GET", "HEAD"):
                    target += _next_query(request)
                return HttpResponseRedirect(target)
        return self.get_response(request)


# --- codes -------------------------------------------------------------------------------------


def secret_text(device: TOTPDevice) -> str:
    """The device's key as an authenticator app takes it: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the device's authenticator app shows now (the demo's `insieme otp code`, tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock() if at is None else at
    return f"{totp.token():0{device.digits}d}"
