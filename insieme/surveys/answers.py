"""Reading what a respondent sent for each question: the one parser every entry point uses (the
answering form, insieme.surveys.actions.submit_response, the demo).

`parse(question, values)` takes the list of strings sent for one question (a form field's
`getlist`) and returns a `Parsed` answer, None for no answer, or raises ValidationError with a
sentence the respondent can act on: an unknown option key, a number off the scale, a text too
long, an answer missing to a required question. It never raises anything else, whatever it is
given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from insieme.surveys.models import DEFAULT_TEXT_LIMIT, Question

Kind = Question.Kind


@dataclass(frozen=True)
class Parsed:
    choices: tuple[str, ...] = field(default=())
    number: int | None = None
    text: str = ""


def _clean_values(values: Iterable) -> list[str]:
    out = []
    for value in values or ():
        if value is None:
            continue
        text = str(value).strip()
        if text:
            out.append(text)
    return out


def parse(question, values: Iterable) -> Parsed | None:
    """The answer to `question` in `values` (strings as sent), None when unanswered."""
    sent = _clean_values(values)
    if not sent:
        if question.required:
            raise ValidationError(_("This question needs an answer."), code="required")
        return None
    if question.kind == Kind.SINGLE:
        return _single(question, sent)
    if question.kind == Kind.MULTIPLE:
        return _multiple(question, sent)
    if question.kind == Kind.SCALE:
        return _scale(question, sent)
    if question.kind == Kind.TEXT:
        return _text(question, sent)
    raise ValidationError(_("This question cannot be answered."), code="invalid")


def _single(question, sent: list[str]) -> Parsed:
    if len(sent) > 1:
        raise ValidationError(_("Choose only one option."), code="one")
    if sent[0] not in question.option_keys():
        raise ValidationError(_("Choose one of the options given."), code="invalid_choice")
    return Parsed(choices=(sent[0],))


def _multiple(question, sent: list[str]) -> Parsed:
    keys = question.option_keys()
    if any(value not in keys for value in sent):
        raise ValidationError(_("Choose among the options given."), code="invalid_choice")
    chosen = set(sent)
    return Parsed(choices=tuple(k for k in keys if k in chosen))  # the options' own order


def _scale(question, sent: list[str]) -> Parsed:
    low, high = question.scale_min, question.scale_max
    message = _("Choose a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if len(sent) > 1 or low is None or high is None:
        raise ValidationError(message, code="out_of_range")
    text = sent[0]
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 6:
        raise ValidationError(message, code="out_of_range")
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(message, code="out_of_range")
    return Parsed(number=number)


def _text(question, sent: list[str]) -> Parsed:
    if len(sent) > 1:
        raise ValidationError(_("Send one text for this question."), code="one")
    text = sent[0].replace("\r\n", "\n")
    limit = question.max_length or DEFAULT_TEXT_LIMIT
    if len(text) > limit:
        raise ValidationError(
            _("Write at most %(limit)d characters (you wrote %(n)d).")
            % {"limit": limit, "n": len(text)},
            code="max_length",
        )
    return Parsed(text=text)


def parse_all(
    questions: Iterable, values_for: Callable[[object], list]
) -> tuple[dict[int, Parsed], dict[int, str]]:
    """({question id: answer}, {question id: error}) for every question; `values_for(question)`
    gives what was sent for it."""
    answers, errors = {}, {}
    for question in questions:
        try:
            parsed = parse(question, values_for(question))
        except ValidationError as exc:
            errors[question.pk] = " ".join(exc.messages)
            continue
        if parsed is not None:
            answers[question.pk] = parsed
    return answers, errors
