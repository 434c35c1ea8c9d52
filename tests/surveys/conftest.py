"""Surveys fixtures, built through insieme.surveys.actions (the one write path).

Montalto (tests/conftest.py) has a published service ("parks") and a public process in its
ideation phase (tests/participation/conftest.py). `survey` is an open satisfaction survey of the
service that anyone may answer, with one question of each kind:

1. single choice "canale" (web, sportello, telefono), required
2. multiple choice "migliorare" (tempi, moduli, orari)
3. scale 1..5, required
4. text, at most 50 characters
"""

from __future__ import annotations

import pytest

from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.surveys import actions
from insieme.surveys.models import Question, Survey
from tests.participation.conftest import make_process


def survey_url(survey: Survey, tail: str = "") -> str:
    return f"/surveys/{survey.administration.slug}/{survey.pk}/{tail}"


def staff_url(survey: Survey, tail: str = "") -> str:
    return f"/staff/{survey.administration.slug}/surveys/{survey.pk}/{tail}"


QUESTIONS = [
    {
        "kind": Question.Kind.SINGLE,
        "text": "Come hai usato il servizio?",
        "required": True,
        "options": [
            {"key": "web", "label": "Online"},
            {"key": "sportello", "label": "Allo sportello"},
            {"key": "telefono", "label": "Per telefono"},
        ],
        "translations": {
            "en": {
                "text": "How did you use the service?",
                "options": {"web": "Online", "sportello": "At the counter", "telefono": "By phone"},
            }
        },
    },
    {
        "kind": Question.Kind.MULTIPLE,
        "text": "Che cosa miglioreresti?",
        "options": [
            {"key": "tempi", "label": "I tempi"},
            {"key": "moduli", "label": "I moduli"},
            {"key": "orari", "label": "Gli orari"},
        ],
        "translations": {
            "en": {
                "text": "What would you improve?",
                "options": {"tempi": "Times", "moduli": "Forms", "orari": "Opening hours"},
            }
        },
    },
    {
        "kind": Question.Kind.SCALE,
        "text": "Quanto sei soddisfatto?",
        "required": True,
        "scale_min": 1,
        "scale_max": 5,
        "min_label": "Per niente",
        "max_label": "Moltissimo",
        "translations": {
            "en": {
                "text": "How satisfied are you?",
                "min_label": "Not at all",
                "max_label": "Very much",
            }
        },
    },
    {
        "kind": Question.Kind.TEXT,
        "text": "Un suggerimento?",
        "max_length": 50,
        "translations": {"en": {"text": "A suggestion?"}},
    },
]


def make_service(admin, code="parks", name="Cura dei parchi", status=Service.Status.PUBLISHED):
    return catalog_actions.create_service(
        None, admin, code=code, name=name, kind="report", channels=["web"], status=status
    )


def make_survey(
    admin,
    actor,
    *,
    service=None,
    process=None,
    open_it=True,
    audience=Survey.Audience.ANYONE,
    results_public=False,
    questions=QUESTIONS,
    **extra,
) -> Survey:
    survey = actions.create_survey(
        actor,
        admin,
        title=extra.pop("title", "Soddisfazione"),
        description=extra.pop("description", "Due minuti."),
        language="it",
        translations=extra.pop(
            "translations", {"en": {"title": "Satisfaction", "description": "Two minutes."}}
        ),
        service=service,
        process=process,
        audience=audience,
        results_public=results_public,
        **extra,
    )
    for spec in questions:
        actions.save_question(actor, survey, **spec)
    if open_it:
        actions.set_status(actor, survey, Survey.Status.OPEN)
    return survey


def qs(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "pk"))


def answers(survey: Survey, single="web", multiple=(), scale="4", text="") -> dict:
    """Form data for the four questions of QUESTIONS (values as a browser sends them)."""
    q1, q2, q3, q4 = qs(survey)
    data = {q1.field_name: single, q2.field_name: list(multiple), q3.field_name: scale}
    if text:
        data[q4.field_name] = text
    return {k: v for k, v in data.items() if v not in (None, "")}


def as_values(data: dict) -> dict[str, list]:
    return {k: (list(v) if isinstance(v, list | tuple) else [v]) for k, v in data.items()}


@pytest.fixture
def service(montalto):
    return make_service(montalto)


@pytest.fixture
def process(montalto, carla):
    return make_process(montalto, carla)


@pytest.fixture
def survey(montalto, carla, service):
    return make_survey(montalto, carla, service=service)
