"""The service catalogue: shared templates, local services, their forms, SLAs, cost models,
and the regulation register that every service and form field is traced to."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.core.models import CHANNEL_KEYS, Administration, Department, Membership

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$",
    _("Use letters, digits, '-', '_' or '.', starting with a letter or digit."),
)


class Datatype(models.TextChoices):
    """The six Open311 GeoReport v2 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = {Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST}


def search_key(text: str) -> str:
    """Text folded for search: case and accents removed ("Città" and "citta" give one key).

    Stored on each service (Service.search_text) so that the same contains-query works on SQLite,
    whose LIKE folds ASCII only, and on PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class ServiceKind(models.TextChoices):
    REPORT = "report", _("Report (a problem at a place)")
    APPLICATION = "application", _("Application (a procedure with a decision)")


class ServiceType(models.TextChoices):
    REALTIME = "realtime", _("Realtime")
    BATCH = "batch", _("Batch")
    BLACKBOX = "blackbox", _("Blackbox")


class DayType(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


# The fields a local service may take from its template; deviation is reported over these.
TEMPLATE_FIELDS = [
    "name",
    "description",
    "group",
    "keywords",
    "service_type",
    "kind",
    "located",
    "channels",
    "anonymous_allowed",
    "sla_acknowledge_days",
    "sla_resolve_days",
    "sla_day_type",
    "staff_minutes",
    "citizen_minutes",
    "hourly_cost",
]
# What a service built on a template copies from it: the fields above, and the language its texts
# are in with their translations (which follow their texts and are not deviations of their own).
COPIED_FIELDS = [*TEMPLATE_FIELDS, "language", "translations"]


class ServiceFields(models.Model):
    """What a template and a service share: Open311 fields, Insieme's own, SLA and cost model."""

    code = models.CharField(_("code"), max_length=60, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated words citizens may search for."),
    )
    service_type = models.CharField(
        _("Open311 type"), max_length=10, choices=ServiceType.choices, default=ServiceType.REALTIME
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ServiceKind.choices, default=ServiceKind.REPORT
    )
    located = models.BooleanField(
        _("needs a location"),
        default=True,
        help_text=_("Citizens point at a place on a map or give an address."),
    )
    channels = models.JSONField(_("channels offered"), default=list)
    anonymous_allowed = models.BooleanField(_("anonymous filing allowed"), default=False)
    sla_acknowledge_days = models.PositiveIntegerField(_("days to acknowledge"), default=2)
    sla_resolve_days = models.PositiveIntegerField(_("days to resolve"), default=30)
    sla_day_type = models.CharField(
        _("SLA counted in"), max_length=10, choices=DayType.choices, default=DayType.WORKING
    )
    staff_minutes = models.JSONField(
        _("staff minutes per case by channel"),
        default=dict,
        blank=True,
        help_text=_("Standard Cost Model: minutes of staff time one case takes, per channel."),
    )
    citizen_minutes = models.PositiveIntegerField(
        _("citizen minutes to complete"),
        default=10,
        help_text=_("Time a citizen needs to gather information and fill the form."),
    )
    hourly_cost = models.DecimalField(
        _("staff hourly cost (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("32.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # The language name, description, group, keywords and the form's questions are written in;
    # `translations` holds them in the other languages (see insieme.catalog.i18n).
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="it"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def i18n(self) -> i18n.Localised:
        """The texts in the active language: `service.i18n.name`."""
        return i18n.Localised(self)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    def clean(self):
        errors: dict[str, list] = {}
        channels = self.channels
        if not isinstance(channels, list) or not channels:
            errors.setdefault("channels", []).append(
                _("Offer the service on at least one channel.")
            )
        else:
            unknown = [c for c in channels if c not in CHANNEL_KEYS]
            if unknown:
                errors.setdefault("channels", []).append(
                    _("Unknown channels: %(c)s.") % {"c": ", ".join(map(str, unknown))}
                )
            if len(set(channels)) != len(channels):
                errors.setdefault("channels", []).append(_("A channel is listed twice."))
        if self.sla_acknowledge_days is not None and self.sla_acknowledge_days < 1:
            errors.setdefault("sla_acknowledge_days", []).append(
                _("The time to acknowledge must be at least one day.")
            )
        if self.sla_resolve_days is not None and self.sla_resolve_days < 1:
            errors.setdefault("sla_resolve_days", []).append(
                _("The time to resolve must be at least one day.")
            )
        if (
            self.sla_acknowledge_days
            and self.sla_resolve_days
            and self.sla_acknowledge_days > self.sla_resolve_days
        ):
            errors.setdefault("sla_acknowledge_days", []).append(
                _("Acknowledging cannot take longer than resolving.")
            )
        minutes = self.staff_minutes
        if not isinstance(minutes, dict):
            errors.setdefault("staff_minutes", []).append(_("Give minutes per channel."))
        else:
            for channel, value in minutes.items():
                if channel not in CHANNEL_KEYS:
                    errors.setdefault("staff_minutes", []).append(
                        _("Unknown channel %(c)s.") % {"c": channel}
                    )
                elif isinstance(channels, list) and channel not in channels:
                    errors.setdefault("staff_minutes", []).append(
                        _("%(c)s is not a channel this service offers.") % {"c": channel}
                    )
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    errors.setdefault("staff_minutes", []).append(
                        _("Minutes for %(c)s must be a number of zero or more.") % {"c": channel}
                    )
        translation_errors = i18n.validate(self.translations, i18n.SERVICE_TEXTS)
        if translation_errors:
            errors.setdefault("translations", []).extend(translation_errors)
        if errors:
            raise ValidationError(errors)


class ServiceTemplate(ServiceFields):
    """A service shared by a region or national body; hosted administrations build on it."""

    owner = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="templates", verbose_name=_("owner")
    )
    shared = models.BooleanField(_("offered to hosted administrations"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="template_code_unique")
        ]


class Service(ServiceFields):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="services"
    )
    template = models.ForeignKey(
        ServiceTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
        verbose_name=_("template"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
        verbose_name=_("responsible department"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    overridden_fields = models.JSONField(default=list, blank=True, editable=False)
    skilled = models.ManyToManyField(
        Membership,
        blank=True,
        related_name="skilled_services",
        verbose_name=_("staff skilled for it"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Folded name, code, group, keywords and description (see search_key); kept by the actions.
    search_text = models.TextField(default="", blank=True, editable=False)

    class Meta:
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "code"], name="service_code_unique")
        ]
        indexes = [models.Index(fields=["administration", "status"])]

    def build_search_text(self) -> str:
        """The value search_text should hold for the service's current fields, in every
        language it has texts in."""
        parts = [self.code, *i18n.all_texts(self, ("name", "group", "keywords", "description"))]
        return search_key(" ".join(p for p in parts if p))

    def clean(self):
        super().clean()
        if self.department_id and self.department.administration_id != self.administration_id:
            raise ValidationError(
                {"department": _("The department belongs to another administration.")}
            )


class AttributeFields(models.Model):
    code = models.CharField(_("code"), max_length=60, validators=[code_validator])
    datatype = models.CharField(
        _("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    label = models.CharField(
        _("question"),
        max_length=300,
        help_text=_("What the citizen is asked (Open311 'description')."),
    )
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("citizen answers it"), default=True, help_text=_("Off for an information-only line.")
    )
    order = models.PositiveIntegerField(_("order"))
    values = models.JSONField(
        _("list values"),
        default=list,
        blank=True,
        help_text=_("For list datatypes: [{key, name}, ...]."),
    )
    # Label, help text and value names in the other languages (see insieme.catalog.i18n); the
    # question's own texts are in its service's (or template's) language.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    @property
    def i18n(self) -> i18n.Localised:
        """The texts in the active language: `attribute.i18n.label`, `attribute.i18n.values`."""
        return i18n.Localised(self)

    def clean(self):
        errors: dict[str, list] = {}
        values = self.values
        if self.datatype in LIST_DATATYPES:
            if not isinstance(values, list) or not values:
                errors.setdefault("values", []).append(
                    _("A list question needs at least one value to choose from.")
                )
            else:
                keys = []
                for v in values:
                    if (
                        not isinstance(v, dict)
                        or not str(v.get("key", "")).strip()
                        or not str(v.get("name", "")).strip()
                    ):
                        errors.setdefault("values", []).append(
                            _("Each value needs a key and a name.")
                        )
                        break
                    keys.append(str(v["key"]).strip())
                if len(keys) != len(set(keys)):
                    errors.setdefault("values", []).append(_("Two values share a key."))
        elif values:
            errors.setdefault("values", []).append(
                _("Only list questions take values; remove them or change the datatype.")
            )
        keys = (
            [str(v.get("key")) for v in values if isinstance(v, dict)]
            if isinstance(values, list)
            else []
        )
        translation_errors = i18n.validate(self.translations, i18n.ATTRIBUTE_TEXTS, keys)
        if translation_errors:
            errors.setdefault("translations", []).extend(translation_errors)
        if errors:
            raise ValidationError(errors)


class TemplateAttribute(AttributeFields):
    template = models.ForeignKey(
        ServiceTemplate, on_delete=models.CASCADE, related_name="attributes"
    )

    class Meta(AttributeFields.Meta):
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="tattr_code_unique"),
            models.UniqueConstraint(fields=["template", "order"], name="tattr_order_unique"),
        ]


class Attribute(AttributeFields):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    template_attribute = models.ForeignKey(
        TemplateAttribute, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(AttributeFields.Meta):
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="attr_code_unique"),
            models.UniqueConstraint(fields=["service", "order"], name="attr_order_unique"),
        ]


class LegalStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    NOT_YET = "not_yet", _("Not yet in force")
    REVIEW_OVERDUE = "review_overdue", _("Overdue for review")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")


# Statuses that make a legal basis a problem (DESIGN.md T3), and a ranking to find the worst one.
PROBLEM_STATUSES = frozenset(
    {LegalStatus.EXPIRED, LegalStatus.SUPERSEDED, LegalStatus.REVIEW_OVERDUE}
)
STATUS_SEVERITY = {
    LegalStatus.IN_FORCE: 0,
    LegalStatus.NOT_YET: 1,
    LegalStatus.REVIEW_OVERDUE: 2,
    LegalStatus.SUPERSEDED: 3,
    LegalStatus.EXPIRED: 4,
}


class LegalDates(models.Model):
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    in_force_until = models.DateField(_("in force until"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        if self.in_force_from and self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError(
                {"in_force_until": _("It cannot expire before it comes into force.")}
            )


class Regulation(LegalDates):
    """A law, regional law, decree or local regulation in the administration's register."""

    class Kind(models.TextChoices):
        LAW = "law", _("National law")
        DECREE = "decree", _("Decree")
        REGIONAL_LAW = "regional_law", _("Regional law")
        LOCAL = "local", _("Local regulation")
        RESOLUTION = "resolution", _("Resolution")
        EU = "eu", _("EU regulation")

    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="regulations",
        verbose_name=_("register of"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LOCAL)
    reference = models.CharField(
        _("reference"), max_length=120, help_text=_("For example “L.R. 12/2019”.")
    )
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "reference"], name="regulation_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def clean(self):
        super().clean()
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("A regulation cannot supersede itself.")})

    def status(self, today: date) -> str:
        """The regulation's own legal status on `today` (provisions may add their own dates)."""
        if self.in_force_until and self.in_force_until < today:
            return LegalStatus.EXPIRED
        if self.superseded_by_id:
            return LegalStatus.SUPERSEDED
        if self.in_force_from and self.in_force_from > today:
            return LegalStatus.NOT_YET
        if self.review_due and self.review_due < today:
            return LegalStatus.REVIEW_OVERDUE
        return LegalStatus.IN_FORCE

    def days_overdue(self, today: date) -> int:
        """Days since it expired, else since its review fell due; 0 when neither has passed."""
        if self.in_force_until and self.in_force_until < today:
            return (today - self.in_force_until).days
        if self.review_due and self.review_due < today:
            return (today - self.review_due).days
        return 0


class Provision(LegalDates):
    """An article or clause of a regulation; services and form fields are traced to these."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="provisions")
    article = models.CharField(
        _("article"), max_length=60, help_text=_("For example “art. 5 c. 2”.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    class Meta:
        ordering = ["regulation__reference", "article"]
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "article"], name="provision_article_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.regulation.reference} {self.article}"

    def clean(self):
        super().clean()
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("A provision cannot supersede itself.")})

    def effective_dates(self) -> tuple[date | None, date | None, date | None]:
        """Own dates, falling back to the regulation's; of two review or expiry dates, the
        earlier wins."""
        reg = self.regulation

        def earliest(a, b):
            return min(d for d in (a, b) if d) if (a or b) else None

        start = self.in_force_from or reg.in_force_from
        return (
            start,
            earliest(self.in_force_until, reg.in_force_until),
            earliest(self.review_due, reg.review_due),
        )

    def status(self, today: date) -> str:
        start, until, review = self.effective_dates()
        if until and until < today:
            return LegalStatus.EXPIRED
        if self.superseded_by_id or self.regulation.superseded_by_id:
            return LegalStatus.SUPERSEDED
        if start and start > today:
            return LegalStatus.NOT_YET
        if review and review < today:
            return LegalStatus.REVIEW_OVERDUE
        return LegalStatus.IN_FORCE

    def days_overdue(self, today: date) -> int:
        _start, until, review = self.effective_dates()
        if until and until < today:
            return (today - until).days
        if review and review < today:
            return (today - review).days
        return 0


class Trace(models.Model):
    """Why a service (attribute=None) or one of its form fields exists: a provision or a
    policy need."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="traces")
    attribute = models.ForeignKey(
        Attribute,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="traces",
        verbose_name=_("form field"),
    )
    provision = models.ForeignKey(
        Provision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="traces",
        verbose_name=_("provision"),
    )
    policy_need = models.CharField(
        _("policy need"),
        max_length=300,
        blank=True,
        help_text=_("Where no provision requires it: the stated need it serves."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attribute__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "attribute", "provision"],
                name="trace_unique",
                condition=models.Q(provision__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        target = self.provision.reference if self.provision_id else self.policy_need
        return f"{self.attribute.code if self.attribute_id else self.service.code} → {target}"

    def clean(self):
        if not self.provision_id and not self.policy_need.strip():
            raise ValidationError(_("Name the provision or state the policy need."))
        if self.attribute_id and self.attribute.service_id != self.service_id:
            raise ValidationError({"attribute": _("That field belongs to another service.")})
