"""`insieme hotspots compute` and the periodic job store the same runs as the action."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from insieme.hotspots import tasks
from insieme.hotspots.models import Run

pytestmark = pytest.mark.django_db


def test_the_command_computes_one_administration_or_all(world, montalto, lagoverde):
    out = io.StringIO()
    call_command("hotspots", "compute", "--administration", "montalto", stdout=out)
    assert out.getvalue().startswith("montalto: ")
    assert list(Run.objects.values_list("administration__slug", flat=True)) == ["montalto"]
    call_command("hotspots", "compute", stdout=io.StringIO())
    assert Run.objects.filter(administration=lagoverde).count() == 1


def test_the_command_refuses_an_unknown_administration_and_impossible_parameters(world):
    with pytest.raises(CommandError, match="Unknown administration"):
        call_command("hotspots", "compute", "--administration", "nowhere")
    with pytest.raises(CommandError, match="min_periods"):
        call_command("hotspots", "compute", "--periods", "3", "--min-periods", "4")
    assert not Run.objects.exists()


def test_the_periodic_job_is_scheduled_and_computes_every_administration(world):
    entry = settings.CELERY_BEAT_SCHEDULE["hotspots-compute"]
    assert entry["task"] == tasks.compute_all.name
    assert tasks.compute_all() == 2
