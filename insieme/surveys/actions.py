"""Every write of surveys: surveys and their status, questions (add, edit, move, delete), and
responses.

Each action validates (a ValidationError with field errors, and nothing written), writes in one
transaction and, for the structural writes (a survey, its status, its questions), appends its
audit entry in it (insieme.core.audit.record). Responses are not audited: the audit log would
tie a person to the moment they answered and hold what people wrote; their count is on the
results page. `actor` is the person acting, or None for the system itself (the demo).

Once a survey has a response its questions no longer change (the answers point at them and at
their option keys); the survey itself may still be closed, reopened and its texts corrected.

Anonymous responses are rate-limited per client address (SURVEYS_RESPONSE_RATE, "10/hour" by
default), as participation limits ideas and comments: the slot is taken only once the answers
are valid, and given back when the write fails.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.core import audit, events, notify
from insieme.core.access import require_perm
from insieme.core.models import Administration, User
from insieme.core.permissions import Perm
from insieme.core.throttle import Rate, SlidingWindow
from insieme.participation.models import Audience as ProcessAudience
from insieme.participation.models import Process
from insieme.surveys import answers as parser
from insieme.surveys.access import can_see_survey, may_answer
from insieme.surveys.models import (
    DEFAULT_TEXT_LIMIT,
    MAX_OPTION_KEY,
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OPTIONS,
    QUESTION_TEXTS,
    SCALE_BOUNDS,
    SURVEY_TEXTS,
    TEXT_LIMIT,
    Answer,
    Question,
    Response,
    Survey,
)

OPENED_EVENT = "surveys.survey_opened"
RESPONSES = SlidingWindow("surveys-response")
DEFAULT_RATE = "10/hour"

# The status a survey may move to from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    Survey.Status.DRAFT: frozenset({Survey.Status.OPEN}),
    Survey.Status.OPEN: frozenset({Survey.Status.CLOSED}),
    Survey.Status.CLOSED: frozenset({Survey.Status.OPEN}),
}

SURVEY_FIELDS = (
    "title",
    "description",
    "language",
    "translations",
    "process",
    "service",
    "audience",
    "results_public",
    "opens_at",
    "closes_at",
)
QUESTION_FIELDS = (
    "kind",
    "text",
    "translations",
    "required",
    "options",
    "scale_min",
    "scale_max",
    "min_label",
    "max_label",
    "max_length",
)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class RateLimited(Exception):
    """Too many anonymous responses from one client; try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class AlreadyAnswered(ValidationError):
    """The person has answered this survey already."""


# --- helpers ------------------------------------------------------------------------------------


def _person(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated


def _require(actor, administration_id: int) -> None:
    require_perm(actor, Perm.SURVEY_MANAGE, administration_id)


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _response_rate() -> Rate:
    return Rate.parse(getattr(settings, "SURVEYS_RESPONSE_RATE", DEFAULT_RATE))


def survey_path(survey: Survey) -> str:
    return reverse("surveys:survey", args=[survey.administration.slug, survey.pk])


def _locked(survey: Survey) -> None:
    if survey.responses.exists():
        raise ValidationError(
            _(
                "People have answered this survey: its questions can no longer change. "
                "You may still close it."
            )
        )


def _survey_state(survey: Survey) -> dict:
    return audit.snapshot(survey, fields=[*SURVEY_FIELDS, "status"])


def _question_state(question: Question) -> dict:
    return audit.snapshot(question, fields=["survey", "position", *QUESTION_FIELDS])


# --- surveys --------------------------------------------------------------------------------------


def _check_survey(survey: Survey) -> None:
    admin = survey.administration
    survey.title = _text(survey.title)
    survey.description = _text(survey.description)
    problems = i18n.validate(survey.translations, SURVEY_TEXTS)
    errors: dict[str, list] = {}
    if problems:
        errors["translations"] = problems
    else:
        survey.translations = i18n.clean_translations(survey.translations or {})
    try:
        survey.full_clean(
            exclude=["administration", "created_by", "process", "service", "translations"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if survey.process_id is None and survey.service_id is None:
        errors.setdefault("process", []).append(
            _("Attach the survey to a process, to a service, or to both.")
        )
    if (
        survey.process_id is not None
        and not Process.objects.filter(pk=survey.process_id, administration=admin).exists()
    ):
        errors.setdefault("process", []).append(_("Choose a process of this administration."))
    if (
        survey.service_id is not None
        and not Service.objects.filter(pk=survey.service_id, administration=admin).exists()
    ):
        errors.setdefault("service", []).append(_("Choose a service of this administration."))
    if survey.opens_at and survey.closes_at and survey.closes_at <= survey.opens_at:
        errors.setdefault("closes_at", []).append(_("The survey must close after it opens."))
    if errors:
        raise ValidationError(errors)


def _pk(value):
    return getattr(value, "pk", value)


def create_survey(
    actor,
    administration: Administration,
    *,
    title: str,
    description: str = "",
    language: str | None = None,
    translations: dict | None = None,
    process=None,
    service=None,
    audience: str = Survey.Audience.ANYONE,
    results_public: bool = False,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    _require(actor, administration.pk)
    survey = Survey(
        administration=administration,
        title=title,
        description=description,
        language=language or administration.locale,
        translations=translations or {},
        process_id=_pk(process),
        service_id=_pk(service),
        audience=audience,
        results_public=results_public,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor if _person(actor) else None,
    )
    _check_survey(survey)
    with transaction.atomic():
        survey.save()
        audit.record(
            actor=actor,
            action="surveys.survey.created",
            obj=survey,
            after=_survey_state(survey),
            administration=administration,
        )
    return survey


def update_survey(actor, survey: Survey, **changes) -> Survey:
    """Change the fields named in SURVEY_FIELDS; writes nothing at all when nothing changes."""
    _require(actor, survey.administration_id)
    unknown = set(changes) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = _survey_state(survey)
    for name, value in changes.items():
        if name in ("process", "service"):
            setattr(survey, f"{name}_id", _pk(value))
        else:
            setattr(survey, name, value if name != "translations" else (value or {}))
    _check_survey(survey)
    old, new = audit.changes(before, _survey_state(survey))
    if not new and not old:
        return survey
    with transaction.atomic():
        survey.save()
        audit.record(
            actor=actor,
            action="surveys.survey.updated",
            obj=survey,
            before=old,
            after=new,
            administration=survey.administration,
        )
    return survey


def set_status(actor, survey: Survey, status: str) -> Survey:
    """Open, close or reopen the survey (see TRANSITIONS). Opening needs at least a question."""
    _require(actor, survey.administration_id)
    if status not in TRANSITIONS.get(survey.status, frozenset()):
        raise ValidationError(
            _("A survey that is %(now)s cannot become %(then)s.")
            % {
                "now": Survey.Status(survey.status).label.lower(),
                "then": str(dict(Survey.Status.choices).get(status, status)).lower(),
            }
        )
    if status == Survey.Status.OPEN and not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    before = survey.status
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(status=status, updated_at=timezone.now())
        survey.status = status
        audit.record(
            actor=actor,
            action="surveys.survey.status_changed",
            obj=survey,
            before={"status": before},
            after={"status": status},
            administration=survey.administration,
        )
        if status == Survey.Status.OPEN:
            _publish_opened(survey)
    return survey


def _publicly_visible(survey: Survey) -> bool:
    process, service = survey.process, survey.service
    if process is not None and not (
        process.is_published and process.audience == ProcessAudience.PUBLIC
    ):
        return False
    return service is None or service.status == Service.Status.PUBLISHED


def _publish_opened(survey: Survey) -> None:
    """Tell integrators on commit: surveys everyone may see only, public facts only."""
    if not _publicly_visible(survey):
        return
    events.publish_on_commit(
        OPENED_EVENT,
        survey.administration_id,
        {
            "survey": survey.pk,
            "title": survey.title,
            "language": survey.language,
            "url": notify.absolute_url(survey_path(survey)),
            "process": survey.process.slug if survey.process_id else None,
            "service": survey.service.code if survey.service_id else None,
            "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        },
    )


# --- questions ----------------------------------------------------------------------------------


def fill_keys(options: list[dict]) -> list[dict]:
    """The options, each without a key given one made from its label (unique in the list)."""
    taken = {str(o.get("key") or "").strip().lower() for o in options}
    out = []
    for index, option in enumerate(options):
        key = str(option.get("key") or "").strip().lower()
        if not key:
            base = slugify(str(option.get("label") or ""))[: MAX_OPTION_KEY - 4] or "option"
            key, n = base, 2
            while key in taken or not KEY_RE.match(key):
                key = f"{base}-{n}" if KEY_RE.match(f"{base}-{n}") else f"o{index + 1}-{n}"
                n += 1
            taken.add(key)
        out.append({**option, "key": key})
    return out


def _check_options(options, kind: str) -> tuple[list[dict], list[str]]:
    """The options cleaned ([{"key", "label"}]) and the problems found."""
    if kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return [], []
    problems: list[str] = []
    if not isinstance(options, list):
        return [], [_("Options must be a list of keys and labels.")]
    if not all(isinstance(o, dict) for o in options):
        return [], [_("Options must be a list of keys and labels.")]
    cleaned, seen = [], set()
    for option in fill_keys(options):
        key = str(option.get("key") or "").strip().lower()
        label = _text(str(option.get("label") or ""))
        if not label:
            problems.append(_("Every option needs a label."))
            continue
        if not KEY_RE.match(key) or len(key) > MAX_OPTION_KEY:
            problems.append(
                _(
                    "The key “%(key)s” may hold only small letters, digits, hyphens and "
                    "underscores, up to %(n)d characters."
                )
                % {"key": key, "n": MAX_OPTION_KEY}
            )
            continue
        if key in seen:
            problems.append(_("Two options have the key “%(key)s”.") % {"key": key})
            continue
        if len(label) > MAX_OPTION_LABEL:
            problems.append(
                _("An option's label may be at most %(n)d characters.") % {"n": MAX_OPTION_LABEL}
            )
            continue
        seen.add(key)
        cleaned.append({"key": key, "label": label})
    if len(cleaned) < 2 and not problems:
        problems.append(_("A choice question needs at least two options."))
    if len(cleaned) > MAX_OPTIONS:
        problems.append(_("A question may have at most %(n)d options.") % {"n": MAX_OPTIONS})
    return cleaned, problems


def _check_question_translations(value, keys: list[str]) -> tuple[dict, list[str]]:
    if value in (None, ""):
        return {}, []
    if not isinstance(value, dict):
        return {}, [_("Translations must map each language to its texts.")]
    plain, problems = {}, []
    for lang, texts in value.items():
        if not isinstance(texts, dict):
            plain[lang] = texts
            continue
        labels = texts.get(OPTIONS)
        if labels is not None:
            if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
                problems.append(_("Translated options must map each key to its label."))
            elif set(labels) - set(keys):
                problems.append(
                    _("Translated options name keys the question does not have: %(k)s.")
                    % {"k": ", ".join(sorted(set(labels) - set(keys)))}
                )
        plain[lang] = {k: v for k, v in texts.items() if k != OPTIONS}
    problems += i18n.validate(plain, QUESTION_TEXTS)
    if problems:
        return {}, problems
    cleaned = i18n.clean_translations(value)
    return cleaned, []


def _check_question(question: Question) -> None:
    errors: dict[str, list] = {}
    question.text = _text(question.text)
    question.min_label = _text(question.min_label)
    question.max_label = _text(question.max_label)
    if question.kind not in Question.Kind.values:
        errors["kind"] = [_("Choose a kind of question.")]
    options, problems = _check_options(question.options, question.kind)
    question.options = options
    if problems:
        errors["options"] = problems
    translations, problems = _check_question_translations(
        question.translations, [o["key"] for o in options]
    )
    question.translations = translations
    if problems:
        errors["translations"] = problems
    if question.kind == Question.Kind.SCALE:
        low, high = question.scale_min, question.scale_max
        if low is None or high is None:
            errors.setdefault("scale_min", []).append(
                _("A scale needs its lowest and highest values.")
            )
        elif not (SCALE_BOUNDS[0] <= low < high <= SCALE_BOUNDS[1]):
            errors.setdefault("scale_max", []).append(
                _("A scale runs from %(a)d to %(b)d at most, its lowest value below its highest.")
                % {"a": SCALE_BOUNDS[0], "b": SCALE_BOUNDS[1]}
            )
    else:
        question.scale_min = question.scale_max = None
        question.min_label = question.max_label = ""
    if question.kind == Question.Kind.TEXT:
        if question.max_length is None:
            question.max_length = DEFAULT_TEXT_LIMIT
        if not 1 <= question.max_length <= TEXT_LIMIT:
            errors.setdefault("max_length", []).append(
                _("An answer may be from 1 to %(n)d characters long.") % {"n": TEXT_LIMIT}
            )
    else:
        question.max_length = None
    try:
        question.full_clean(
            exclude=["survey", "options", "translations", "kind", "max_length"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def save_question(actor, survey: Survey, question: Question | None = None, **fields) -> Question:
    """Add a question at the end of the survey, or change `question` (fields: QUESTION_FIELDS).
    Refused once the survey has responses."""
    _require(actor, survey.administration_id)
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    creating = question is None
    if creating:
        question = Question(survey=survey)
        if survey.questions.count() >= MAX_QUESTIONS:
            raise ValidationError(
                _("A survey may have at most %(n)d questions.") % {"n": MAX_QUESTIONS}
            )
    elif question.survey_id != survey.pk:
        raise PermissionDenied
    question.survey = survey
    before = {} if creating else _question_state(question)
    for name, value in fields.items():
        setattr(question, name, value)
    _check_question(question)
    _locked(survey)
    with transaction.atomic():
        if creating:
            last = survey.questions.aggregate(m=Max("position"))["m"]
            question.position = 0 if last is None else last + 1
            question.save()
            audit.record(
                actor=actor,
                action="surveys.question.created",
                obj=question,
                after=_question_state(question),
                administration=survey.administration,
            )
            return question
        old, new = audit.changes(before, _question_state(question))
        if not old and not new:
            return question
        question.save()
        audit.record(
            actor=actor,
            action="surveys.question.updated",
            obj=question,
            before=old,
            after=new,
            administration=survey.administration,
        )
    return question


def delete_question(actor, question: Question) -> None:
    survey = question.survey
    _require(actor, survey.administration_id)
    _locked(survey)
    with transaction.atomic():
        state = _question_state(question)
        pk = question.pk
        question.delete()
        audit.record(
            actor=actor,
            action="surveys.question.deleted",
            object_type="surveys.question",
            object_id=str(pk),
            before=state,
            administration=survey.administration,
        )


def move_question(actor, question: Question, direction: str) -> bool:
    """Swap the question with the one before ("up") or after ("down"); False at either end."""
    survey = question.survey
    _require(actor, survey.administration_id)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."))
    _locked(survey)
    with transaction.atomic():
        ordered = list(survey.questions.select_for_update().order_by("position", "pk"))
        index = next((i for i, q in enumerate(ordered) if q.pk == question.pk), None)
        if index is None:
            raise PermissionDenied
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(ordered):
            return False
        ordered[index], ordered[other] = ordered[other], ordered[index]
        before = [q.pk for q in sorted(ordered, key=lambda q: (q.position, q.pk))]
        for position, item in enumerate(ordered):
            if item.position != position:
                Question.objects.filter(pk=item.pk).update(position=position)
                item.position = position
        question.position = ordered.index(next(q for q in ordered if q.pk == question.pk))
        audit.record(
            actor=actor,
            action="surveys.question.moved",
            obj=survey,
            before={"order": before},
            after={"order": [q.pk for q in ordered]},
            administration=survey.administration,
        )
    return True


# --- responses ----------------------------------------------------------------------------------


def submit_response(
    actor,
    survey: Survey,
    values: dict,
    *,
    language: str = "it",
    client: str | None = None,
    limit: bool = True,
    now: dt.datetime | None = None,
) -> Response:
    """Record one response. `values` maps each question's field name (`q<id>`) to the list of
    strings sent for it. `actor` is the person answering, or None (or an anonymous user) for an
    anonymous visitor, whose `client` address the rate limit counts. Raises ValidationError
    with an error per question field, AlreadyAnswered, PermissionDenied, RateLimited."""
    person = actor if _person(actor) else None
    if not can_see_survey(actor, survey):
        raise PermissionDenied
    refusal = survey.refusal(now)
    if refusal:
        raise ValidationError(refusal, code="closed")
    if not may_answer(person, survey):
        raise PermissionDenied
    if person is not None and Response.objects.filter(survey=survey, user=person).exists():
        raise AlreadyAnswered(_("You have answered this survey already: thank you."))
    questions = list(survey.questions.all())
    parsed, errors = parser.parse_all(
        questions, lambda q: list((values or {}).get(q.field_name) or [])
    )
    if errors:
        raise ValidationError(
            {f"q{pk}": [message] for pk, message in errors.items()}, code="invalid"
        )
    identity = None
    if person is None and limit:
        identity = client or "unknown"
        decision = RESPONSES.acquire(identity, _response_rate())
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                user=person,
                submitted_at=now or timezone.now(),
                language=i18n.current(language),
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        response=response,
                        question_id=pk,
                        choices=list(answer.choices),
                        number=answer.number,
                        text=answer.text,
                    )
                    for pk, answer in parsed.items()
                ]
            )
    except IntegrityError as exc:
        if identity is not None:
            RESPONSES.release(identity, _response_rate())
        if person is not None:
            # Another request of the same person (a double click) got there first.
            raise AlreadyAnswered(_("You have answered this survey already: thank you.")) from exc
        raise
    return response
