"""`insieme forecasts compute` and the periodic task compute and store the runs."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from insieme.forecasts import tasks
from insieme.forecasts.models import Run, Trigger
from tests.forecasts.conftest import NOW


def test_the_command_computes_one_administration(steady):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("forecasts", "compute", "--administration", "montalto", stdout=out)
    run = Run.objects.get()
    assert run.trigger == Trigger.COMMAND
    assert out.getvalue().startswith("montalto: 1 services, 0 new alerts, model MAE ")
    assert f"over {run.backtested} service-weeks" in out.getvalue()


def test_the_command_refuses_an_unknown_administration(db):
    with pytest.raises(CommandError):
        call_command("forecasts", "compute", "--administration", "nowhere")


def test_the_periodic_task_computes_every_administration_with_cases(steady, lagoverde):
    with time_machine.travel(NOW, tick=False):
        assert tasks.compute_all() == 1  # Lago Verde has no cases
    assert Run.objects.get().trigger == Trigger.WORKER
    schedule = settings.CELERY_BEAT_SCHEDULE["forecasts-compute"]
    assert schedule["task"] == tasks.compute_all.name
