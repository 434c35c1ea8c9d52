"""Co-design and participation: processes with dated phases, ideas from citizens, employees and
partner organisations, supports, official answers, evaluation, merge and split, threaded comments
with moderation, and follows.

Texts the administration writes (a process's title and description, a phase's name and
description, a category's name) are kept as the catalogue keeps its services' texts: in the
process's own `language`, with the other languages in `translations` (see insieme.catalog.i18n),
so `{{ process.i18n.title }}` reads them in the visitor's language. What participants write
(ideas, comments) stays in the language it was written in.

Comments point at a process or an idea with a real foreign key each, and at anything another
app registers (insieme.participation.threads: results, public cases, service change proposals)
with a `target_type` (the registered key) and `target_id` pair, under a check constraint that
exactly one of the three is set. Participation must not import the later apps, so their targets
cannot be foreign keys here; the pair is indexed like the keys, so a thread is read the same way
(its first comments, then all their replies through `root`).

Content the spam classifier (insieme.participation.spam) scores above its threshold is stored
*held*: `held_at` set, shown nowhere public until a moderator releases or hides it.
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


class IdeaQuerySet(models.QuerySet):
    def visible(self) -> IdeaQuerySet:
        """Ideas the public may see: neither held for review nor hidden by the moderators."""
        return self.filter(held_at__isnull=True, hidden_at__isnull=True)


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
    # Held for review (the spam classifier's score was above its threshold), or hidden by the
    # moderators: either way no public page, list, feed or API shows the idea.
    held_at = models.DateTimeField(null=True, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=MAX_REASON, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IdeaQuerySet.as_manager()

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

    @property
    def is_visible(self) -> bool:
        return self.held_at is None and self.hidden_at is None


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


class CommentQuerySet(models.QuerySet):
    def shown(self) -> CommentQuerySet:
        """Comments a thread lists: not held (a hidden one shows as "hidden, because ...")."""
        return self.filter(held_at__isnull=True)


class Comment(models.Model):
    """A comment on a process, an idea or a registered target (see the module's docstring), or a
    reply to another comment (threads at most MAX_DEPTH replies deep). A hidden comment keeps its
    text for the record and the spam classifier, but no page, feed or API shows it: only that it
    was hidden, and why. A held one shows nowhere until a moderator decides."""

    MAX_DEPTH = 2  # a comment, a reply, a reply to the reply

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    # A target another app registered (threads.register_comment_target): its key and row id.
    target_type = models.CharField(max_length=60, blank=True, default="")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
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
    # Why the moderators hid it (CommentFlag.Reason): spam and abuse teach the classifier.
    hidden_ground = models.CharField(max_length=10, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(process__isnull=False, idea__isnull=True, target_type="")
                    | Q(process__isnull=True, idea__isnull=False, target_type="")
                    | (
                        Q(process__isnull=True, idea__isnull=True, target_id__isnull=False)
                        & ~Q(target_type="")
                    )
                ),
                name="participation_comment_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["process", "root", "created_at"], name="part_comment_process_idx"),
            models.Index(fields=["idea", "root", "created_at"], name="part_comment_idea_idx"),
            models.Index(
                fields=["target_type", "target_id", "root", "created_at"],
                name="part_comment_target_idx",
            ),
            models.Index(fields=["administration", "pending_flags"], name="part_comment_flags_idx"),
            models.Index(fields=["administration", "held_at"], name="part_comment_held_idx"),
        ]

    def __str__(self) -> str:
        # Never the text: an audit entry or a log line must not carry what a moderator hid.
        return f"comment {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


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
        HELD = "held", _("Held for review by the spam filter")
        RELEASED = "released", _("Released after review")

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    # A decision is on a comment or on an idea (ideas are only ever held, released or hidden).
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_actions"
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
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(comment__isnull=False, idea__isnull=True)
                    | Q(comment__isnull=True, idea__isnull=False)
                ),
                name="participation_moderation_one_subject",
            )
        ]

    def __str__(self) -> str:
        if self.idea_id:
            return f"{self.get_kind_display()} · idea {self.idea_id}"
        return f"{self.get_kind_display()} · comment {self.comment_id}"


class SpamModel(models.Model):
    """An administration's spam and abuse classifier, trained on its moderators' decisions
    (insieme.participation.spam). Kept in the database, so that every web process and worker
    reads the same one; each training replaces the row."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="spam_model"
    )
    pipeline = models.BinaryField()  # the pickled scikit-learn pipeline
    threshold = models.FloatField()
    positives = models.PositiveIntegerField()  # hidden as spam or abuse
    negatives = models.PositiveIntegerField()  # kept, released, or never hidden
    precision = models.FloatField(null=True, blank=True)  # on the held-out part of the training
    recall = models.FloatField(null=True, blank=True)
    sklearn_version = models.CharField(max_length=20)
    trained_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"spam model {self.administration_id}"


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
