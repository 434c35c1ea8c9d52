"""The demo's forecasts: each municipality has a run computed by the seed, with the back test the
seed recorded, and the page shows it."""

from __future__ import annotations

import json

import pytest

from insieme.core.models import Administration
from insieme.forecasts.models import Run, Trigger

pytestmark = pytest.mark.django_db


def test_every_municipality_has_its_forecasts(loaded_demo):
    recorded = json.loads(loaded_demo.ground_truth.read_text())["forecasts"]
    municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
    assert set(recorded) == set(municipalities.values_list("slug", flat=True))
    for admin in municipalities:
        run = Run.objects.filter(administration=admin).first()
        assert run is not None and run.trigger == Trigger.DEMO, admin.slug
        figures = recorded[admin.slug]
        assert run.services.count() == figures["services"] > 0, admin.slug
        assert run.backtested == figures["backtested"] > 0, admin.slug
        assert run.model_mae == pytest.approx(figures["model_mae"])
        assert run.alerts.count() == figures["alerts"]
        assert all(len(row.weeks.all()) == 8 for row in run.services.all())
