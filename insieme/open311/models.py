"""Tokens of Open311 requests to batch services: the answer to a POST whose case is created
later by a background task (GeoReport v2 `tokens/{token}`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case
from insieme.catalog.models import Service
from insieme.core.models import Administration, ApiKey


def token_media_path(instance: RequestToken, filename: str) -> str:
    return f"open311/tokens/{instance.administration_id}/{instance.token}/{filename}"


class RequestToken(models.Model):
    """A request accepted for a batch service. `params` holds what the task files (contact
    details included) only until it has run: then the case holds them and they are cleared."""

    token = models.CharField(max_length=64, unique=True)
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    media = models.FileField(upload_to=token_media_path, max_length=300, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    errors = models.JSONField(
        default=list, blank=True, help_text=_("Why the request was not filed, when it was not.")
    )
    created_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.token
