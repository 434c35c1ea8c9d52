"""A person's digital identities: which provider vouched for them, under which subject, and a
keyed fingerprint of their fiscal code (never the code itself)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Identity(models.Model):
    """One identity at one provider, linked to one account. A person may have several (SPID with
    two identity providers, CIE): their fiscal code's fingerprint is the same, and a sign-in with
    any of them finds the same account. `fiscal_code_hash` is HMAC-SHA256 of the normalised code
    under a key derived from SECRET_KEY (insieme.identity.claims.fiscal_code_hash): without the
    key it cannot be tested against guessed codes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities"
    )
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(max_length=255)
    fiscal_code_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The authentication context of the last sign-in (acr), e.g. SPID level 2.
    assurance = models.CharField(max_length=255, blank=True, default="")
    linked_at = models.DateTimeField(_("linked on"))
    last_used_at = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("digital identity")
        verbose_name_plural = _("digital identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="identity_one_account_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} #{self.pk}"
