"""Surveys of an administration, attached to a co-design process, to a service, or to both.

A survey's texts (title, description) and its questions' texts (the question, the end labels of
a scale, the labels of the options) are kept as participation keeps a process's: in the
survey's own `language`, with the other languages in `translations` (see insieme.catalog.i18n).
A choice question's options are `[{"key": "k", "label": "..."}]` in the source language; their
labels in another language are under `translations[lang]["options"] = {key: label}`. The keys
are what answers store, so they never change once someone has answered (no structural edit of
a survey with responses: see insieme.surveys.actions).

A response is one person's (or one anonymous visitor's) set of answers. A signed-in person
answers a survey once: the partial unique constraint on (survey, user) decides, also when two
requests race. Who answered is kept only to enforce that; no page, export or API shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.core.models import Administration
from insieme.participation.models import Process

SURVEY_TEXTS = ("title", "description")
QUESTION_TEXTS = ("text", "min_label", "max_label")
OPTIONS = "options"

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_QUESTION = 500
MAX_OPTIONS = 20
MAX_OPTION_LABEL = 200
MAX_OPTION_KEY = 40
MAX_SCALE_LABEL = 80
TEXT_LIMIT = 4000  # the longest answer a text question may allow
DEFAULT_TEXT_LIMIT = 1000
SCALE_BOUNDS = (0, 10)  # a scale's ends lie within these
MAX_QUESTIONS = 50


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone, also without signing in")
        SIGNED_IN = "signed_in", _("Signed-in people only (one answer each)")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="surveys"
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="it"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(
        _("opens at"),
        null=True,
        blank=True,
        help_text=_("Optional: an open survey takes answers from this moment."),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Optional: an open survey takes no answer after this moment."),
    )
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.ANYONE
    )
    results_public = models.BooleanField(
        _("results are public"),
        default=False,
        help_text=_(
            "Everyone sees the totals of the choice and scale questions (never the written "
            "answers; counts below 5 are not shown)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(process__isnull=False) | Q(service__isnull=False),
                name="surveys_survey_attached",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="surveys_survey_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    def refusal(self, now=None) -> str | None:
        """Why the survey takes no answer at `now` (default: now), or None when it takes them."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return str(_("This survey is a draft: it takes no answers yet."))
        if self.status == self.Status.CLOSED:
            return str(_("This survey is closed: it takes no more answers."))
        if self.opens_at and now < self.opens_at:
            return str(
                _("This survey opens on %(when)s.")
                % {"when": timezone.localtime(self.opens_at).strftime("%d/%m/%Y %H:%M")}
            )
        if self.closes_at and now >= self.closes_at:
            return str(
                _("This survey closed on %(when)s.")
                % {"when": timezone.localtime(self.closes_at).strftime("%d/%m/%Y %H:%M")}
            )
        return None

    def takes_answers(self, now=None) -> bool:
        return self.refusal(now) is None


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind of question"), max_length=8, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=MAX_QUESTION)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("lowest value"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest value"), null=True, blank=True)
    min_label = models.CharField(
        _("label of the lowest value"), max_length=MAX_SCALE_LABEL, blank=True
    )
    max_label = models.CharField(
        _("label of the highest value"), max_length=MAX_SCALE_LABEL, blank=True
    )
    max_length = models.PositiveSmallIntegerField(
        _("longest answer (characters)"), null=True, blank=True
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def language(self) -> str:
        return self.survey.language

    @property
    def i18n(self) -> i18n.Localised:
        return i18n.Localised(self)

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"

    def option_keys(self) -> list[str]:
        return [str(o.get("key", "")) for o in self.options or []]

    def option_labels(self, language: str | None = None) -> list[dict]:
        """[{"key", "label"}] with each label in `language` (the active one by default), or in
        the source language, marked as a fallback (i18n.LocalText)."""
        source = self.language
        wanted = i18n.current(language)
        names = ((self.translations or {}).get(wanted) or {}).get(OPTIONS) or {}
        out = []
        for option in self.options or []:
            key, own = str(option.get("key", "")), str(option.get("label", ""))
            if wanted == source:
                label = i18n.LocalText(own, source)
            elif names.get(key):
                label = i18n.LocalText(names[key], wanted)
            else:
                label = i18n.LocalText(own, source, fallback=True)
            out.append({"key": key, "label": label})
        return out

    def scale_values(self) -> list[int]:
        if self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Kept only to take one response per signed-in person; never shown nor exported.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=8, default="it")

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(user__isnull=False),
                name="surveys_one_response_per_person",
            )
        ]
        indexes = [models.Index(fields=["survey", "submitted_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"  # never who answered


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)  # option keys
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="surveys_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.response_id}/{self.question_id}"
