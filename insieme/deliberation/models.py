"""Deliberation with opinion groups (the Pol.is method): a conversation of a participation
process, its statements, its participants' votes, and the opinion groups computed from them.

Participants are either people of Insieme (`user`) or people imported from a Pol.is export
(`external_id`, the export's participant id), so that an imported conversation can go on here
and its groups can be compared with those Pol.is published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    process = models.OneToOneField(
        "participation.Process",
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="conversation",
    )
    # The question put to participants, in its source language; `translations` holds it in the
    # other languages ({"en": {"question": "..."}}), as the catalogue does.
    question = models.TextField(_("question"), max_length=1000)
    language = models.CharField(_("language"), max_length=8, default="it")
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    is_open = models.BooleanField(_("open for votes"), default=True)
    accepts_statements = models.BooleanField(
        _("participants may add statements"),
        default=True,
        help_text=_("New statements wait for a moderator before anyone votes on them."),
    )

    class Math(models.TextChoices):
        CURRENT = "current", _("Pol.is's math (mean imputation, since October 2017)")
        POLIS_2017 = "polis-2017", _("Pol.is's math before October 2017 (zero imputation)")

    # Imported conversations keep the math of the day Pol.is computed their groups, so that the
    # groups can be compared; every conversation started here uses the current one.
    math = models.CharField(max_length=12, choices=Math.choices, default=Math.CURRENT)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every vote and moderation: the opinion groups are recomputed when it moved.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")

    def __str__(self) -> str:
        return self.question[:80]


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliberation_participations",
    )
    # The participant id of a Pol.is export; empty for people of Insieme.
    external_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=Q(user__isnull=False),
                name="deliberation_participant_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                condition=~Q(external_id=""),
                name="deliberation_participant_one_per_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What the groups' JSON names this participant by: the Pol.is id when imported."""
        return self.external_id or f"insieme-{self.pk}"


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("statement"), max_length=400)
    language = models.CharField(_("language"), max_length=8, default="it")
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    author = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    # Seed statements are written by the organisers; the others by participants.
    is_seed = models.BooleanField(default=False)
    # A question about the participant ("I live in the centre"): voted on and reported, but left
    # out of the opinion groups' math, as Pol.is does with its meta statements.
    is_meta = models.BooleanField(_("about the participant, not an opinion"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(_("reason"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=64, blank=True, default="")
    # The weight for showing it next (opinion.priority), from the latest opinion-group
    # computation; None until it has votes in one (then opinion.NEW_STATEMENT_PRIORITY applies).
    priority = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                condition=~Q(external_id=""),
                name="deliberation_statement_one_per_external_id",
            ),
        ]
        indexes = [models.Index(fields=["conversation", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


class Vote(models.Model):
    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Pass / unsure")

    # Denormalised so that the vote matrix is one indexed scan of one table.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices)
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "statement"], name="deliberation_vote_one_per_person"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 0, 1]), name="deliberation_vote_value"
            ),
        ]
        indexes = [models.Index(fields=["conversation", "participant"])]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.statement_id}={self.value}"


class GroupsComputation(models.Model):
    """One computation of the opinion groups: the result the report page shows, and the state
    the next computation starts from (Pol.is keeps the number of groups stable across updates)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="computations"
    )
    computed_at = models.DateTimeField()
    version = models.PositiveIntegerField()  # the conversation's version it was computed from
    participants = models.PositiveIntegerField()
    clustered = models.PositiveIntegerField()
    votes = models.PositiveIntegerField()
    k = models.PositiveSmallIntegerField()
    seconds = models.FloatField()
    # Participant pk -> group, coordinates, representative and consensus statements (by pk).
    result = models.JSONField(default=dict)
    # What the next computation needs to keep k stable (previous k, centres, streak).
    state = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"{self.conversation_id}@{self.version}: k={self.k}"
