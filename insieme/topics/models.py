"""Stored topic runs: the page reads the latest run of its administration, never refits.

A Run is one computation (who or what started it, when, the seed, the parameters, how many
texts by source and window); its Topics hold the label, the top terms with their weights, the
counts of their texts by source and window (shares and trends are worked out from these with
insieme.topics.fit.trend) and up to three redacted examples per source.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration


class Run(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="topic_runs"
    )
    computed_at = models.DateTimeField(_("computed at"))
    # The end of the texts read (and of the recent window): the run's "now".
    texts_until = models.DateTimeField()
    seed = models.PositiveIntegerField(_("seed"))
    parameters = models.JSONField(default=dict)
    documents = models.PositiveIntegerField(_("texts"))
    assigned = models.PositiveIntegerField(default=0)
    # {source: {"all": n, "recent": n, "before": n}} over every text read.
    totals = models.JSONField(default=dict)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["administration", "-computed_at"], name="topics_run_idx")]

    def __str__(self) -> str:
        return f"topics run {self.pk}"


class Topic(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="topics")
    number = models.PositiveSmallIntegerField()  # 1 = the largest
    label = models.CharField(max_length=300)
    terms = models.JSONField(default=list)  # [[term, weight], ...], heaviest first
    size = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)  # as Run.totals, over this topic's texts
    examples = models.JSONField(default=list)  # [{"source", "text", "score"}], redacted

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="topics_topic_number_unique")
        ]

    def __str__(self) -> str:
        return self.label
