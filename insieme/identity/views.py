"""Sign-in with a digital identity: the start (a redirect to the provider), the provider's callback,
and a clear page for every way it can fail. With no provider configured both answer 404.

The callback never answers 500: a refused consent, an expired or forged token, a callback this
browser did not start and a provider that is down each have their own page, in the person's
language. Failed callbacks count per client address like failed passwords (insieme.core.signin),
except those that are nobody's attempt (a refused consent, a provider that is down).
"""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from insieme.core import signin, twofactor
from insieme.core.throttle import Lockout, client_address
from insieme.identity import config, voters
from insieme.identity.errors import SignInError

log = logging.getLogger(__name__)

STATE_MAX_AGE = 15 * 60  # seconds a person may take at the provider
BY_ADDRESS = Lockout("identity-address")
NOT_COUNTED = {"refused", "unavailable", "provider"}  # nobody's attempt at guessing anything


def _failures() -> dict[str, tuple[int, str]]:
    """Reason: (HTTP status, what the person reads). Built per request, in their language."""
    return {
        "refused": (
            403,
            _(
                "You did not allow %(provider)s to share your details with us, so you are not "
                "signed in. You can try again, or log in with your e-mail address and password."
            ),
        ),
        "provider": (
            502,
            _(
                "%(provider)s did not complete the sign-in. Please try again later, or log in "
                "with your e-mail address and password."
            ),
        ),
        "unavailable": (
            503,
            _(
                "%(provider)s is not answering at the moment. Please try again in a few "
                "minutes, or log in with your e-mail address and password."
            ),
        ),
        "expired": (
            400,
            _("The sign-in took too long and has expired. Please start again."),
        ),
        "invalid": (
            400,
            _(
                "We could not check the confirmation that came back from %(provider)s, so you "
                "are not signed in. Please start again."
            ),
        ),
        "state": (
            400,
            _(
                "This sign-in was started in another browser or window, or it has been used "
                "already. Please start again from the login page."
            ),
        ),
        "no_email": (
            400,
            _(
                "%(provider)s did not share an e-mail address with us, and an account needs "
                "one. Register with your e-mail address first; then link your digital identity "
                "from your account page."
            ),
        ),
        "email_taken": (
            409,
            _(
                "We cannot create an account with the e-mail address that %(provider)s gave us. "
                "If you have an account already, log in with your password and link your "
                "digital identity from your account page."
            ),
        ),
        "no_account": (
            403,
            _(
                "There is no account for you yet. Register with your e-mail address first; "
                "then link your digital identity from your account page."
            ),
        ),
        "conflict": (
            409,
            _(
                "More than one account is linked to your fiscal code, so we cannot tell which "
                "one is yours. Please contact the administration."
            ),
        ),
        "linked_elsewhere": (
            409,
            _(
                "This digital identity is linked to another account. Log out, then sign in "
                "with %(provider)s to use that account."
            ),
        ),
        "inactive": (
            403,
            _("This account is closed. Please contact the administration if you need it again."),
        ),
    }


def failure_page(request: HttpRequest, exc: SignInError) -> HttpResponse:
    status, message = _failures()[exc.reason]
    log.info("identity: sign-in failed (%s)", exc)
    context = {
        # capfirst: the default name ("your digital identity") may open the sentence.
        "message": capfirst(message % {"provider": config.provider_name()}),
        "provider": config.provider_name(),
        "reason": exc.reason,
        "retry": exc.reason not in {"conflict", "inactive"},
    }
    return render(request, "identity/failed.html", context, status=status)


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "accounts/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


@method_decorator(never_cache, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """GET: send the browser to the provider (state, nonce and PKCE kept in the session by
    mozilla-django-oidc). `next`, if it points inside this site, is where the person lands."""

    get_settings = staticmethod(config.setting)

    def __init__(self, **kwargs) -> None:
        # The library reads the endpoints here; they are discovered in get(), where a provider
        # that is down gets its page.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = config.endpoints().authorization
        except SignInError as exc:
            return failure_page(request, exc)
        self.OIDC_RP_CLIENT_ID = config.setting("OIDC_RP_CLIENT_ID")
        return super().get(request)

    def get_extra_params(self, request: HttpRequest) -> dict:
        params = {"ui_locales": get_language() or settings.LANGUAGE_CODE}
        acr_values = config.options().get("ACR_VALUES")
        if acr_values:
            params["acr_values"] = acr_values
        return params


@method_decorator(never_cache, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """GET: where the provider sends the browser back, with a code or an error."""

    get_settings = staticmethod(config.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404
        gate = signin.Gate(((BY_ADDRESS, client_address(request)),))
        refusal = gate.enter()
        if refusal is not None:
            return _too_many(request, refusal.wait)
        try:
            self.user = self._authenticate(request)
        except SignInError as exc:
            if exc.reason in NOT_COUNTED:
                gate.give_back()
            return failure_page(request, exc)
        gate.give_back()
        return self._signed_in(request)

    def _authenticate(self, request: HttpRequest):
        error = request.GET.get("error", "")
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = states.pop(state, None) if isinstance(states, dict) and state else None
        if entry is not None:
            request.session.modified = True  # a state is used once, whatever happens next
        if error:
            if error == "access_denied":
                raise SignInError("refused")
            raise SignInError("provider", f"the provider sent error={error[:40]!r}")
        if not isinstance(entry, dict) or not request.GET.get("code"):
            raise SignInError("state")
        if time.time() - float(entry.get("added_on") or 0) > STATE_MAX_AGE:
            raise SignInError("expired", "the sign-in was started too long ago")
        user = authenticate(
            request=request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
        if user is None:
            raise SignInError("invalid", "no account came back")
        return user

    def _signed_in(self, request: HttpRequest) -> HttpResponse:
        user = self.user
        person = request.identity_person
        outcome = request.identity_outcome
        target = self.success_url  # `next` from the start, checked there; else the home page
        login(request, user, backend=config.BACKEND)
        self._remember_logout(request, getattr(request, "identity_id_token", ""))
        strong = person.assurance and person.assurance in (
            config.options().get("SECOND_FACTOR_ACR") or []
        )
        if strong:
            twofactor.mark_strong_sign_in(request, user)
        self._tell(request, user, outcome, voters.verify_for_ballots(user, person))
        if not strong and twofactor.required(user):
            page = "two_factor_verify" if twofactor.totp_device(user) else "two_factor_setup"
            return redirect(f"{reverse(page)}?{urlencode({'next': target})}")
        response = redirect(target)
        signin.remember_browser(request, response, user.email)
        return response

    def _remember_logout(self, request: HttpRequest, id_token: str) -> None:
        """Signing out here continues at the provider's end-session endpoint (OpenID Connect
        RP-Initiated Logout 1.0), which ends the session there too and sends the browser back
        to our LOGOUT_REDIRECT_URL (register it at the provider)."""
        try:
            end_session = config.endpoints().end_session
        except SignInError:
            return
        if not end_session:
            return
        query = {
            "client_id": config.setting("OIDC_RP_CLIENT_ID"),
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
        if id_token:
            query["id_token_hint"] = id_token
        joiner = "&" if "?" in end_session else "?"
        request.session[signin.LOGOUT_CONTINUE_KEY] = f"{end_session}{joiner}{urlencode(query)}"

    def _tell(self, request: HttpRequest, user, outcome, verified_in: list) -> None:
        name = config.provider_name()
        if outcome.matched_by == "created":
            messages.success(
                request,
                _("Welcome! Your account has been created with %(provider)s.") % {"provider": name},
            )
        elif outcome.linked:
            messages.success(
                request,
                capfirst(
                    _("%(provider)s is now linked to your account: next time, sign in with it.")
                    % {"provider": name}
                ),
            )
        for admin in verified_in:
            messages.info(
                request,
                _("You are verified to vote in the ballots of %(admin)s.")
                % {"admin": admin.display_name},
            )
        if user.email_verified_at is None:
            messages.warning(
                request,
                _(
                    "Your e-mail address is not confirmed yet. Open the link we sent you, or ask "
                    "for a new one on your account page."
                ),
            )
