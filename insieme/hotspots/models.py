"""Stored hotspots, so that the map loads without clustering anything.

A **run** is one computation for one administration (`insieme hotspots compute`, the periodic
job, the demo): the window it looked at (`periods` periods of `period_days` days from
`first_day`), the parameters of the method (insieme.hotspots.detect.Params) and what it
found. A **hotspot** is a place where reports kept clustering: its centre and radius, the
reports in it per period, the periods it held a cluster in, whether it is growing, the street
nearest its centre (from the street register, where the administration has one), and its
reports broken down by period, service, lead department and channel, so that the page's
filters are answered from the row.

Nothing here names a person: a hotspot is a count of reports around a point, never a report.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration

# How many runs of an administration are kept (the newest is shown; older ones are history).
KEEP_RUNS = 3


class Run(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="hotspot_runs"
    )
    computed_at = models.DateTimeField(_("computed at"))
    first_day = models.DateField(_("first day"))
    period_days = models.PositiveSmallIntegerField(_("days per period"))
    periods = models.PositiveSmallIntegerField(_("periods"))
    min_periods = models.PositiveSmallIntegerField(_("periods required"))
    radius_m = models.FloatField(_("cluster radius (m)"))
    link_m = models.FloatField(_("link distance (m)"))
    min_reports = models.PositiveIntegerField(_("reports per cluster"))
    points = models.PositiveIntegerField(_("located reports"), default=0)
    clusters = models.PositiveIntegerField(_("clusters over all periods"), default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("hotspot run")
        indexes = [models.Index(fields=["administration", "-computed_at"], name="hotspot_run_idx")]

    def __str__(self) -> str:
        return f"{self.administration} {self.computed_at:%Y-%m-%d %H:%M}"

    def period_bounds(self) -> list[tuple[dt.date, dt.date]]:
        """(first day, last day) of each period, oldest first."""
        step = dt.timedelta(days=self.period_days)
        return [
            (self.first_day + i * step, self.first_day + (i + 1) * step - dt.timedelta(days=1))
            for i in range(self.periods)
        ]

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.period_days * self.periods - 1)


class Hotspot(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="hotspots")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(_("number"))  # 1 = most reports in the run
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    radius_m = models.FloatField(_("radius (m)"))
    street = models.CharField(_("street"), max_length=200, blank=True)
    reports = models.PositiveIntegerField(_("reports"))
    counts = models.JSONField(_("reports per period"), default=list)
    periods_present = models.PositiveSmallIntegerField(_("periods with a cluster"))
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    slope = models.FloatField(_("trend (reports per period)"), default=0)
    growing = models.BooleanField(_("growing"), default=False)
    # [[period index, service id, department id or null, channel, reports], ...]
    breakdown = models.JSONField(default=list)

    class Meta:
        verbose_name = _("hotspot")
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "rank"], name="hotspot_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.street or f'{self.lat:.5f}, {self.lon:.5f}'}"
