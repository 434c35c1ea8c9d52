"""Webhook subscriptions, the deliveries owed to them and every attempt at sending one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration


class Subscription(models.Model):
    """An integrator's URL that receives the chosen event types of one administration."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    # Kept as is, not hashed: every delivery is signed with it, so it must be readable. Shown to
    # people once, at creation; never in audit entries or pages after that.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event owed to one subscription; sent, retried and replayed until it succeeds."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    attempts_left = models.PositiveIntegerField(default=0)
    replay_requested = models.BooleanField(default=False)  # the next attempt is a replay
    # When a sender may take it next: the first send, a retry, or the end of a sender's lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_sub_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}"


class Attempt(models.Model):
    """One HTTP request made for a delivery, with what came back (or what went wrong)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)
    replay = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
