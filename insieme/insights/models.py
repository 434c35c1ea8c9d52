"""What an administration counts as a benefit realised or a challenge present, per indicator.

A threshold pair sits on the indicator's good side and bad side: for an indicator where higher
is better, at or above `realised` the benefit is realised, at or below `challenge` the challenge
is present, and in between it is one to watch (the other way round where lower is better).
Indicators with no better direction take no thresholds. Without a pair, an indicator shows no
status: the Scorecard does not guess where an administration draws its lines.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration


class Status(models.TextChoices):
    REALISED = "realised", _("Benefit realised")
    WATCH = "watch", _("Watch")
    CHALLENGE = "challenge", _("Challenge present")


class Threshold(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="scorecard_thresholds"
    )
    indicator_key = models.CharField(max_length=80)
    realised = models.FloatField(_("benefit realised from"))
    challenge = models.FloatField(_("challenge present from"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "indicator_key"], name="insights_one_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_key}: {self.challenge} / {self.realised}"

    def status_of(self, value: float | None, better: str | None) -> str | None:
        if value is None or better not in ("higher", "lower"):
            return None
        if better == "higher":
            if value >= self.realised:
                return Status.REALISED
            return Status.CHALLENGE if value <= self.challenge else Status.WATCH
        if value <= self.realised:
            return Status.REALISED
        return Status.CHALLENGE if value >= self.challenge else Status.WATCH


class Snapshot(models.Model):
    """The Scorecard's indicators as computed for one set of administrations, day and language
    (insieme.insights.snapshots): what a page reads instead of computing them again."""

    key = models.CharField(max_length=64, unique=True)
    administration_ids = models.TextField()  # sorted, comma-separated: what `key` covers
    day = models.DateField()
    language = models.CharField(max_length=10)
    payload = models.JSONField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField()  # how long the computation took

    class Meta:
        indexes = [models.Index(fields=["day"], name="insights_snapshot_day")]

    def __str__(self) -> str:
        return f"{self.administration_ids} {self.day} {self.language}"
