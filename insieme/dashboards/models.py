"""The dashboards' rollups: what ten of the panels read instead of the cases.

`CaseDay` holds, per administration, day (in the administration's time zone), service, lead
department and channel: how many cases were filed that day (with the hour of filing); what the
cases filed that day show of their quality and burden as they are now (opened by staff, handled
as filed, asked for more, duplicates, information-request loops, staff minutes); how many cases
ended that day; and the promises that fell due that day and were kept. `RolledCase` remembers
what each case last contributed (and its times to acknowledge and to resolve, for the time
panels' exact percentiles), so that a change to a case (a new service, a reopening, a deletion)
takes back exactly what it added before. Both are kept by insieme.dashboards.rollups; nothing
else writes them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

HOURS = range(24)


def hour_field(hour: int) -> str:
    return f"h{hour:02d}"


class CaseDay(models.Model):
    administration = models.ForeignKey(
        "core.Administration", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    service_id = models.BigIntegerField()
    department_id = models.BigIntegerField(default=0)  # 0: no lead department
    channel = models.CharField(max_length=10)
    filed = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    as_filed = models.IntegerField(default=0)
    asked = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    loops = models.IntegerField(default=0)
    staff_minutes = models.IntegerField(default=0)
    # Promises that fall due that day (as the Scorecard's T2 judges them) and those kept.
    ack_due = models.IntegerField(default=0)
    ack_kept = models.IntegerField(default=0)
    res_due = models.IntegerField(default=0)
    res_kept = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("cases of a day (rollup)")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "day", "service_id", "department_id", "channel"],
                name="caseday_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id}/{self.department_id}/{self.channel}: {self.filed}"

    @property
    def key(self) -> tuple:
        return (self.administration_id, self.day, self.service_id, self.department_id, self.channel)


for _hour in HOURS:  # cases filed in each hour of the day: the heat map of use by hour
    CaseDay.add_to_class(hour_field(_hour), models.IntegerField(default=0))


class RolledCase(models.Model):
    """A case as the rollups last counted it (no foreign key: it must outlive the case long
    enough for its deletion to be taken back)."""

    case_id = models.BigIntegerField(primary_key=True)
    administration_id = models.BigIntegerField()
    day = models.DateField()
    hour = models.SmallIntegerField()
    service_id = models.BigIntegerField()
    department_id = models.BigIntegerField()
    channel = models.CharField(max_length=10)
    ended_day = models.DateField(null=True)
    opened = models.BooleanField(default=False)
    as_filed = models.BooleanField(default=False)
    asked = models.BooleanField(default=False)
    duplicate = models.BooleanField(default=False)
    loops = models.IntegerField(default=0)
    staff_minutes = models.IntegerField(default=0)
    ack_due_at = models.DateTimeField(null=True)
    ack_kept = models.BooleanField(default=False)
    res_due_at = models.DateTimeField(null=True)  # None too when the resolution is not judged
    res_kept = models.BooleanField(default=False)
    # Times from filing, in microseconds, for the distributions: acknowledged, and resolved (as
    # the Scorecard's S2 counts it: not duplicates, refused or reopened).
    ack_at = models.DateTimeField(null=True)
    ack_us = models.BigIntegerField(null=True)
    res_at = models.DateTimeField(null=True)
    res_us = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("case as rolled up")
        indexes = [
            models.Index(fields=["administration_id"], name="rolledcase_admin_idx"),
            # The promises falling due earlier today (the rows count whole days).
            models.Index(fields=["administration_id", "ack_due_at"], name="rolledcase_ack_idx"),
            models.Index(fields=["administration_id", "res_due_at"], name="rolledcase_res_idx"),
            # The time panels' durations, read from the index alone (no row looked up per case)
            models.Index(
                fields=["administration_id", "ack_at", "ack_us"], name="rolledcase_ack_us_idx"
            ),
            models.Index(
                fields=["administration_id", "res_at", "res_us"], name="rolledcase_res_us_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.day}, ended {self.ended_day}"


class RollupState(models.Model):
    """How far the rollups of an administration have read: cases changed at or after
    `watermark` (less a margin, for transactions that commit late) are read again."""

    administration = models.OneToOneField(
        "core.Administration", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    watermark = models.DateTimeField(null=True)
    max_case_id = models.BigIntegerField(default=0)  # cases above it are new, whatever their time
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.administration_id} up to {self.watermark}"
