"""Participatory budgeting: a budget of a participation process, its projects with their costs,
one ballot per verified participant, and the resident register that verification checks.

Texts the administration writes (a budget's and a project's title and description) are kept as
participation keeps its processes' texts: in the process's language, with the other languages in
`translations` (insieme.catalog.i18n).

The resident register holds no personal data in clear: each entry is a keyed hash (HMAC-SHA256)
of the normalised fiscal code and birth date, under a key derived from the SECRET_KEY and the
register's own salt (insieme.budgets.register). A verification keeps the same hash, unique per
administration, so that one resident verifies one account, whatever the method.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.core.models import Administration
from insieme.participation.models import Category, Idea, PhaseKind, Process

BUDGET_TEXTS = ("title", "description")
PROJECT_TEXTS = ("title", "description")
MAX_TITLE = 200
MAX_DESCRIPTION = 4000


class BallotKind(models.TextChoices):
    KNAPSACK = "knapsack", _("Within the budget: choose projects whose costs fit the total")
    APPROVAL = "approval", _("Approval: choose up to a number of projects")


class Budget(models.Model):
    """A sum of money a process lets its participants allocate among projects."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="budgets")
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="budgets"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    total_cents = models.PositiveBigIntegerField(_("total amount (euro cents)"))
    kind = models.CharField(
        _("kind of ballot"), max_length=10, choices=BallotKind.choices, default=BallotKind.KNAPSACK
    )
    max_choices = models.PositiveSmallIntegerField(
        _("most projects a ballot may choose"), null=True, blank=True
    )
    voting_opens_on = models.DateField(_("voting opens on"), null=True, blank=True)
    voting_closes_on = models.DateField(_("voting closes on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("budget")
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_closes_on__isnull=True)
                | Q(voting_opens_on__isnull=True)
                | Q(voting_closes_on__gte=models.F("voting_opens_on")),
                name="budgets_budget_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def language(self) -> str:
        return self.process.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    def voting_window(self, phases=None) -> tuple[dt.date, dt.date] | None:
        """(first day, last day) of voting: the budget's own dates, else those of the process's
        voting phase; None when neither says."""
        opens, closes = self.voting_opens_on, self.voting_closes_on
        if opens is None or closes is None:
            if phases is None:
                phases = list(self.process.phases.all())
            voting = [p for p in phases if p.kind == PhaseKind.VOTING]
            if voting:
                phase = max(voting, key=lambda p: (p.starts_on, p.pk))
                opens = opens or phase.starts_on
                closes = closes or phase.ends_on
        if opens is None or closes is None:
            return None
        return opens, closes

    def voting_state(self, today: dt.date, phases=None) -> str:
        """ "unset", "before", "open" or "closed" on `today`."""
        window = self.voting_window(phases)
        if window is None:
            return "unset"
        if today < window[0]:
            return "before"
        if today > window[1]:
            return "closed"
        return "open"

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None


class Project(models.Model):
    """Something the budget may fund, with its cost: from an accepted idea, or written by staff."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    cost_cents = models.PositiveBigIntegerField(_("cost (euro cents)"))
    idea = models.ForeignKey(
        Idea,
        verbose_name=_("idea it comes from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Written once, when the results are published (insieme.budgets.tally).
    votes = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    is_funded = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("project")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "idea"],
                condition=Q(idea__isnull=False),
                name="budgets_project_one_per_idea",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def language(self) -> str:
        return self.budget.process.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)


class Ballot(models.Model):
    """A verified participant's ballot: one per person and budget (the unique constraint
    decides, also when two requests race). Final once cast."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_ballots"
    )
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "voter"], name="budgets_ballot_one_per_person"
            )
        ]

    def __str__(self) -> str:
        # No voter and no choice: this text reaches the audit log.
        return f"Ballot #{self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="budgets_choice_unique")
        ]

    def __str__(self) -> str:
        return f"Choice #{self.pk}"


class ResidentRegister(models.Model):
    """An administration's register of residents entitled to vote, as keyed hashes only. The
    salt stays across uploads, so that verifications made before an upload keep matching."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="resident_register"
    )
    salt = models.CharField(max_length=64)
    entries_count = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Register of {self.administration_id}"


class RegisterEntry(models.Model):
    register = models.ForeignKey(ResidentRegister, on_delete=models.CASCADE, related_name="entries")
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["register", "entry_hash"], name="budgets_register_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Register entry #{self.pk}"


class VerificationMethod(models.TextChoices):
    REGISTER = "register", _("Resident register")
    COUNTER = "counter", _("At the counter")
    EID = "eid", _("Electronic identity (SPID, CIE)")


class DocumentType(models.TextChoices):
    IDENTITY_CARD = "identity_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    OTHER = "other", _("Other document with a photograph")


class Verification(models.Model):
    """A person verified as a resident of an administration, who may then cast ballots there.
    `identity_hash` is the keyed hash of their fiscal code and birth date (never the values):
    unique per administration, so one resident verifies one account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_verifications"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="voter_verifications"
    )
    method = models.CharField(max_length=10, choices=VerificationMethod.choices)
    identity_hash = models.CharField(max_length=64)
    document_type = models.CharField(
        max_length=20, choices=DocumentType.choices, blank=True, default=""
    )
    verified_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "user"], name="budgets_verification_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["administration", "identity_hash"],
                name="budgets_verification_one_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"Verification #{self.pk}"
