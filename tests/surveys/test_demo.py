"""The demo seed: two bilingual surveys, open, with responses drawn deterministically from the
seed (the same seed gives the same answers), through the actions."""

from __future__ import annotations

import datetime as dt
import random

from insieme.core.models import AuditEntry
from insieme.demo.context import DemoContext
from insieme.surveys import demo
from insieme.surveys.models import Answer, Response, Survey
from tests.conftest import make_user
from tests.participation.conftest import make_process
from tests.surveys.conftest import make_service


def _context(montalto, carla, seed=7):
    from insieme.core.models import Membership

    ctx = DemoContext(
        seed=seed, rng=random.Random(seed), requests=0, today=dt.date.today(), password="x"
    )
    ctx.municipalities = [montalto]
    ctx.staff = {"montalto": {"service_manager": list(Membership.objects.filter(user=carla))}}
    ctx.citizens = [make_user(f"c{n}@example.org", f"Citizen {n}") for n in range(30)]
    return ctx


def _fingerprint():
    return sorted(
        (a.question.position, a.question.kind, tuple(a.choices), a.number, a.text)
        for a in Answer.objects.select_related("question")
    )


def test_the_demo_seed(montalto, carla):
    make_service(montalto)
    make_process(montalto, carla)
    ctx = _context(montalto, carla)
    demo.run(ctx)
    service_survey, process_survey = Survey.objects.order_by("pk")
    assert service_survey.service and service_survey.status == Survey.Status.OPEN
    assert process_survey.process and process_survey.audience == Survey.Audience.SIGNED_IN
    for survey in (service_survey, process_survey):
        assert survey.translations["en"]["title"]
        assert all(q.translations.get("en", {}).get("text") for q in survey.questions.all())
    assert Response.objects.filter(survey=service_survey).count() == demo.SERVICE_RESPONSES
    assert Response.objects.filter(survey=process_survey).count() == demo.PROCESS_RESPONSES
    assert not Response.objects.filter(survey=process_survey, user__isnull=True).exists()
    assert ctx.ground_truth["surveys"]["service"] == demo.SERVICE_RESPONSES
    assert AuditEntry.objects.filter(action="surveys.survey.created").count() == 2
    first = _fingerprint()
    Survey.objects.all().delete()
    demo.run(_context_again(montalto, carla, ctx))
    assert _fingerprint() == first


def _context_again(montalto, carla, ctx):
    again = DemoContext(
        seed=ctx.seed, rng=random.Random(ctx.seed), requests=0, today=ctx.today, password="x"
    )
    again.municipalities, again.staff, again.citizens = ctx.municipalities, ctx.staff, ctx.citizens
    return again
