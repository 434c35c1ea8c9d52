"""Results ("you said, we did"): what became of accepted ideas, funded projects and adopted
service changes.

A **result** belongs to one administration, optionally to a participation process and to the
idea it answers (one result per idea), and optionally to a parent result. It has a status, a
progress from 0 to 100, dates, milestones, links to what it caused (work items, service
changes, budget projects) and a history of updates.

Progress of a result with child results is *rolled up*: the weighted mean of its children's
progress (cancelled children left out), recomputed up the chain of parents in the transaction
that changes a child (insieme.results.actions), and stored, so a page reads it as a column.

Texts the administration writes (a result's title and description, a milestone's title) are
kept as participation keeps its processes' texts: in the result's `language`, with the other
languages in `translations` (insieme.catalog.i18n), read as `{{ result.i18n.title }}`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.core.models import Administration

RESULT_TEXTS = ("title", "description")
MILESTONE_TEXTS = ("title",)

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_NOTE = 2000
MAX_WEIGHT = 1000


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


# Results whose work is over: neither late nor counted as running.
ENDED = frozenset({Status.COMPLETED, Status.CANCELLED})


class LinkKind(models.TextChoices):
    WORK_ITEM = "work_item", _("Work item")
    SERVICE_CHANGE = "service_change", _("Service change")
    BUDGET_PROJECT = "budget_project", _("Budget project")
    OTHER = "other", _("Other")


class Result(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="results"
    )
    process = models.ForeignKey(
        "participation.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results",
    )
    idea = models.OneToOneField(
        "participation.Idea",
        verbose_name=_("idea"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="result",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="it"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    weight = models.PositiveIntegerField(
        _("weight"),
        default=1,
        help_text=_("How much this result counts in the progress of the result it is part of."),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="results_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT),
                name="results_weight_positive",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(due_on__gte=models.F("starts_on")),
                name="results_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["administration", "status"], name="results_admin_status_idx"),
            models.Index(fields=["administration", "due_on"], name="results_admin_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    def is_late(self, today: dt.date) -> bool:
        """Delayed, past its due day and not ended, or completed after its due day."""
        if self.status == Status.CANCELLED:
            return False
        if self.status == Status.DELAYED:
            return True
        if self.due_on is None:
            return False
        if self.status == Status.COMPLETED:
            return self.completed_on is not None and self.completed_on > self.due_on
        return self.due_on < today

    def schedule(self, today: dt.date) -> str:
        """ "late", "on_schedule", or "" (cancelled: no schedule to keep)."""
        if self.status == Status.CANCELLED:
            return ""
        return "late" if self.is_late(today) else "on_schedule"


class Milestone(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "due_on", "pk"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title

    @property
    def language(self) -> str:
        return self.result.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)


class ResultLink(models.Model):
    """What the result caused or rests on: a work item, a service change, a budget project.
    `key` names the linked thing in its own app ("codesign.workitem:12"), so that the app that
    links it twice links it once."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    key = models.CharField(_("key"), max_length=120)
    label = models.CharField(_("label"), max_length=200)
    url = models.CharField(_("address"), max_length=500, blank=True)
    staff_only = models.BooleanField(_("staff only"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["result", "key"], name="results_link_key_once")
        ]

    def __str__(self) -> str:
        return self.label


class ResultUpdate(models.Model):
    """One entry of a result's public timeline: the progress and status it was set to, and a
    note. The author is kept for the staff; public pages never show who."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(max_length=MAX_NOTE, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result_id}: {self.progress}%"


class ResultFollow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="result_follows"
    )
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "result"], name="results_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.result_id}"
