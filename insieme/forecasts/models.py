"""Stored forecasts of weekly demand, so that the page loads without refitting.

A **run** is one computation for an administration: when, as of which day, the last complete
week it saw (weeks are the administration's local weeks, Monday to Sunday), the method's
parameters and the back test pooled over its services. A run holds one **service forecast** per
service with enough history (the fitted parameters, the recent actuals, the back-tested errors of
the model and of the seasonal-naive baseline) and, under it, one **week** per week ahead (the
expected count and its interval).

An **alert** says that a service's demand in a complete week fell outside the interval forecast
for it before it happened; there is at most one per service and week.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog.models import Service
from insieme.core.models import Administration


class Trigger(models.TextChoices):
    COMMAND = "command", _("The command line")
    WORKER = "worker", _("The background worker")
    DEMO = "demo", _("The demo")


class Run(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="forecast_runs"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField()
    last_week = models.DateField()  # the Monday of the last complete week
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    parameters = models.JSONField(default=dict)
    seconds = models.FloatField(default=0.0)
    model_mae = models.FloatField(null=True)
    baseline_mae = models.FloatField(null=True)
    backtested = models.PositiveIntegerField(default=0)  # service-weeks in the back test
    coverage = models.FloatField(null=True)  # share of them inside the model's interval

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [
            models.Index(fields=["administration", "-computed_at"], name="forecasts_run_latest")
        ]

    def __str__(self) -> str:
        return f"{self.administration} · {self.as_of}"


class ServiceForecast(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    history_weeks = models.PositiveIntegerField()
    recent = models.JSONField(default=list)  # counts of the last weeks, oldest first
    alpha = models.FloatField()
    beta = models.FloatField()
    phi = models.FloatField()
    gamma = models.FloatField()
    seasonal = models.BooleanField(default=False)
    baseline_kind = models.CharField(max_length=10)  # method.SEASONAL or method.LAST
    model_mae = models.FloatField(null=True)
    baseline_mae = models.FloatField(null=True)
    model_mase = models.FloatField(null=True)
    baseline_mase = models.FloatField(null=True)
    backtested = models.PositiveIntegerField(default=0)
    coverage = models.FloatField(null=True)

    class Meta:
        ordering = ["run", "service__name", "service_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "service"], name="forecasts_service_once")
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.service_id}"


class Week(models.Model):
    forecast = models.ForeignKey(ServiceForecast, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField()  # its Monday
    expected = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()

    class Meta:
        ordering = ["forecast", "week"]
        constraints = [
            models.UniqueConstraint(fields=["forecast", "week"], name="forecasts_week_once")
        ]

    def __str__(self) -> str:
        return f"{self.week}: {self.expected:.1f} ({self.low:.1f}-{self.high:.1f})"


class Direction(models.TextChoices):
    ABOVE = "above", _("Above the forecast")
    BELOW = "below", _("Below the forecast")


class Alert(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="forecast_alerts"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # its Monday
    expected = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    actual = models.PositiveIntegerField()
    direction = models.CharField(max_length=5, choices=Direction.choices)
    run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="alerts")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-week", "service__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "week"], name="forecasts_alert_once")
        ]
        indexes = [
            models.Index(fields=["administration", "acknowledged_at"], name="forecasts_alert_open")
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.week}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
