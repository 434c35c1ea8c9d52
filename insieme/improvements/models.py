"""The improvement backlog (Scorecard cell D4, "value from data left unexploited").

An **item** belongs to one administration and records an insight turned into an action: where
it came from (`source`: a Scorecard indicator, a field staff keep asking for that the form lacks,
an overloaded team, something else; `indicator_key` names a registered indicator), who owns it,
the co-design process and the service change proposal it led to, and its status.

The **measured effect**: when an item targeting an indicator is opened, the indicator is
computed for the administration and its value kept (`value_before`, with the day it was
computed for); when the item is closed as done, it is computed again (`value_after`). `better`
keeps the indicator's own direction ("higher", "lower", or "" where neither is), so the item
can say whether the effect went the good way even if the indicator is later unregistered.

Texts are staff-written and stored as written (no translations): the backlog is internal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from insieme.core.models import Administration

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_DETAIL = 300
MAX_REASON = 2000
MAX_KEY = 100


class Source(models.TextChoices):
    INDICATOR = "indicator", _("A Scorecard indicator")
    MISSING_FIELD = "missing_field", _("A field staff keep asking for that the form lacks")
    OVERLOAD = "overload", _("An overloaded team")
    HOTSPOT = "hotspot", _("A hotspot on the map")
    TOPIC = "topic", _("A recurring topic in what people write")
    FORECAST = "forecast", _("A forecast alert")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    # In a context of their own: an item's words agree with it in Italian ("aperta").
    OPEN = "open", pgettext_lazy("improvement item", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("improvement item", "In progress")
    DONE = "done", pgettext_lazy("improvement item", "Done")
    DROPPED = "dropped", pgettext_lazy("improvement item", "Dropped")


CLOSED = frozenset({Status.DONE, Status.DROPPED})

# The lifecycle as data: the statuses each status may move to. Closing (done, dropped) goes
# through its own actions, which measure the effect or ask for a reason; a closed item stays
# closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.DONE, Status.DROPPED}),
    Status.IN_PROGRESS: frozenset({Status.OPEN, Status.DONE, Status.DROPPED}),
    Status.DONE: frozenset(),
    Status.DROPPED: frozenset(),
}


class Better(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Item(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="improvement_items"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    source = models.CharField(_("where it comes from"), max_length=16, choices=Source.choices)
    indicator_key = models.CharField(_("indicator"), max_length=MAX_KEY, blank=True)
    source_detail = models.CharField(_("what the insight says"), max_length=MAX_DETAIL, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_items",
    )
    process = models.ForeignKey(
        "participation.Process",
        verbose_name=_("co-design process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_items",
    )
    service_change = models.ForeignKey(
        "codesign.ServiceChange",
        verbose_name=_("service change proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_items",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    drop_reason = models.TextField(_("why it was dropped"), max_length=MAX_REASON, blank=True)
    better = models.CharField(max_length=8, choices=Better.choices, blank=True)
    value_before = models.FloatField(null=True, blank=True)
    before_on = models.DateField(null=True, blank=True)
    value_after = models.FloatField(null=True, blank=True)
    after_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("improvement item")
        verbose_name_plural = _("improvement items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="indicator") | ~Q(indicator_key=""),
                name="improvements_indicator_named",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status__in=["done", "dropped"]),
                name="improvements_closed_has_status",
            ),
        ]
        indexes = [
            models.Index(fields=["administration", "status"], name="improvements_admin_status"),
            models.Index(fields=["administration", "opened_at"], name="improvements_admin_open"),
            models.Index(fields=["administration", "closed_at"], name="improvements_admin_close"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def has_effect(self) -> bool:
        """Closed as done with both measurements."""
        return (
            self.status == Status.DONE
            and self.value_before is not None
            and self.value_after is not None
        )

    @property
    def effect(self) -> str:
        """ "better", "worse", "unchanged", or "" (not measured, or no good direction)."""
        if not self.has_effect or self.better not in Better.values:
            return ""
        if self.value_after == self.value_before:
            return "unchanged"
        went_up = self.value_after > self.value_before
        return "better" if went_up == (self.better == Better.HIGHER) else "worse"
