"""Co-design and participation: processes with dated phases, ideas from citizens, employees and
partner organisations, supports, official answers, evaluation, merge and split, threaded comments
with moderation, and follows.

Texts the administration writes (a process's title and description, a phase's name and
description, a category's name) are kept as the catalogue keeps its services' texts: in the
process's own `language`, with the other languages in `translations` (see insieme.catalog.i18n),
so `{{ process.i18n.title }}` reads them in the visitor's language. What participants write
(ideas, comments) stays in the language it was written in.

Comments point at their target with one nullable foreign key per kind of target (a process or an
idea today; results and public cases will add theirs) and a check constraint that exactly one is
set, rather than a generic relation: real foreign keys keep the database's integrity and cascades,
can be indexed and joined (a thread is two indexed reads), and a new target is one column and a
migration, which a new kind of target needs anyway.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.core.models import Administration, PartnerOrganisation

PROCESS_TEXTS = ("title", "description")
PHASE_TEXTS = ("name", "description")
CATEGORY_TEXTS = ("name",)

MAX_IDEA_TITLE = 200
MAX_IDEA_BODY = 4000
MAX_COMMENT = 2000
MAX_REASON = 300


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    EMPLOYEES = "employees", _("Employees of the administration only (internal idea box)")
    PARTNERS = "partners", _("Invited partner organisations")


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    IDEATION = "ideation", _("Ideation")
    DELIBERATION = "deliberation", _("Deliberation")
    VOTING = "voting", _("Voting")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Evaluation")


# What each kind of phase takes from participants. Comments are taken in every phase.
IDEA_PHASES = frozenset({PhaseKind.IDEATION})
SUPPORT_PHASES = frozenset({PhaseKind.IDEATION, PhaseKind.VOTING})


class AuthorType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    EMPLOYEE = "employee", _("Employee")
    PARTNER = "partner", _("Partner organisation")


class Process(models.Model):
    """A co-design process of one administration: dated phases, an audience, the services it
    aims to change, categories for its ideas."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="processes"
    )
    slug = models.SlugField(_("short name in the address"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="it"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    audience = models.CharField(
        _("who takes part"), max_length=12, choices=Audience.choices, default=Audience.PUBLIC
    )
    invited_partners = models.ManyToManyField(
        PartnerOrganisation,
        verbose_name=_("invited partner organisations"),
        blank=True,
        related_name="invited_processes",
    )
    services = models.ManyToManyField(
        Service,
        verbose_name=_("services it aims to change"),
        blank=True,
        related_name="processes",
    )
    is_published = models.BooleanField(_("published"), default=False)
    support_threshold = models.PositiveIntegerField(
        _("supports an idea needs"),
        null=True,
        blank=True,
        help_text=_("Optional: the number of supports after which an idea is considered."),
    )
    support_deadline = models.DateField(
        _("last day for supports"),
        null=True,
        blank=True,
        help_text=_("Optional: no support is taken after this day."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "slug"], name="participation_process_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    def current_phase(self, today: dt.date, phases=None) -> Phase | None:
        """The phase running on `today` (the one that began last, should two overlap)."""
        running = [
            p
            for p in (phases if phases is not None else self.phases.all())
            if p.starts_on <= today <= p.ends_on
        ]
        return max(running, key=lambda p: (p.starts_on, p.pk)) if running else None


class Phase(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind of phase"), max_length=16, choices=PhaseKind.choices)
    name = models.CharField(
        _("name"),
        max_length=120,
        blank=True,
        help_text=_("Optional: the kind of phase names it when left empty."),
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    # When the process's followers were told this phase began (once per phase).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("phase")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="participation_phase_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    @property
    def language(self) -> str:
        return self.process.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    @property
    def display_name(self) -> str:
        """The phase's own name in the active language, else its kind."""
        return i18n.text(self, "name") if self.name else self.get_kind_display()

    @property
    def takes_ideas(self) -> bool:
        return self.kind in IDEA_PHASES

    @property
    def takes_supports(self) -> bool:
        return self.kind in SUPPORT_PHASES


class Category(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=120)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "name"], name="participation_category_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def language(self) -> str:
        return self.process.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)


class Idea(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged into another idea")
        SPLIT = "split", _("Split into other ideas")

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        EVALUATING = "evaluating", _("Under evaluation")
        REJECTED = "rejected", _("Rejected")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(_("title"), max_length=MAX_IDEA_TITLE)
    body = models.TextField(_("your idea"), max_length=MAX_IDEA_BODY)
    language = models.CharField(max_length=8, default="it")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    author_type = models.CharField(
        _("author type"), max_length=10, choices=AuthorType.choices, default=AuthorType.CITIZEN
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    show_name = models.BooleanField(_("show my name on the idea"), default=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    answer = models.CharField(max_length=12, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="split_ideas"
    )
    # Kept with the support rows in the same transaction (support_idea, merge_ideas).
    supports_count = models.PositiveIntegerField(default=0)
    # The duplicate matcher's signature of title and body (insieme.cases.matching.signatures).
    match_grams = models.BinaryField(default=b"")
    # The filing form's token: the same form sent twice (a double click, a retry) files once.
    idempotency_key = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="participation_idea_idempotent",
            )
        ]
        indexes = [
            models.Index(fields=["process", "state", "created_at"], name="part_idea_recent_idx"),
            models.Index(fields=["process", "answer"], name="part_idea_answer_idx"),
            models.Index(fields=["process", "supports_count"], name="part_idea_supports_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


def attachment_path(instance: IdeaAttachment, filename: str) -> str:
    return f"participation/{instance.idea.process.administration_id}/{instance.idea_id}/{filename}"


class IdeaAttachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Coauthor(models.Model):
    """Someone the author invited by e-mail to sign the idea with them; co-author once accepted."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="coauthors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_coauthorships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="participation_coauthor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} + {self.idea}"


class Support(models.Model):
    """One person's support of an idea: the unique constraint makes it one per person, whatever
    the number of clicks or requests racing each other."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "user"], name="participation_support_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


class OfficialAnswer(models.Model):
    """The administration's answer to an idea; the latest one is the idea's `answer`."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="answers")
    kind = models.CharField(_("answer"), max_length=12, choices=Idea.Answer.choices)
    text = models.TextField(_("explanation"), max_length=4000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.idea}"


class Evaluator(models.Model):
    """A member of staff assigned to evaluate an idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_evaluations"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="participation_evaluator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} evaluates {self.idea}"


class EvaluationNote(models.Model):
    """A private note of the evaluation: staff only, never on a public page or an API."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="evaluation_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class Comment(models.Model):
    """A comment on a process or an idea, or a reply to another comment (threads at most
    MAX_DEPTH replies deep). A hidden comment keeps its text for the record and the moderators'
    future classifier, but no page, feed or API shows it: only that it was hidden, and why."""

    MAX_DEPTH = 2  # a comment, a reply, a reply to the reply

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The first comment of the thread (None for that comment itself): a page of threads reads
    # their replies in one query.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_comments",
    )
    author_type = models.CharField(
        max_length=10, choices=AuthorType.choices, default=AuthorType.CITIZEN
    )
    partner = models.ForeignKey(
        PartnerOrganisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_name = models.BooleanField(default=True)
    is_official = models.BooleanField(default=False)
    body = models.TextField(max_length=MAX_COMMENT)
    flags_count = models.PositiveIntegerField(default=0)
    pending_flags = models.PositiveIntegerField(default=0)  # flags no moderator looked at yet
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=MAX_REASON, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(process__isnull=False, idea__isnull=True)
                    | Q(process__isnull=True, idea__isnull=False)
                ),
                name="participation_comment_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["process", "root", "created_at"], name="part_comment_process_idx"),
            models.Index(fields=["idea", "root", "created_at"], name="part_comment_idea_idx"),
            models.Index(fields=["administration", "pending_flags"], name="part_comment_flags_idx"),
        ]

    def __str__(self) -> str:
        # Never the text: an audit entry or a log line must not carry what a moderator hid.
        return f"comment {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def target(self):
        return self.idea if self.idea_id else self.process


class CommentFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Offensive, abusive or discriminating")
        PERSONAL = "personal", _("It shows someone's personal data")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"], name="participation_flag_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"flag {self.pk}"


class ModerationAction(models.Model):
    """One decision of a moderator, for the moderation log (also in the audit chain)."""

    class Kind(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Shown again")
        KEPT = "kept", _("Flags reviewed, comment kept")

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=MAX_REASON, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["administration", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · comment {self.comment_id}"


class Follow(models.Model):
    """Someone following a process (new phases) or an idea (official answers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_follows"
    )
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(process__isnull=False, idea__isnull=True)
                    | Q(process__isnull=True, idea__isnull=False)
                ),
                name="participation_follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "process"],
                condition=Q(process__isnull=False),
                name="participation_follow_process_once",
            ),
            models.UniqueConstraint(
                fields=["user", "idea"],
                condition=Q(idea__isnull=False),
                name="participation_follow_idea_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.idea or self.process}"
