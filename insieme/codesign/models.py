"""From participation to the back office: work items and service change proposals.

- A **work item** ties an accepted idea to the case that carries it through the departments'
  queues (a `cases.Case` of kind "improvement"): one per idea, traceable both ways.
- A **service change proposal** is a draft of a catalogue service as an idea would change it:
  its form fields, channels, SLA, legal basis and traces, kept as two snapshots (`base`, the
  service when the draft was made, and `proposed`), so that the preview can set them side by
  side and the adoption can refuse when the live service no longer equals `base`.

Snapshots are plain JSON (see `snapshots.py`): the proposal never touches the catalogue's
tables until it is adopted, and then only through `insieme.catalog.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.core.models import Administration

CHANGE_TEXTS = ("title", "rationale")
MAX_TITLE = 200
MAX_RATIONALE = 4000

# The labels of the cases' queue filter for the kind this app gives its cases (kept here so
# that this app's catalogue carries their Italian: the cases app only lists them).
QUEUE_LABELS = (_("Improvement (from participation)"), _("Any kind"))
IMPROVEMENT = "improvement"


class WorkItem(models.Model):
    """The case an accepted idea became: one per idea and one per case."""

    idea = models.OneToOneField(
        "participation.Idea", on_delete=models.CASCADE, related_name="work_item"
    )
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="work_item")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work item")

    def __str__(self) -> str:
        return f"{self.case_id} ← idea {self.idea_id}"


class ServiceChange(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for comments")
        ADOPTED = "adopted", _("Adopted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="service_changes"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="changes")
    idea = models.ForeignKey(
        "participation.Idea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_changes",
    )
    process = models.ForeignKey(
        "participation.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_changes",
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    rationale = models.TextField(_("why the service changes"), max_length=MAX_RATIONALE)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="it"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    base = models.JSONField(default=dict)
    proposed = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service change proposal")
        indexes = [
            models.Index(fields=["administration", "status"], name="codesign_change_status_idx"),
            models.Index(fields=["service", "status"], name="codesign_change_service_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    @property
    def is_public(self) -> bool:
        """Seen by the public (where its process is): once open for comments, and adopted."""
        return self.status in (self.Status.OPEN, self.Status.ADOPTED)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.OPEN)
