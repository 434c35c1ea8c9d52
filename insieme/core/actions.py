"""The one write path of the core app: validate, write in a transaction, audit, notify on commit.

Views, CLI commands and the demo call these functions; nothing else writes core rows.
Each raises django.core.exceptions.ValidationError with field errors on bad input and writes nothing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.access import forget_permissions
from insieme.core.models import (
    Administration,
    ApiKey,
    Department,
    Holiday,
    Membership,
    PartnerMember,
    PartnerOrganisation,
    User,
)

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
    with transaction.atomic():
        admin.save()
        audit.record(actor=actor, action="administration.create", obj=admin,
                     after=audit.snapshot(admin), administration=admin)
    return admin


def update_administration(actor, admin: Administration, **changes) -> Administration:
    before = _apply(admin, changes)
    _full_clean(admin)
    with transaction.atomic():
        admin.save()
        audit.record(actor=actor, action="administration.update", obj=admin, before=before,
                     after=audit.snapshot(admin), administration=admin)
    return admin


def set_holidays(actor, admin: Administration, days: list[tuple]) -> None:
    """Replace the administration's holidays with [(date, name), ...]."""
    with transaction.atomic():
        before = [[str(h.date), h.name] for h in admin.holidays.all()]
        admin.holidays.all().delete()
        Holiday.objects.bulk_create(
            [Holiday(administration=admin, date=d, name=n) for d, n in days]
        )
        audit.record(actor=actor, action="administration.holidays", obj=admin, before={"holidays": before},
                     after={"holidays": [[str(d), n] for d, n in days]}, administration=admin)


# --- departments -----------------------------------------------------------------------------


def create_department(actor, admin: Administration, **fields) -> Department:
    dept = Department(administration=admin, **fields)
    _full_clean(dept)
    with transaction.atomic():
        dept.save()
        audit.record(actor=actor, action="department.create", obj=dept,
                     after=audit.snapshot(dept), administration=admin)
    return dept


def update_department(actor, dept: Department, **changes) -> Department:
    before = _apply(dept, changes)
    _full_clean(dept)
    with transaction.atomic():
        dept.save()
        audit.record(actor=actor, action="department.update", obj=dept, before=before,
                     after=audit.snapshot(dept), administration=dept.administration)
    return dept


# --- people and memberships --------------------------------------------------------------------


def create_user(actor, *, email: str, full_name: str, password: str | None = None,
                verified: bool = False, **extra) -> User:
    user = User(email=email, full_name=full_name, **extra)
    user.set_password(password)  # None gives an unusable password
    if verified:
        user.email_verified_at = timezone.now()
    _full_clean(user, exclude=["password"])
    with transaction.atomic():
        user.save()
        audit.record(actor=actor or user, action="user.create", obj=user, after=audit.snapshot(user))
    return user


def add_membership(actor, admin: Administration, user: User, *, role: str,
                   department: Department | None = None, capacity: int = 20,
                   job_title: str = "") -> Membership:
    m = Membership(administration=admin, user=user, role=role, department=department,
                   capacity=capacity, job_title=job_title)
    _full_clean(m)
    with transaction.atomic():
        m.save()
        audit.record(actor=actor, action="membership.create", obj=m,
                     after=audit.snapshot(m), administration=admin)
    forget_permissions(user)
    return m


def update_membership(actor, m: Membership, **changes) -> Membership:
    before = _apply(m, changes)
    _full_clean(m)
    with transaction.atomic():
        m.save()
        audit.record(actor=actor, action="membership.update", obj=m, before=before,
                     after=audit.snapshot(m), administration=m.administration)
    forget_permissions(m.user)
    return m


def remove_membership(actor, m: Membership) -> None:
    if m.user_id == getattr(actor, "pk", None) and m.role == "administrator":
        others = Membership.objects.filter(
            administration=m.administration, role="administrator", is_active=True
        ).exclude(pk=m.pk)
        if not others.exists():
            raise ValidationError(_("You are the last administrator; appoint another first."))
    with transaction.atomic():
        before = audit.snapshot(m)
        audit.record(actor=actor, action="membership.delete", obj=m, before=before,
                     administration=m.administration)
        m.delete()
    forget_permissions(m.user)


# --- partner organisations ---------------------------------------------------------------------


def create_partner(actor, admin: Administration, **fields) -> PartnerOrganisation:
    org = PartnerOrganisation(administration=admin, **fields)
    _full_clean(org)
    with transaction.atomic():
        org.save()
        audit.record(actor=actor, action="partner.create", obj=org, after=audit.snapshot(org),
                     administration=admin)
    return org


def update_partner(actor, org: PartnerOrganisation, **changes) -> PartnerOrganisation:
    before = _apply(org, changes)
    _full_clean(org)
    with transaction.atomic():
        org.save()
        audit.record(actor=actor, action="partner.update", obj=org, before=before,
                     after=audit.snapshot(org), administration=org.administration)
    return org


def add_partner_member(actor, org: PartnerOrganisation, user: User,
                       is_representative: bool = False) -> PartnerMember:
    if PartnerMember.objects.filter(organisation=org, user=user).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    with transaction.atomic():
        pm = PartnerMember.objects.create(organisation=org, user=user,
                                          is_representative=is_representative)
        audit.record(actor=actor, action="partner.member_add", obj=pm,
                     after=audit.snapshot(pm), administration=org.administration)
    return pm


# --- API keys ----------------------------------------------------------------------------------


def create_api_key(actor, admin: Administration, *, name: str, scopes: list[str],
                   raw_key: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns (row, raw key). The raw key is never stored and never shown again.

    `raw_key` lets the demo derive a reproducible key from its seed; everything else leaves it None.
    """
    valid = {s for s, _label in ApiKey.SCOPES}
    errors = {}
    if not name or not name.strip():
        errors["name"] = _("Give the key a name.")
    unknown = [s for s in scopes if s not in valid]
    if unknown:
        errors["scopes"] = _("Unknown scopes: %(s)s") % {"s": ", ".join(unknown)}
    if not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    if errors:
        raise ValidationError(errors)
    raw = raw_key or API_KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = raw[len(API_KEY_PREFIX): len(API_KEY_PREFIX) + 8]
    key = ApiKey(administration=admin, name=name.strip(), prefix=prefix,
                 key_hash=ApiKey.hash_secret(raw), scopes=sorted(set(scopes)),
                 created_by=actor if getattr(actor, "is_authenticated", False) else None)
    try:
        with transaction.atomic():
            key.save()
            audit.record(actor=actor, action="apikey.create", obj=key,
                         after=audit.snapshot(key), administration=admin)
    except IntegrityError as exc:
        raise ValidationError(_("That key exists already.")) from exc
    return key, raw


def revoke_api_key(actor, key: ApiKey) -> ApiKey:
    if key.revoked_at:
        return key
    before = _apply(key, {"revoked_at": timezone.now()})
    with transaction.atomic():
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="apikey.revoke", obj=key, before=before,
                     after=audit.snapshot(key), administration=key.administration)
    return key


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key matching `raw`, its last-use time refreshed at most once a minute."""
    if not raw or not raw.startswith(API_KEY_PREFIX):
        return None
    key = ApiKey.objects.select_related("administration").filter(
        key_hash=ApiKey.hash_secret(raw), revoked_at__isnull=True
    ).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key
