"""What the data steward decides about open data, and what has been published.

- `DatasetSetting`: per administration and registered dataset, whether it is published (the
  catalogue and the CKAN API list only those), its small-count threshold and its licence.
- `ServiceTextPolicy`: per service, whether its free text may appear in open data (withheld by
  default; redacted; or redacted and approved by a moderator) and whether its places are
  sensitive (moved at random within their grid cell, not only to its centre).
- `TextReview`: a moderator's approval of one record's redacted text, for services whose
  policy asks for it; the approval holds for the text as it was approved (its hash).
- `Publication`: one version of one dataset of one administration: its files, their sizes and
  checksums. A publication run that produces the same content keeps the current version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog.models import Service
from insieme.core.models import Administration

LICENCES = {
    # key: (title, URI in the EU licences vocabulary, URL of the licence text)
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons CC0 1.0",
        "http://publications.europa.eu/resource/authority/licence/CC0",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "IODL-2.0": (
        "Italian Open Data License 2.0",
        "http://publications.europa.eu/resource/authority/licence/IODL_2_0",
        "https://www.dati.gov.it/iodl/2.0/",
    ),
}
DEFAULT_LICENCE = "CC-BY-4.0"
DEFAULT_THRESHOLD = 5


class DatasetSetting(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Not published")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="dataset_settings"
    )
    dataset = models.CharField(_("dataset"), max_length=60)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    threshold = models.PositiveSmallIntegerField(
        _("smallest count shown"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("Counts below this are suppressed, with the cells that would reveal them."),
    )
    licence = models.CharField(
        _("licence"),
        max_length=20,
        default=DEFAULT_LICENCE,
        choices=[(k, v[0]) for k, v in LICENCES.items()],
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "dataset"], name="opendata_setting_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration.slug}/{self.dataset}"


class ServiceTextPolicy(models.Model):
    class Text(models.TextChoices):
        WITHHELD = "withheld", _("Never published")
        REDACTED = "redacted", _("Published after redaction")
        REVIEWED = "reviewed", _("Published after redaction and a moderator's approval")

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="open_data_policy"
    )
    text = models.CharField(
        _("free text in open data"), max_length=10, choices=Text.choices, default=Text.WITHHELD
    )
    sensitive_places = models.BooleanField(
        _("sensitive places"),
        default=False,
        help_text=_("Places are moved at random within their grid cell, not only to its centre."),
    )

    def __str__(self) -> str:
        return f"{self.service}: {self.text}"


class TextReview(models.Model):
    """A record's redacted text waiting for, or given, a moderator's decision (`record` is
    "<dataset>:<pk>"). A publication run files the text it would publish; a decision holds for
    that text only (its hash): when the record's text changes, it waits again."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    record = models.CharField(max_length=80)
    text = models.TextField()  # redacted: what would be published
    text_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "record"], name="opendata_review_unique"
            )
        ]
        indexes = [models.Index(fields=["administration", "state"])]

    def __str__(self) -> str:
        return f"{self.record}: {self.state}"


class Publication(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="publications"
    )
    dataset = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # The last time a publication run found this content current (the dataset's "modified"
    # is `created_at`: when the content last changed).
    checked_at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64)
    # {format: {"path": relative to the open-data folder, "bytes": n, "sha256": hex}}
    files = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "dataset", "version"], name="opendata_version_unique"
            )
        ]
        indexes = [models.Index(fields=["administration", "dataset", "-version"])]
        ordering = ["administration_id", "dataset", "-version"]

    def __str__(self) -> str:
        return f"{self.administration.slug}/{self.dataset} v{self.version}"
