"""Two-step sign-in: set up an authenticator app, give a code after the password, recovery codes,
turning it off (not for administrators). See insieme.core.twofactor for who must give one.

Codes count against the same kind of throttle as passwords (insieme.core.signin.code_gate): per
account, or per browser the person signed in from before, with growing pauses; when a pause
begins the owner is told, since whoever typed the codes knew the password.
"""

from __future__ import annotations

import math

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core import actions, signin, twofactor
from insieme.core.access import is_staff_somewhere
from insieme.core.forms_accounts import CodeForm, ConfirmPasswordForm, SetupCodeForm, apply_errors
from insieme.core.throttle import CODE_BY_ACCOUNT, REAUTH_BY_ACCOUNT

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
_SETUP_DEVICE = "_insieme_setup_device"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


def _verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _staff_only(request: HttpRequest) -> None:
    """The second factor is for staff (and anyone who has one already)."""
    if not is_staff_somewhere(request.user) and twofactor.totp_device(request.user) is None:
        raise PermissionDenied


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "accounts/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


def _codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL)},
    )


@login_required
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    device = twofactor.totp_device(request.user)
    recovery = twofactor.recovery_device(request.user)
    context = {
        "device": device,
        "remaining": recovery.remaining() if recovery else 0,
        "mandatory": twofactor.is_administrator(request.user),
        "off_form": ConfirmPasswordForm(),
    }
    return render(request, "accounts/two_factor.html", context)


@sensitive_post_parameters("code")
@login_required
@never_cache
@GET_POST
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: a QR code and the key in text, then a code to confirm."""
    _staff_only(request)
    if twofactor.totp_device(request.user) is not None and not _verified(request):
        # Replacing the app needs the current one first (else a password alone would do).
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(_SETUP_DEVICE), user=request.user, confirmed=False
    ).first()
    if device is None:
        device = actions.start_two_factor(request.user)
        request.session[_SETUP_DEVICE] = device.pk
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        gate = signin.code_gate(request, request.user)
        refusal = gate.enter()
        if refusal is not None:
            return _too_many(request, refusal.wait)
        try:
            codes = actions.confirm_two_factor(
                request.user, request.user, device, form.cleaned_data["code"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            gate.give_back()
            request.session.pop(_SETUP_DEVICE, None)
            django_otp.login(request, device)
            twofactor.forget(request)
            response = _codes_page(request, codes, _next(request))
            signin.remember_browser(request, response, request.user.email)
            return response
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        "secret": twofactor.secret_text(device),
        "next": _next(request),
        "mandatory": twofactor.is_administrator(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@sensitive_post_parameters("code")
@login_required
@never_cache
@GET_POST
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    if _verified(request) or not twofactor.required(user):
        return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
    if twofactor.totp_device(user) is None:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        gate = signin.code_gate(request, user)
        refusal = gate.enter()
        if refusal is not None:
            if refusal.pause_began is CODE_BY_ACCOUNT:
                signin.tell_owner(user.email, "code")
            return _too_many(request, refusal.wait)
        code = form.cleaned_data["code"]
        device = _matching_device(user, code)
        if device is not None:
            gate.give_back()
            django_otp.login(request, device)
            twofactor.forget(request)
            if device == twofactor.recovery_device(user):
                left = device.remaining()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(n)d left. Make new ones on "
                        "the two-step sign-in page if you are running out."
                    )
                    % {"n": left},
                )
            response = redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
            signin.remember_browser(request, response, user.email)
            return response
        form.add_error("code", _("That code is not right, or it has been used already."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


def _matching_device(user, code: str):
    """The device (the app, or the recovery codes) that accepts `code`, if any."""
    totp = twofactor.totp_device(user)
    if code.isdigit() and totp is not None:
        return totp if totp.verify_token(code) else None
    recovery = twofactor.recovery_device(user)
    if recovery is not None and recovery.verify_token(code):
        return recovery
    return None


@login_required
@never_cache
@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    try:
        codes = actions.regenerate_recovery_codes(request.user, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor")
    return _codes_page(request, codes, "")


@sensitive_post_parameters("password")
@login_required
@never_cache
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = ConfirmPasswordForm(request.POST)
    if form.is_valid():
        gate = signin.Gate(((REAUTH_BY_ACCOUNT, str(request.user.pk)),))
        refusal = gate.enter()
        if refusal is not None:
            return _too_many(request, refusal.wait)
        try:
            actions.turn_off_two_factor(
                request.user, request.user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            if not (hasattr(exc, "error_dict") and "password" in exc.error_dict):
                gate.give_back()
            apply_errors(form, exc)
        else:
            gate.give_back()
            twofactor.forget(request)
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("two_factor")
    device = twofactor.totp_device(request.user)
    recovery = twofactor.recovery_device(request.user)
    context = {
        "device": device,
        "remaining": recovery.remaining() if recovery else 0,
        "mandatory": twofactor.is_administrator(request.user),
        "off_form": form,
    }
    return render(request, "accounts/two_factor.html", context, status=400)
