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
    # Citizens' ratings given that day (one per case, 1 to 5): how many, their sum, those of 4 or
    # 5 and those of 1 or 2.
    rated = models.IntegerField(default=0)
    rating_total = models.IntegerField(default=0)
    rating_good = models.IntegerField(default=0)
    rating_poor = models.IntegerField(default=0)

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
    rating_day = models.DateField(null=True)  # when the citizen rated it, if they did
    rating_score = models.SmallIntegerField(null=True)

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


class LoggedDay(models.Model):
    """Staff minutes logged on a case on a day (in its administration's time zone) through a
    channel (the time entry's), with the case's administration, service, lead department and
    channel as they are now: what the cost panel reads instead of joining the time logs to
    their cases and services. Kept by insieme.dashboards.logged; nothing else writes it."""

    case_id = models.BigIntegerField()
    administration_id = models.BigIntegerField()
    day = models.DateField()
    logged_via = models.CharField(max_length=10)  # the time entry's channel
    service_id = models.BigIntegerField()
    department_id = models.BigIntegerField(default=0)  # 0: no lead department
    channel = models.CharField(max_length=10)  # the case's channel, as the filters read it
    minutes = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("time logged on a case in a day (rollup)")
        constraints = [
            models.UniqueConstraint(fields=["case_id", "day", "logged_via"], name="loggedday_key")
        ]
        indexes = [
            # The period's time per channel and service, read from the index alone.
            models.Index(
                fields=[
                    "administration_id",
                    "day",
                    "logged_via",
                    "service_id",
                    "case_id",
                    "minutes",
                ],
                name="loggedday_cost_idx",
            )
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} on {self.day} via {self.logged_via}: {self.minutes} min"
