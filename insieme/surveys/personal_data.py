"""What surveys hold about a person, for the copy of their own data (insieme.privacy.export):
the responses they gave signed in. Such a response keeps who gave it, to take one per person;
no page, export or API shows that to anyone else, but the person is owed a copy of it.

A response given without signing in carries no person: it is nobody's to export, and the
section says so.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from insieme.catalog.i18n import LocalText
from insieme.core.registry import PersonalData
from insieme.surveys.models import Answer, Question, Response

LABELS = {
    "survey": _("survey"),
    "submitted_at": _("When"),
    "language": _("Language"),
    "answers": _("answers"),
    "question": _("question"),
    "answer": _("answer"),
}


def _answer_value(answer: Answer, language: str):
    """The answer as the person gave it: the options' names, the number, or the text."""
    question = answer.question
    if question.is_choice:
        names = {o["key"]: str(o["label"]) for o in question.option_labels()}
        return [names.get(str(k), str(k)) for k in answer.choices or []]
    if question.kind == Question.Kind.SCALE:
        return answer.number
    return LocalText(answer.text, language)


def responses(user) -> list[dict]:
    answers = Answer.objects.select_related("question__survey").order_by(
        "question__position", "question__pk"
    )
    rows = (
        Response.objects.filter(user=user)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "survey": r.survey.i18n.title,
            "submitted_at": r.submitted_at,
            "language": r.language,
            "answers": [
                {"question": a.question.i18n.text, "answer": _answer_value(a, r.language)}
                for a in r.answers.all()
            ],
        }
        for r in rows
    ]


SECTIONS = (
    PersonalData(
        "survey_responses",
        _("Your answers to surveys"),
        responses,
        app="surveys",
        labels=LABELS,
        note=_(
            "Only the answers you gave while signed in are linked to you. Answers given without "
            "signing in are kept anonymously: nothing ties them to you, so they cannot be part "
            "of this copy."
        ),
        order=60,
    ),
)
