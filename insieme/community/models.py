"""Rounds of the residents' community survey and their anonymous counts.

A round is open to signed-in residents between two days. Who took part is kept only to answer
once per person (`Participation`, unique per round and person, with no area and no answer).
What they answered is kept as counters only: `Turnout` counts the people per area, `Tally`
the answers per area, statement and score. There is no row per submission, so nothing carries
a person, a time or an order that could tie answers to a participation (the staff survey
shuffles its answer rows for the same end). The counters are created with the round, so that
answering only increments existing rows. Results are shown only where at least
settings.COMMUNITY_MIN_RESPONSES people answered (see results.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration


class Round(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="community_rounds"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day answers are taken."))
    closed_early = models.BooleanField(default=False)
    # [[key, name], ...] as insieme.community.areas.areas_for gave them when the round opened.
    areas = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="community_round_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration} {self.opens_on}–{self.closes_on}"

    def is_open(self, today) -> bool:
        return not self.closed_early and self.opens_on <= today <= self.closes_on

    @property
    def area_keys(self) -> list[str]:
        return [key for key, _name in self.areas]


class Participation(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="community_once_per_person")
        ]

    def __str__(self) -> str:
        return f"participation in round {self.round_id}"  # never the person


class Turnout(models.Model):
    """How many people answered the round in one area."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="turnouts")
    area = models.CharField(max_length=60)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="community_turnout_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.people}"


class Tally(models.Model):
    """How many people of one area gave one score to one statement."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tallies")
    area = models.CharField(max_length=60)
    statement = models.CharField(max_length=8)
    score = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "area", "statement", "score"], name="community_tally_uniq"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="community_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.statement}={self.score}: {self.n}"
