"""Rounds of the staff perception survey and their anonymous answers.

A round is open to the administration's own employees between two days. Who took part is kept
only to answer once per person (`Participation`, unique per round and person); the answers
(`Answer`) carry no person, no time and no link to the participation, and each submission's
answers are written in a shuffled order. No page, export or API shows who answered, and results
are shown only once at least settings.PERCEPTION_MIN_RESPONSES people have answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration


class Round(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="perception_rounds"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day answers are taken."))
    closed_early = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="perception_round_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration} {self.opens_on}–{self.closes_on}"

    def is_open(self, today) -> bool:
        return not self.closed_early and self.opens_on <= today <= self.closes_on


class Participation(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="perception_once_per_person")
        ]

    def __str__(self) -> str:
        return f"participation in round {self.round_id}"  # never the person


class Answer(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    statement = models.CharField(max_length=8)
    score = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["round", "statement"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="perception_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement}: {self.score}"
