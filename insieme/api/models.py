"""What the API keeps: the first answer to each idempotent POST, for a while."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` of one caller ("key:12", "user:7" or "addr:10.0.0.1").

    Inserted (and committed) before the request is handled, so a concurrent duplicate meets the
    unique constraint instead of creating twice; `status_code` stays null until the first answer
    is stored.
    """

    caller = models.CharField(max_length=120)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="api_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
