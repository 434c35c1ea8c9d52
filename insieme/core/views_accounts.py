"""People's accounts (register, verify, log in and out, reset and change password, change e-mail,
preferences) and staff invitations.

Views read input and answer; every write goes through insieme.core.actions. Links that arrive by
e-mail answer 404 when unknown or tampered with and 410 when expired or used, never 500.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from insieme.core import actions, signin, tokens, twofactor
from insieme.core.access import get_administration_for_user
from insieme.core.forms_accounts import (
    EmailChangeForm,
    InvitationForm,
    InvitationSignupForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegisterForm,
    SetPasswordForm,
    apply_errors,
)
from insieme.core.models import Invitation, User
from insieme.core.permissions import Perm
from insieme.core.throttle import (
    LOGIN_BY_ACCOUNT,
    MAIL_BY_ADDRESS,
    MAIL_BY_TARGET,
    REAUTH_BY_ACCOUNT,
    client_address,
    login_rate,
)

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- helpers -----------------------------------------------------------------------------------


def _posted(request: HttpRequest):
    """The POST data for a bound form, or None on GET (so an empty POST still validates)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest) -> str:
    """The `next` target if it points inside this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


def _link_error(request: HttpRequest, exc: tokens.TokenError) -> HttpResponse:
    """A clear page for an e-mailed link that cannot be used (404 unknown, 410 expired or used)."""
    if isinstance(exc, tokens.TokenExpired):
        message = _("This link has expired. Ask for a new one.")
    elif isinstance(exc, tokens.TokenUsed):
        message = _("This link has been used already, or it is no longer valid.")
    else:
        message = _(
            "This link is not valid. Check that you opened the whole address from the e-mail, "
            "or ask for a new one."
        )
    return render(request, "accounts/link_invalid.html", {"message": message}, status=exc.status)


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    """HTTP 429 with a plain explanation and the time to wait (seconds)."""
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "accounts/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


def _mail_wait(request: HttpRequest, target: str) -> int:
    """Count one e-mail-sending request; the seconds to wait when this client or the target
    address is over the limit (nothing counted then), else 0."""
    rate = login_rate()
    address = client_address(request)
    decision = MAIL_BY_ADDRESS.acquire(address, rate)
    if not decision.allowed:
        return decision.retry_after
    decision = MAIL_BY_TARGET.acquire(target, rate)
    if not decision.allowed:
        MAIL_BY_ADDRESS.release(address, rate)
        return decision.retry_after
    return 0


def _reauth_gate(request: HttpRequest) -> signin.Gate:
    """Current-password checks of a signed-in person: per account, apart from sign-in tries (a
    stolen session guessing the password must not pause the owner's sign-in)."""
    return signin.Gate(((REAUTH_BY_ACCOUNT, str(request.user.pk)),))


def _wrong_password(exc: ValidationError, field: str) -> bool:
    return hasattr(exc, "error_dict") and field in exc.error_dict


# --- log in and out ----------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@GET_POST
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in by e-mail and password. Failed tries count per client address and per account, or
    only per browser where the person has signed in before (insieme.core.signin); over the limit
    the answer is 429 and the pause grows. An unverified address may log in, with a warning."""
    form = LoginForm(_posted(request))
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip().lower()
        gate = signin.password_gate(request, email)
        refusal = gate.enter()
        if refusal is not None:
            if refusal.pause_began is LOGIN_BY_ACCOUNT:
                signin.tell_owner(email, "password")
            return _too_many(request, refusal.wait)
        if not form.is_valid():
            gate.give_back()  # not a password try
        else:
            user = authenticate(
                request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
            if user is not None:
                gate.give_back()
                return _logged_in(request, user)
            form.add_error(None, _("The e-mail address or the password is not correct."))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def _logged_in(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user)
    if user.email_verified_at is None:
        messages.warning(
            request,
            _(
                "Your e-mail address is not confirmed yet. Open the link we sent you, or ask "
                "for a new one on your account page."
            ),
        )
    target = _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
    if twofactor.required(user):
        # Signed in, but held by the middleware until the code (insieme.core.twofactor); the
        # browser is remembered only once both steps are done.
        page = "two_factor_verify" if twofactor.totp_device(user) else "two_factor_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': target})}")
    response = redirect(target)
    signin.remember_browser(request, response, user.email)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out (POST only, so a link or an image cannot log anyone out). A session begun at an
    identity provider ends there too: the browser goes on to the provider's end-session address,
    which sends it back to LOGOUT_REDIRECT_URL."""
    target = _safe_next(request)
    continue_at = request.session.get(signin.LOGOUT_CONTINUE_KEY)
    logout(request)
    messages.info(request, _("You have logged out."))
    if isinstance(continue_at, str) and continue_at.startswith(("https://", "http://")):
        return redirect(continue_at)
    return redirect(target or settings.LOGOUT_REDIRECT_URL)


# --- registration and verification -------------------------------------------------------------


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@GET_POST
def register(request: HttpRequest) -> HttpResponse:
    """Create an account; the same answer whether or not the address was registered before."""
    form = RegisterForm(_posted(request), initial={"preferred_language": get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wait = _mail_wait(request, data["email"])
        if wait:
            return _too_many(request, wait)
        try:
            actions.register_user(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password"],
                preferred_language=data["preferred_language"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a verification link. Verifying is harmless to repeat, so a GET does it."""
    try:
        user, newly = actions.verify_email(token)
    except tokens.TokenError as exc:
        return _link_error(request, exc)
    return render(request, "accounts/verify_email_done.html", {"newly": newly, "email": user.email})


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    wait = _mail_wait(request, request.user.email)
    if wait:
        return _too_many(request, wait)
    if actions.send_verification(request.user):
        messages.success(request, _("We have sent a new verification link to your address."))
    else:
        messages.info(request, _("Your e-mail address is verified already."))
    return redirect("account")


# --- password reset ----------------------------------------------------------------------------


@never_cache
@GET_POST
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer never tells whether the address has an account."""
    form = PasswordResetRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = _mail_wait(request, email)
        if wait:
            return _too_many(request, wait)
        actions.request_password_reset(email)
        return redirect("password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


@sensitive_post_parameters("new_password", "new_password_confirm")
@never_cache
@GET_POST
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        tokens.read_password_reset_link(uidb64, token)
    except tokens.TokenError as exc:
        return _link_error(request, exc)
    form = SetPasswordForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(
                uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]
            )
        except tokens.TokenError as exc:
            return _link_error(request, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("password_reset_complete")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")


# --- the account page --------------------------------------------------------------------------


@login_required
@GET_POST
def account(request: HttpRequest) -> HttpResponse:
    """The person's details, contact and accessibility preferences, and security links."""
    user = request.user
    form = ProfileForm(_posted(request), initial=ProfileForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        old_language = user.preferred_language
        try:
            actions.update_profile(user, user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your preferences have been saved."))
            response = redirect("account")
            if user.preferred_language != old_language:
                # The chosen language should show at once in this browser too.
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.preferred_language,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
    return render(request, "accounts/account.html", {"form": form})


@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@login_required
@GET_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(_posted(request))
    if request.method == "POST":
        gate = _reauth_gate(request)
        refusal = gate.enter()
        if refusal is not None:
            return _too_many(request, refusal.wait)
        if not form.is_valid():
            gate.give_back()
        else:
            try:
                actions.change_password(
                    request.user,
                    request.user,
                    current_password=form.cleaned_data["current_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as exc:
                if not _wrong_password(exc, "current_password"):
                    gate.give_back()
                apply_errors(form, exc)
            else:
                gate.give_back()
                update_session_auth_hash(request, request.user)
                return redirect("password_change_done")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_change_done.html")


# --- e-mail change -----------------------------------------------------------------------------


@sensitive_post_parameters("password")
@login_required
@GET_POST
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask to move the account to a new address; a link goes to the new address to confirm."""
    form = EmailChangeForm(_posted(request))
    if request.method == "POST":
        gate = _reauth_gate(request)
        refusal = gate.enter()
        if refusal is not None:
            return _too_many(request, refusal.wait)
        if not form.is_valid():
            gate.give_back()
        else:
            try:
                actions.request_email_change(
                    request.user,
                    new_email=form.cleaned_data["new_email"],
                    password=form.cleaned_data["password"],
                )
            except ValidationError as exc:
                if not _wrong_password(exc, "password"):
                    gate.give_back()
                apply_errors(form, exc)
            else:
                gate.give_back()
                request.session["email_change_to"] = form.cleaned_data["new_email"].lower()
                return redirect("email_change_done")
    return render(request, "accounts/email_change.html", {"form": form})


@login_required
def email_change_done(request: HttpRequest) -> HttpResponse:
    new_email = request.session.get("email_change_to", "")
    return render(request, "accounts/email_change_done.html", {"new_email": new_email})


@never_cache
@GET_POST
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will change; POST changes it (mail scanners that follow links only GET)."""
    try:
        user, new_email = actions.email_change_claim(token)
        if request.method == "POST":
            actions.change_email(token)
            return render(request, "accounts/email_change_complete.html", {"new_email": new_email})
    except tokens.TokenError as exc:
        return _link_error(request, exc)
    except ValidationError as exc:
        context = {"message": " ".join(exc.messages)}
        return render(request, "accounts/link_invalid.html", context, status=409)
    context = {"old_email": user.email, "new_email": new_email}
    return render(request, "accounts/email_change_confirm.html", context)


# --- staff invitations -------------------------------------------------------------------------


@login_required
@GET_POST
def invitation_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Invite a person to the administration's staff (needs core:membership:manage)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.MEMBERSHIP_MANAGE)
    form = InvitationForm(_posted(request), administration=admin)
    if request.method == "POST" and form.is_valid():
        try:
            actions.invite_staff(request.user, admin, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("invitation_create", admin_slug=admin.slug)
    pending = (
        Invitation.objects.filter(
            administration=admin, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("department", "invited_by")
        .order_by("-created_at")[:50]
    )
    context = {"administration": admin, "form": form, "pending": pending}
    return render(request, "accounts/invitation_create.html", context)


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@GET_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: as the signed-in account with the invited address, or by creating
    the account. Anyone else is told what to do (log in, or log out first)."""
    try:
        inv = tokens.read_invitation(token)
    except tokens.TokenError as exc:
        return _link_error(request, exc)
    has_account = User.objects.filter(email__iexact=inv.email).exists()
    user = request.user if request.user.is_authenticated else None
    login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
    context = {"invitation": inv, "login_url": login_url}
    if user is not None and user.email.lower() != inv.email.lower():
        return render(request, "accounts/invitation_wrong_account.html", context, status=403)
    if has_account and user is None:
        return render(request, "accounts/invitation_login.html", context)
    if user is not None:
        return _accept_as(request, inv, user, context)
    return _accept_with_signup(request, inv, context)


def _accept_as(request: HttpRequest, inv: Invitation, user: User, context: dict) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            actions.accept_invitation(inv, user=user)
        except tokens.TokenError as exc:
            return _link_error(request, exc)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return _welcome(request, inv)
    return render(request, "accounts/invitation_accept.html", {**context, "errors": errors})


def _accept_with_signup(request: HttpRequest, inv: Invitation, context: dict) -> HttpResponse:
    form = InvitationSignupForm(_posted(request), initial={"full_name": inv.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.accept_invitation(
                inv,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                preferred_language=get_language(),
            )
        except tokens.TokenError as exc:
            return _link_error(request, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            login(request, membership.user, backend=_MODEL_BACKEND)
            return _welcome(request, inv)
    return render(request, "accounts/invitation_signup.html", {**context, "form": form})


def _welcome(request: HttpRequest, inv: Invitation) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to the staff of %(name)s as %(role)s.")
        % {"name": inv.administration.display_name, "role": inv.get_role_display()},
    )
    return redirect("staff_home")
