"""What the once-only prefill of the filing form offered a citizen, and what became of it.

One PrefillRecord per case filed through the web form by a signed-in citizen whose form this
session had offered. It holds field names, sources and counts, never a value: what was known
about the person stays in their profile and their earlier cases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case
from insieme.catalog.models import Service
from insieme.core.models import Administration


class Source(models.TextChoices):
    """Where a prefilled value came from."""

    PROFILE = "profile", _("your profile")
    EARLIER_ADDRESS = "earlier_address", _("the address of an earlier request")
    EARLIER_ANSWER = "earlier_answer", _("an answer to an earlier request")


class Outcome(models.TextChoices):
    """What the citizen did with a prefilled field before filing."""

    KEPT = "kept", _("kept")
    CHANGED = "changed", _("changed")
    CLEARED = "cleared", _("cleared")


class PrefillRecord(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="prefill_record")
    # Copies of the case's, so the indicators read this table alone.
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    # Fields of the form the prefill covers (contact details; on applications the address and
    # the questions other than free text and dates), whether or not a value was known.
    prefillable = models.PositiveSmallIntegerField(_("prefillable fields"), default=0)
    offered = models.PositiveSmallIntegerField(_("fields prefilled"), default=0)
    kept = models.PositiveSmallIntegerField(_("kept unchanged"), default=0)
    changed = models.PositiveSmallIntegerField(_("changed"), default=0)
    cleared = models.PositiveSmallIntegerField(_("cleared"), default=0)
    # {source: {"offered": n, "kept": n, "changed": n, "cleared": n}}
    by_source = models.JSONField(default=dict, blank=True)
    # {field name: [source, outcome]}: names of form fields, never their values.
    fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("prefill record")
        verbose_name_plural = _("prefill records")
        indexes = [
            models.Index(fields=["administration", "filed_at"], name="prefill_admin_filed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.offered}/{self.prefillable}"
