"""The one write path of the core app: validate, write in a transaction, audit, notify on commit.

Views, CLI commands and the demo call these functions; nothing else writes core rows.
Each raises django.core.exceptions.ValidationError with field errors on bad input and writes nothing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from insieme.core import audit, notify, signin, tokens
from insieme.core.access import forget_permissions
from insieme.core.models import (
    Administration,
    ApiKey,
    Department,
    Holiday,
    Invitation,
    Membership,
    PartnerMember,
    PartnerOrganisation,
    User,
)
from insieme.core.safe_input import control_message, find_control

API_KEY_PREFIX = "ins_"


def _full_clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude)


def _apply(obj, changes: dict) -> dict:
    before = audit.snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    return before


# --- administrations -------------------------------------------------------------------------


def create_administration(actor, **fields) -> Administration:
    admin = Administration(**fields)
    _full_clean(admin)
    audit.save_and_record(actor, admin, "administration.create", admin)
    return admin


def update_administration(actor, admin: Administration, **changes) -> Administration:
    before = _apply(admin, changes)
    _full_clean(admin)
    audit.save_and_record(actor, admin, "administration.update", admin, before=before)
    return admin


def set_holidays(actor, admin: Administration, days: list[tuple]) -> None:
    """Replace the administration's holidays with [(date, name), ...]."""
    with transaction.atomic():
        before = [[str(h.date), h.name] for h in admin.holidays.all()]
        admin.holidays.all().delete()
        Holiday.objects.bulk_create(
            [Holiday(administration=admin, date=d, name=n) for d, n in days]
        )
        audit.record(
            actor=actor,
            action="administration.holidays",
            obj=admin,
            before={"holidays": before},
            after={"holidays": [[str(d), n] for d, n in days]},
            administration=admin,
        )


# --- departments -----------------------------------------------------------------------------


def create_department(actor, admin: Administration, **fields) -> Department:
    dept = Department(administration=admin, **fields)
    _full_clean(dept)
    audit.save_and_record(actor, dept, "department.create", admin)
    return dept


def update_department(actor, dept: Department, **changes) -> Department:
    before = _apply(dept, changes)
    _full_clean(dept)
    audit.save_and_record(actor, dept, "department.update", dept.administration, before=before)
    return dept


# --- people and memberships --------------------------------------------------------------------


def create_user(
    actor,
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    verified: bool = False,
    **extra,
) -> User:
    user = User(email=email, full_name=full_name, **extra)
    user.set_password(password)  # None gives an unusable password
    if verified:
        user.email_verified_at = timezone.now()
    _full_clean(user, exclude=["password"])
    with transaction.atomic():
        user.save()
        audit.record(
            actor=actor or user, action="user.create", obj=user, after=audit.snapshot(user)
        )
    return user


def add_membership(
    actor,
    admin: Administration,
    user: User,
    *,
    role: str,
    department: Department | None = None,
    capacity: int = 20,
    job_title: str = "",
) -> Membership:
    m = Membership(
        administration=admin,
        user=user,
        role=role,
        department=department,
        capacity=capacity,
        job_title=job_title,
    )
    _full_clean(m)
    audit.save_and_record(actor, m, "membership.create", admin)
    forget_permissions(user)
    return m


def update_membership(actor, m: Membership, **changes) -> Membership:
    """Write the real changes only; never leave the administration without an active
    administrator (by demotion or deactivation). On ValidationError `m` is reloaded."""
    changes = changed_fields(m, changes)
    if not changes:
        return m
    was_admin = _is_active_administrator(m.role, m.is_active)
    stays_admin = _is_active_administrator(
        changes.get("role", m.role), changes.get("is_active", m.is_active)
    )
    if was_admin and not stays_admin:
        _ensure_another_administrator(m)
    before = _apply(m, changes)
    try:
        _full_clean(m)
    except ValidationError:
        m.refresh_from_db()
        raise
    audit.save_and_record(actor, m, "membership.update", m.administration, before=before)
    forget_permissions(m.user)
    return m


def remove_membership(actor, m: Membership) -> None:
    """Delete a membership; refuses to remove the last active administrator, whoever asks."""
    if _is_active_administrator(m.role, m.is_active):
        _ensure_another_administrator(m)
    with transaction.atomic():
        before = audit.snapshot(m)
        audit.record(
            actor=actor,
            action="membership.delete",
            obj=m,
            before=before,
            administration=m.administration,
        )
        m.delete()
    forget_permissions(m.user)


def changed_fields(obj, changes: dict) -> dict:
    """The subset of `changes` whose values differ from `obj`'s current attributes."""
    return {name: value for name, value in changes.items() if getattr(obj, name) != value}


def _is_active_administrator(role: str, is_active: bool) -> bool:
    return role == "administrator" and bool(is_active)


def _ensure_another_administrator(m: Membership) -> None:
    """Refuse when `m` is the administration's only active administrator membership."""
    others = Membership.objects.filter(
        administration_id=m.administration_id, role="administrator", is_active=True
    ).exclude(pk=m.pk)
    if not others.exists():
        raise ValidationError(
            _("This is the last active administrator of the administration; appoint another first.")
        )


# --- partner organisations ---------------------------------------------------------------------


def create_partner(actor, admin: Administration, **fields) -> PartnerOrganisation:
    org = PartnerOrganisation(administration=admin, **fields)
    _full_clean(org)
    audit.save_and_record(actor, org, "partner.create", admin)
    return org


def update_partner(actor, org: PartnerOrganisation, **changes) -> PartnerOrganisation:
    before = _apply(org, changes)
    _full_clean(org)
    audit.save_and_record(actor, org, "partner.update", org.administration, before=before)
    return org


def add_partner_member(
    actor, org: PartnerOrganisation, user: User, is_representative: bool = False
) -> PartnerMember:
    if PartnerMember.objects.filter(organisation=org, user=user).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    with transaction.atomic():
        pm = PartnerMember.objects.create(
            organisation=org, user=user, is_representative=is_representative
        )
        audit.record(
            actor=actor,
            action="partner.member_add",
            obj=pm,
            after=audit.snapshot(pm),
            administration=org.administration,
        )
    return pm


# --- API keys ----------------------------------------------------------------------------------


def create_api_key(
    actor, admin: Administration, *, name: str, scopes: list[str], raw_key: str | None = None
) -> tuple[ApiKey, str]:
    """Create a key; returns (row, raw key). The raw key is never stored and never shown again.

    `raw_key` lets the demo derive a reproducible key from its seed; everything else leaves it None.
    """
    valid = {s for s, _label in ApiKey.SCOPES}
    errors = {}
    if not name or not name.strip():
        errors["name"] = _("Give the key a name.")
    elif char := find_control(name):  # the command line reaches here without a form
        errors["name"] = control_message(char)
    unknown = [s for s in scopes if s not in valid]
    if unknown:
        errors["scopes"] = _("Unknown scopes: %(s)s") % {"s": ", ".join(unknown)}
    if not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    if errors:
        raise ValidationError(errors)
    raw = raw_key or API_KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = raw[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + 8]
    key = ApiKey(
        administration=admin,
        name=name.strip(),
        prefix=prefix,
        key_hash=ApiKey.hash_secret(raw),
        scopes=sorted(set(scopes)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            key.save()
            audit.record(
                actor=actor,
                action="apikey.create",
                obj=key,
                after=audit.snapshot(key),
                administration=admin,
            )
    except IntegrityError as exc:
        raise ValidationError(_("That key exists already.")) from exc
    return key, raw


def revoke_api_key(actor, key: ApiKey) -> ApiKey:
    if key.revoked_at:
        return key
    before = _apply(key, {"revoked_at": timezone.now()})
    with transaction.atomic():
        key.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="apikey.revoke",
            obj=key,
            before=before,
            after=audit.snapshot(key),
            administration=key.administration,
        )
    return key


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key matching `raw`, its last-use time refreshed at most once a minute."""
    if not raw or not raw.startswith(API_KEY_PREFIX):
        return None
    key = (
        ApiKey.objects.select_related("administration")
        .filter(key_hash=ApiKey.hash_secret(raw), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


# --- staff screens -----------------------------------------------------------------------------


def save_administration_settings(
    actor,
    admin: Administration,
    *,
    changes: dict,
    holidays: list[tuple] | None = None,
    logo=None,
    remove_logo: bool = False,
) -> Administration:
    """Apply settings `changes` and, when given, replace the holidays and the logo (an uploaded
    file) or remove it, all in one transaction.

    Only what differs from the stored values is written and audited. On ValidationError nothing is
    written and `admin` is reloaded from the database, so callers can keep showing it.
    """
    changed = changed_fields(admin, changes)
    try:
        with transaction.atomic():
            if changed:
                update_administration(actor, admin, **changed)
            current = [(h.date, h.name) for h in admin.holidays.order_by("date")]
            if holidays is not None and sorted(holidays) != current:
                set_holidays(actor, admin, sorted(holidays))
            if logo is not None or remove_logo:
                set_administration_logo(actor, admin, logo)
    except ValidationError:
        admin.refresh_from_db()
        raise
    return admin


def set_administration_logo(actor, admin: Administration, upload) -> Administration:
    """Replace the logo with `upload` (PNG, JPEG or WebP, re-encoded as a PNG without metadata by
    insieme.core.branding.clean_logo), or remove it when `upload` is None. Audited."""
    from insieme.core import branding

    name = ""
    if upload is not None:
        try:
            png = branding.clean_logo(upload)
        except ValidationError as exc:
            raise ValidationError({"logo": exc.messages}) from exc
        name = branding.logo_name(admin, png)
        storage = admin.logo.storage
        if not storage.exists(name):
            name = storage.save(name, ContentFile(png))
    before = admin.logo.name or ""
    if name == before:
        return admin
    with transaction.atomic():
        admin.logo.name = name
        admin.save(update_fields=["logo"])
        audit.record(
            actor=actor,
            action="administration.logo",
            obj=admin,
            before={"logo": before},
            after={"logo": name},
            administration=admin,
        )
    return admin


def add_partner_member_by_email(
    actor, org: PartnerOrganisation, email: str, is_representative: bool = False
) -> PartnerMember:
    """Add the existing user with this e-mail address to `org` (errors keyed on "email")."""
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError(
            {"email": _("No account uses this e-mail address. Ask the person to register first.")}
        )
    return add_partner_member(actor, org, user, is_representative=is_representative)


# --- accounts and invitations ------------------------------------------------------------------


PROFILE_FIELDS = (
    "full_name",
    "preferred_language",
    "phone",
    "contact_channel",
    "large_text",
    "high_contrast",
    "easy_read",
    "screen_reader",
)
INVITATION_DAYS = 7


def _password_errors(password: str, user: User, field: str) -> dict[str, list]:
    """{field: [errors]} when `password` is too weak for `user`, else {}."""
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        return {field: exc.error_list}
    return {}


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _candidate_errors(candidate: User) -> dict[str, list]:
    """Field errors of an unsaved user, leaving uniqueness to the caller (it must not leak)."""
    try:
        candidate.full_clean(
            exclude=["password"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return dict(exc.error_dict)
    return {}


def _mark_verified(actor, user: User) -> None:
    """Record that the person controls their address. Call inside the write's transaction."""
    before = {"email_verified_at": None}
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit.record(
        actor=actor or user,
        action="user.verify_email",
        obj=user,
        before=before,
        after={"email": user.email, "email_verified_at": user.email_verified_at},
    )


def _active_user(pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()


def send_verification(user: User, *, background: bool = False) -> bool:
    """E-mail `user` a fresh verification link; False (nothing sent) when already verified."""
    if user.email_verified_at is not None:
        return False
    path = reverse("verify_email", args=[tokens.make_verify_token(user)])
    notify.send_templated_email(
        user,
        "verify_email",
        {"user": user, "link": notify.absolute_url(path), "days": tokens.VERIFY_MAX_AGE // 86400},
        background=background,
    )
    return True


def register_user(
    *, email: str, full_name: str, password: str, preferred_language: str = "en"
) -> User | None:
    """Create an unverified account and e-mail it a verification link.

    Returns the new user, or None when the address already has an account: then that address is
    told so by e-mail (with a password-reset link) and the caller answers exactly as for a new
    account, so registration never reveals which addresses are registered.
    Raises ValidationError keyed on email, full_name, password, preferred_language.
    """
    candidate = User(
        email=email or "", full_name=full_name or "", preferred_language=preferred_language
    )
    errors = _candidate_errors(candidate)
    errors |= _password_errors(password, candidate, "password")
    _raise_if(errors)
    existing = User.objects.filter(email__iexact=candidate.email).first()
    if existing is not None:
        # The same work as for a new account (one slow hash, one e-mail sent in the background),
        # so the time of the answer does not tell that the address is registered.
        User().set_password(password)
        notify.send_templated_email(
            existing,
            "account_exists",
            {
                "user": existing,
                "login_link": notify.absolute_url(reverse("login")),
                "reset_link": notify.absolute_url(reverse("password_reset")),
            },
            background=True,
        )
        return None
    try:
        with transaction.atomic():
            user = create_user(
                None,
                email=candidate.email,
                full_name=candidate.full_name,
                password=password,
                preferred_language=candidate.preferred_language,
            )
            send_verification(user, background=True)
    except IntegrityError:
        # The same address registered a moment ago by a parallel request: answer as for a taken
        # address. Any other integrity failure is a bug and must surface.
        if User.objects.filter(email__iexact=candidate.email).exists():
            return None
        raise
    return user


def verify_email(token: str) -> tuple[User, bool]:
    """Verify the address named in a verification link: (user, True if newly verified).

    Raises tokens.TokenError when the link is tampered with, expired, or names an address that is
    no longer the account's. A second click answers (user, False) and writes nothing.
    """
    claim = tokens.read_verify_token(token)
    user = _active_user(claim.user_id)
    if user is None:
        raise tokens.TokenInvalid
    if not claim.matches(user.email):
        raise tokens.TokenUsed
    if user.email_verified_at is not None:
        return user, False
    with transaction.atomic():
        _mark_verified(user, user)
    return user, True


def update_profile(actor, user: User, **changes) -> User:
    """Change the person's own details and preferences (only PROFILE_FIELDS).

    Writes and audits only the fields whose value changes. Raises ValidationError with field
    errors (e.g. text messages chosen without a phone number) and then leaves `user` unchanged.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changed:
        return user
    before = audit.snapshot(user, list(changed))
    for name, value in changed.items():
        setattr(user, name, value)
    try:
        errors = _candidate_errors(user)
        if user.contact_channel == User.ContactChannel.SMS and not user.phone.strip():
            errors.setdefault("phone", []).append(
                ValidationError(_("Give a phone number to receive text messages."))
            )
        _raise_if(errors)
    except ValidationError:
        user.refresh_from_db(fields=list(changed))
        raise
    with transaction.atomic():
        user.save(update_fields=list(changed))
        audit.record(
            actor=actor,
            action="user.update",
            obj=user,
            before=before,
            after=audit.snapshot(user, list(changed)),
        )
    return user


def _notify_password_changed(user: User) -> None:
    notify.send_templated_email(
        user,
        "password_changed",
        {"user": user, "reset_link": notify.absolute_url(reverse("password_reset"))},
    )


def change_password(actor, user: User, *, current_password: str, new_password: str) -> User:
    """Replace the password after checking the current one; the person is told by e-mail.

    Raises ValidationError keyed on current_password or new_password. The caller must refresh
    the session hash (update_session_auth_hash) to keep this browser signed in.
    """
    if not user.check_password(current_password or ""):
        raise ValidationError({"current_password": _("Your current password is not correct.")})
    _raise_if(_password_errors(new_password, user, "new_password"))
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.password_change", obj=user)
        _notify_password_changed(user)
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link when an active account has this address; otherwise do nothing.

    The caller answers the same either way, so the reply never tells whether an address exists;
    nor does its time: an unknown address gets the same token and message made and handed to the
    background sender, which drops it (the answer never waits for the mail server either way).
    """
    email = (email or "").strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    target = user if user is not None else User(email=email, full_name=email)
    uid = urlsafe_base64_encode(force_bytes(target.pk or 0))
    path = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(target)])
    context = {
        "user": target,
        "link": notify.absolute_url(path),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    notify.send_templated_email(
        user or email, "password_reset", context, background=True, drop=user is None
    )


def reset_password(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working.

    The link proves the person reads the account's mailbox, so the address counts as verified.
    Raises tokens.TokenInvalid for a bad or used link, ValidationError keyed on new_password.
    """
    user = tokens.read_password_reset_link(uidb64, token)
    _raise_if(_password_errors(new_password, user, "new_password"))
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="user.password_reset", obj=user)
        signin.end_pauses(user)
        if user.email_verified_at is None:
            _mark_verified(user, user)
        _notify_password_changed(user)
    return user


def request_email_change(user: User, *, new_email: str, password: str) -> None:
    """Send a confirmation link to `new_email`; the address changes only when it is followed.

    Raises ValidationError keyed on password (wrong) or new_email (invalid, or the current one).
    Whether another account uses the new address is checked only on confirmation, so this step
    never reveals it.
    """
    if not user.check_password(password or ""):
        raise ValidationError({"password": _("Your current password is not correct.")})
    address = User.objects.normalize_email((new_email or "").strip()).lower()
    candidate = User(email=address, full_name=user.full_name)
    errors = {k: v for k, v in _candidate_errors(candidate).items() if k == "email"}
    if errors:
        raise ValidationError({"new_email": errors["email"]})
    if address == user.email:
        raise ValidationError({"new_email": _("This is already your e-mail address.")})
    path = reverse("email_change_confirm", args=[tokens.make_email_change_token(user, address)])
    notify.send_templated_email(
        address,
        "email_change",
        {"user": user, "new_email": address, "link": notify.absolute_url(path)},
        language=user.preferred_language,
    )


def email_change_claim(token: str) -> tuple[User, str]:
    """(user, new address) of a still usable e-mail change link, or tokens.TokenError."""
    claim = tokens.read_email_change_token(token)
    user = _active_user(claim.user_id)
    if user is None:
        raise tokens.TokenInvalid
    if not claim.matches_old(user.email):
        raise tokens.TokenUsed  # the address changed since: the link worked once already
    return user, claim.new_email


def change_email(token: str) -> User:
    """Move the account to the address named in an e-mail change link, verified; audit it.

    The old address is told of the change. Raises tokens.TokenError for an unusable link and
    ValidationError (new_email) when another account took the address meanwhile.
    """
    user, new_email = email_change_claim(token)
    taken = _("Another account uses this address now.")
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise ValidationError({"new_email": taken})
    old_email = user.email
    before = audit.snapshot(user, ["email", "email_verified_at"])
    try:
        with transaction.atomic():
            user.email = new_email
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email", "email_verified_at"])
            audit.record(
                actor=user,
                action="user.email_change",
                obj=user,
                before=before,
                after=audit.snapshot(user, ["email", "email_verified_at"]),
            )
            notify.send_templated_email(
                old_email,
                "email_changed",
                {"user": user, "old_email": old_email, "new_email": new_email},
                language=user.preferred_language,
            )
    except IntegrityError as exc:
        user.refresh_from_db()
        raise ValidationError({"new_email": taken}) from exc
    return user


# invitations


def _invitation_errors(inv: Invitation) -> dict[str, list]:
    errors: dict[str, list] = {}
    try:
        # invited_by may be None (CLI, demo): the model field is not blank=True, so skip it.
        inv.full_clean(exclude=["invited_by", "token_hash"])
    except ValidationError as exc:
        errors = dict(exc.error_dict)
    if inv.department_id and inv.department.administration_id != inv.administration_id:
        errors.setdefault("department", []).append(
            ValidationError(_("The department belongs to another administration."))
        )
    if (
        inv.role
        and Membership.objects.filter(
            administration=inv.administration, user__email__iexact=inv.email, role=inv.role
        ).exists()
    ):
        errors.setdefault("role", []).append(
            ValidationError(_("This person already has this role here."))
        )
    return errors


def invite_staff(
    actor,
    admin: Administration,
    *,
    email: str,
    full_name: str,
    role: str,
    department: Department | None = None,
    capacity: int = 20,
) -> tuple[Invitation, str]:
    """Invite a person to join `admin` in `role`; the link is e-mailed to them.

    Returns (invitation, raw secret). Only a hash of the secret is stored; the raw one is for the
    e-mail (and the CLI or demo), never for a page. The invitation expires in INVITATION_DAYS.
    Raises ValidationError keyed on email, full_name, role, department, capacity.
    """
    raw, digest = tokens.new_secret()
    inv = Invitation(
        administration=admin,
        email=User.objects.normalize_email((email or "").strip()).lower(),
        full_name=(full_name or "").strip(),
        role=role,
        department=department,
        capacity=capacity,
        token_hash=digest,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    _raise_if(_invitation_errors(inv))
    existing = User.objects.filter(email__iexact=inv.email).first()
    with transaction.atomic():
        audit.save_and_record(actor, inv, "invitation.create", admin)
        notify.send_templated_email(
            existing or inv.email,
            "invitation",
            {
                "invitation": inv,
                "administration": admin,
                "role": inv.get_role_display(),
                "inviter": inv.invited_by,
                "link": notify.absolute_url(reverse("invitation_accept", args=[raw])),
            },
            language=None if existing else admin.locale,
        )
    return inv, raw


def _lock_open_invitation(invitation: Invitation) -> Invitation:
    """The invitation re-read under a row lock; TokenError if it was used or has expired."""
    inv = Invitation.objects.select_for_update(of=("self",)).select_related(
        "administration", "department"
    )
    inv = inv.get(pk=invitation.pk)
    if inv.accepted_at is not None:
        raise tokens.TokenUsed
    if inv.expires_at <= timezone.now():
        raise tokens.TokenExpired
    return inv


def accept_invitation(
    invitation: Invitation,
    *,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    preferred_language: str = "",
) -> Membership:
    """Give the invited person their membership and close the invitation.

    With `user` (the signed-in account, which must have the invited address) the membership is
    added to it; with user None a verified account is created from full_name and password (the
    link proves the address). Raises tokens.TokenError if the invitation is used or expired, and
    ValidationError (full_name, password, or non-field) otherwise; nothing is written then.
    """
    if user is not None and user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation is for another e-mail address."))
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account uses this address: log in to accept."))
        language = preferred_language or invitation.administration.locale
        candidate = User(
            email=invitation.email, full_name=(full_name or "").strip(), preferred_language=language
        )
        errors = _candidate_errors(candidate)
        errors |= _password_errors(password, candidate, "password")
        _raise_if(errors)
    with transaction.atomic():
        inv = _lock_open_invitation(invitation)
        if user is None:
            user = create_user(
                None,
                email=inv.email,
                full_name=candidate.full_name,
                password=password,
                verified=True,
                preferred_language=candidate.preferred_language,
            )
        elif user.email_verified_at is None:
            _mark_verified(user, user)
        if Membership.objects.filter(
            user=user, administration=inv.administration, role=inv.role
        ).exists():
            raise ValidationError(_("You already have this role in this administration."))
        membership = add_membership(
            user,
            inv.administration,
            user,
            role=inv.role,
            department=inv.department,
            capacity=inv.capacity,
        )
        inv.accepted_at = timezone.now()
        inv.save(update_fields=["accepted_at"])
        audit.record(
            actor=user,
            action="invitation.accept",
            obj=inv,
            before={"accepted_at": None},
            after={
                "accepted_at": inv.accepted_at,
                "user_id": user.pk,
                "membership_id": membership.pk,
            },
            administration=inv.administration,
        )
    invitation.accepted_at = inv.accepted_at
    return membership


# --- second factor -----------------------------------------------------------------------------

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes; the raw codes (10 characters, about 50 bits each) are
    returned to be shown once, only their hashes stored. Call inside a transaction."""
    from insieme.core.models import RecoveryCode, RecoveryCodeDevice

    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=RecoveryCodeDevice.digest(c)) for c in codes]
    )
    return codes


def start_two_factor(user: User, *, name: str = "authenticator app", key: str | None = None):
    """A new, unconfirmed TOTP device for the person to add to their authenticator app (any
    earlier unconfirmed one is dropped). It counts once confirm_two_factor accepts a code.
    `key` (hex) is for the demo only, whose administrators share a printed key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    extra = {"key": key} if key else {}
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=name, confirmed=False, **extra)


def confirm_two_factor(
    actor, user: User, device, code: str, *, tell_person: bool = True
) -> list[str]:
    """Turn the second factor on with `device` once `code` from the app matches; returns the new
    recovery codes (shown once). Any earlier app is replaced. Raises ValidationError on `code`.
    The person is told by e-mail unless `tell_person` is False (the demo's seeding)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": _("Start the set-up again.")})
    if not device.verify_token((code or "").replace(" ", "")):
        raise ValidationError(
            {"code": _("That code does not match. Check the time on your phone and try again.")}
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        had_one = replaced.exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(
            actor=actor,
            action="user.second_factor_on",
            obj=user,
            after={"replaced_app": had_one, "recovery_codes": len(codes)},
        )
        if tell_person:
            notify.send_templated_email(user, "second_factor_changed", {"user": user, "on": True})
    return codes


def regenerate_recovery_codes(actor, user: User) -> list[str]:
    """New recovery codes for a person with a second factor; the old ones stop working."""
    from insieme.core.twofactor import totp_device

    if totp_device(user) is None:
        raise ValidationError(_("Turn on the second factor first."))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(
            actor=actor, action="user.recovery_codes", obj=user, after={"count": len(codes)}
        )
    return codes


def turn_off_two_factor(actor, user: User, *, password: str) -> None:
    """Remove the person's second factor after checking their password. Administrators must keep
    theirs. Raises ValidationError keyed on password, or a general one for administrators."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from insieme.core.models import RecoveryCodeDevice
    from insieme.core.twofactor import is_administrator

    if is_administrator(user):
        raise ValidationError(_("Administrators must keep their second factor."))
    if not user.check_password(password or ""):
        raise ValidationError({"password": _("Your current password is not correct.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        audit.record(actor=actor, action="user.second_factor_off", obj=user)
        notify.send_templated_email(user, "second_factor_changed", {"user": user, "on": False})
