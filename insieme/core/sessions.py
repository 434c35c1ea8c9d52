"""Staff sessions end after an idle time and after an absolute lifetime.

Anyone with a role in an administration ("staff") is signed out after
STAFF_SESSION_IDLE_MINUTES (default 30) without a request, and STAFF_SESSION_MAX_HOURS (default
12) after signing in, whatever they do. Citizens keep Django's session: two weeks, since their
pages hold only their own data and signing in again on a phone is a burden. The moments are kept
in the session; the last one is written at most once a minute, so a page does not write the
session on every request. Whether the person is staff is asked only once a session is older or
idler than the staff limits, so citizens' pages pay no query for it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from insieme.core.access import is_staff_somewhere

STARTED = "_insieme_signed_in_at"
SEEN = "_insieme_seen_at"
WRITE_EVERY = 60  # seconds between updates of SEEN


def clock() -> float:
    """Now, in epoch seconds (tests move it)."""
    return time.time()


@receiver(user_logged_in)
def _mark_start(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = clock()
        request.session[STARTED] = now
        request.session[SEEN] = now


def expired(request: HttpRequest, now: float) -> str | None:
    """Why this signed-in staff session is over ("idle" or "age"), or None."""
    started = request.session.get(STARTED)
    seen = request.session.get(SEEN, started)
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        return None
    idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
    age = settings.STAFF_SESSION_MAX_HOURS * 3600
    reason = "age" if now - started > age else "idle" if now - seen > idle else None
    if reason and is_staff_somewhere(request.user):
        return reason
    return None


class StaffSessionMiddleware:
    """Install after the authentication, session and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock()
            if STARTED not in request.session:  # a session from before this check existed
                request.session[STARTED] = now
                request.session[SEEN] = now
            reason = expired(request, now)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    text = _(
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Sign in again to continue."
                    ) % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
                else:
                    text = _(
                        "You were signed out: staff sessions last at most %(hours)d hours. "
                        "Sign in again to continue."
                    ) % {"hours": settings.STAFF_SESSION_MAX_HOURS}
                messages.info(request, text)
            elif now - request.session.get(SEEN, 0) >= WRITE_EVERY:
                request.session[SEEN] = now
        return self.get_response(request)
