"""Administrations (tenants), people, roles, partners, API keys and the audit log."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.core.permissions import Role

CHANNELS = [
    ("web", _("Web")),
    ("app", _("App")),
    ("api", _("API")),
    ("counter", _("Counter")),
    ("phone", _("Phone")),
    ("email", _("E-mail")),
]
CHANNEL_KEYS = [c for c, _label in CHANNELS]

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: citizen, business representative, partner member or employee (by memberships)."""

    class ContactChannel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")
        POST = "post", _("Post")
        NONE = "none", _("No notifications")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="en",
        choices=[("en", "English"), ("it", "Italiano")],
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_channel = models.CharField(
        _("preferred contact channel"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.EMAIL,
    )
    large_text = models.BooleanField(_("larger text"), default=False)
    high_contrast = models.BooleanField(_("high contrast"), default=False)
    easy_read = models.BooleanField(_("plain-language summaries"), default=False)
    screen_reader = models.BooleanField(_("I use a screen reader"), default=False)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Can use the technical Django admin (operators only).")
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


@functools.cache
def _time_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """Whether `name` is a time zone of the system's IANA database. Listing them walks the whole
    zoneinfo tree (about 80 ms), so it is done once per process: every administration's
    validation asked for it again, which cost a quarter of a second per test."""
    return name in _time_zones()


class Administration(models.Model):
    """A tenant: a region, a municipality or another public body. Every tenant row points here."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National body")
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other public body")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hosted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ipa_code = models.CharField(
        _("IPA code"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]{2,20}$", _("Letters, digits and _ only."))],
        help_text=_("Code of the body in Italy's Indice delle Pubbliche Amministrazioni."),
    )
    locale = models.CharField(
        _("locale"), max_length=8, default="it", choices=[("en", "English"), ("it", "Italiano")]
    )
    timezone = models.CharField(_("time zone"), max_length=60, default="Europe/Rome")
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    brand_name = models.CharField(_("brand name"), max_length=200, blank=True)
    # A PNG re-encoded from the upload (insieme.core.branding.clean_logo), named by its hash.
    logo = models.FileField(_("logo"), upload_to="branding/", max_length=200, blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#0066cc", validators=[hex_colour]
    )
    secondary_colour = models.CharField(
        _("secondary colour"), max_length=7, default="#004080", validators=[hex_colour]
    )
    feature_flags = models.JSONField(_("feature flags"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("administration")

    def __str__(self) -> str:
        return self.name

    # Slugs that would collide with fixed staff URLs (/staff/switch/ ...).
    RESERVED_SLUGS = frozenset({"switch", "api", "static", "media", "admin"})

    def clean(self):
        from insieme.core.geo import GeometryError, parse_boundary

        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError({"slug": _("This name is reserved; choose another slug.")})

        if self.boundary:
            try:
                parse_boundary(self.boundary)
            except GeometryError as exc:
                raise ValidationError({"boundary": str(exc)}) from exc
        if self.timezone and not is_time_zone(self.timezone):
            raise ValidationError({"timezone": _("Unknown time zone.")})
        if self.parent_id and self.pk:
            node, seen = self.parent, {self.pk}
            while node is not None:
                if node.pk in seen:
                    raise ValidationError({"parent": _("An administration cannot host itself.")})
                seen.add(node.pk)
                node = node.parent
        if not isinstance(self.feature_flags, dict):
            raise ValidationError({"feature_flags": _("Feature flags must be a JSON object.")})

    @property
    def display_name(self) -> str:
        return self.brand_name or self.name

    def flag(self, name: str, default: bool = False) -> bool:
        return bool((self.feature_flags or {}).get(name, default))


class Holiday(models.Model):
    """A non-working day of an administration (for SLAs in working days)."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "date"], name="holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Department(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40)
    email = models.EmailField(_("e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "code"], name="department_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in an administration, with the capacity (open cases they can carry)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    capacity = models.PositiveIntegerField(
        _("capacity"), default=20, help_text=_("Open cases this person can carry at once.")
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["administration__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administration", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.administration}"

    def clean(self):
        if self.department_id and self.department.administration_id != self.administration_id:
            raise ValidationError(
                {"department": _("The department belongs to another administration.")}
            )


class Invitation(models.Model):
    """A staff invitation: the invited person sets a password and gets the membership."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL)
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.get_role_display()} ({self.administration})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class PartnerOrganisation(models.Model):
    """An NGO, association or company that takes part in an administration's processes."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-profit organisation")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Company")
        PUBLIC = "public", _("Other public body")
        OTHER = "other", _("Other")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    tax_code = models.CharField(_("tax code / VAT number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(User, through="PartnerMember", related_name="partner_orgs")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "name"], name="partner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerMember(models.Model):
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    is_representative = models.BooleanField(_("can act for the organisation"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="partner_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class ApiKey(models.Model):
    """A key for an application; only a SHA-256 of the secret is kept, shown once at creation."""

    SCOPES = [
        ("services:read", _("Read services and forms")),
        ("cases:read", _("Read cases (without personal data or internal notes)")),
        (
            "cases:read_personal",
            _("Read personal data of cases: contact details, texts as written, private files"),
        ),
        ("cases:read_internal", _("Read internal notes and events of cases, and staff names")),
        ("cases:write", _("Create and update cases")),
        ("open311:write", _("Submit Open311 requests")),
        ("opendata:read", _("Read open data")),
        ("insights:read", _("Read the Scorecard")),
    ]

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_secret(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every write.

    `seq` is contiguous from 1; `entry_hash` covers the entry's content and the previous hash, so a
    changed, removed or reordered entry breaks the chain (see `insieme audit verify`).
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    administration = models.ForeignKey(
        Administration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # Version 2 hashes a salted digest of each field that may hold personal data (PERSONAL)
    # rather than the field itself, so that the field can be erased later without breaking the
    # chain: `sealed` then keeps, per erased field, the digest the chain was built on ("was")
    # and the digest of what is there now ("now", with its own salt), and a later
    # "core.audit.erased" entry records the "now" digests (see insieme.core.audit.erase).
    # Version 1 entries, written before, hash the fields as they are.
    hash_version = models.PositiveSmallIntegerField(default=1)
    salt = models.CharField(max_length=32, blank=True)
    sealed = models.JSONField(null=True, blank=True)

    PERSONAL = ("actor_label", "object_repr", "before", "after")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["administration", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")

    @staticmethod
    def digest(salt: str, value) -> str:
        """The salted digest of a field's value (its canonical JSON)."""
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()

    def field_digest(self, name: str) -> str:
        """What the chain covers of a personal field: the digest it had when written."""
        if self.sealed and name in self.sealed.get("fields", {}):
            return self.sealed["fields"][name]["was"]
        return self.digest(self.salt, getattr(self, name))

    def payload(self) -> str:
        """The canonical text that the hash covers."""
        content = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "administration_id": self.administration_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "prev_hash": self.prev_hash,
        }
        if self.hash_version >= 2:
            content["v"] = 2
            content.update({f"{n}_digest": self.field_digest(n) for n in self.PERSONAL})
        else:
            content.update({n: getattr(self, n) for n in self.PERSONAL})
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload().encode()).hexdigest()


def today_in(administration: Administration | None, now=None) -> date:
    """The day it is (at `now`, default: now) where the administration is."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo(administration.timezone if administration else settings.TIME_ZONE)
    return (now or timezone.now()).astimezone(tz).date()


# Rate-limit counters and recovery codes (their own module; Django finds them through this one).
from insieme.core.models_security import (  # noqa: E402, F401
    RateCounter,
    RecoveryCode,
    RecoveryCodeDevice,
)
