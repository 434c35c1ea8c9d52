"""Data protection: personal data found in free text, consent, requests of data subjects,
retention.

- `Finding`: the personal-data scanner found something in a stored text (which kinds, where, and
  the text around it already redacted: the finding itself never copies personal data); the
  data steward resolves it (the text redacted) or dismisses it.
- `Consent`: one decision of a person about an optional processing (append-only: the latest
  row per purpose is in force; the history is the record the GDPR asks for).
- `SubjectRequest`: a person's request to export or erase their data, and how it was handled.
- `RetentionPolicy`, `RetentionRun`: how long closed records keep personal data (per service, or
  an administration's default), and each run of the policies (a dry run only counts).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog.models import Service
from insieme.core.models import Administration


class Finding(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("To review")
        REDACTED = "redacted", _("Redacted")
        DISMISSED = "dismissed", _("Not personal data")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="privacy_findings"
    )
    # Where the text is: "<app_label>.<model>.<field>" and the row's id.
    source = models.CharField(max_length=80)
    object_id = models.PositiveBigIntegerField()
    kinds = models.JSONField(default=list)  # e.g. ["email", "phone"]
    excerpt = models.TextField(blank=True)  # redacted: placeholders where the data was
    text_hash = models.CharField(max_length=64)  # of the text as scanned
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id"], name="privacy_finding_unique")
        ]
        indexes = [models.Index(fields=["administration", "state"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.object_id} ({self.state})"


class Consent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=40)
    granted = models.BooleanField()
    decided_at = models.DateTimeField(default=timezone.now)
    # Which wording the person saw (a purpose's text changes: its version goes up).
    version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-decided_at"])]
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose}: {'granted' if self.granted else 'refused'}"


class SubjectRequest(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("A copy of my data")
        ERASE = "erase", _("Erase my account")

    class State(models.TextChoices):
        DONE = "done", _("Done")
        PENDING = "pending", _("Waiting for the data steward")
        REFUSED = "refused", _("Refused")

    # Kept after an erasure with the person's id only (their account is anonymised, not gone).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"


class RetentionPolicy(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="retention_policies"
    )
    # None: the administration's default for its services and its participation.
    service = models.OneToOneField(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="retention"
    )
    months = models.PositiveSmallIntegerField(
        _("months after closure"),
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Personal data of closed records is removed this many months after closure."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration"],
                condition=models.Q(service__isnull=True),
                name="privacy_one_default_per_administration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service or self.administration}: {self.months} months"


class RetentionRun(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="retention_runs"
    )
    dry_run = models.BooleanField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)  # {"cases": n, "ideas": n, "comments": n}
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.administration.slug} {'dry run' if self.dry_run else 'run'} {self.started_at}"
        )


class Anonymised(models.Model):
    """A record retention has anonymised (so the next run passes it by): which kind, which row,
    when. Nothing of what it held."""

    object_type = models.CharField(max_length=40)  # "cases.case", "participation.idea", ...
    object_id = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="privacy_anonymised_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"
