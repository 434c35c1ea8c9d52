"""Rows behind the account protections: shared rate-limit counters and hashed recovery codes.

Imported by insieme.core.models, so that Django finds them in the core app.
"""

from __future__ import annotations

import hashlib
import hmac

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class RateCounter(models.Model):
    """One counter of the shared rate-limit store when no Redis is configured.

    `key` names the limit, the hashed identity and the time slice; `expires` is in epoch seconds
    (the limits' own clock). insieme.core.throttle increments rows with one atomic upsert, so
    every web process counts on the same row, and deletes expired rows now and then.
    """

    key = models.CharField(max_length=120, primary_key=True)
    count = models.BigIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class RecoveryCodeDevice(Device):
    """The recovery codes of a person's second factor, as one django-otp device.

    Codes are random and long enough that an unsalted SHA-256 keeps them as safe as a slow hash
    would (like API keys); each works once. The raw codes are shown once, when generated.
    """

    class Meta:
        verbose_name = _("recovery codes")

    @staticmethod
    def digest(code: str) -> str:
        normalised = "".join(code.split()).replace("-", "").lower()
        return hashlib.sha256(normalised.encode()).hexdigest()

    def verify_token(self, token) -> bool:
        if not isinstance(token, str) or not token.strip():
            return False
        wanted = self.digest(token)
        for code in self.codes.filter(used_at__isnull=True):
            if hmac.compare_digest(code.code_hash, wanted):
                # Only the first of two requests racing with one code marks it used.
                return bool(
                    RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
                        used_at=timezone.now()
                    )
                )
        return False

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
