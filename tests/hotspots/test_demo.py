"""The demo's hotspots: the places the cases demo planted are found (a floor on recall and
precision, measured as docs/hotspots.md reports), and the places drawn again from its random
stream are the ones its reports cluster around."""

from __future__ import annotations

import json

import pytest

from insieme.cases.models import Case
from insieme.core.geo import distance_m
from insieme.core.models import Administration
from insieme.hotspots import actions, quality

pytestmark = pytest.mark.django_db


def truth(loaded_demo) -> dict:
    return json.loads(loaded_demo.ground_truth.read_text())["hotspots"]


def test_the_planted_places_are_where_the_reports_cluster(loaded_demo):
    planted = truth(loaded_demo)["planted"]
    for slug, places in planted.items():
        points = list(
            Case.objects.filter(administration__slug=slug, lat__isnull=False).values_list(
                "lat", "lon"
            )
        )
        near = sum(any(distance_m(*p, q[0], q[1]) <= 60 for q in places) for p in points)
        # A quarter of the located reports were planted within 60 m of these four places.
        assert near >= 0.2 * len(points), slug


def test_recall_and_precision_keep_their_floor(loaded_demo):
    measured = truth(loaded_demo)["quality"]
    assert measured["precision"] >= 0.75
    assert measured["recall"] >= 0.5
    by_admin = measured["by_administration"]
    # The two towns with enough reports: at least three of four places each.
    busy = sorted(by_admin.values(), key=lambda c: -c["found"])[:2]
    assert all(c["matched"] >= 3 for c in busy)


def test_the_stored_hotspots_are_the_ones_measured(loaded_demo):
    recorded = truth(loaded_demo)
    found = {}
    for admin in Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY):
        run = actions.latest_run(admin)
        assert run is not None
        found[admin.slug] = [[h.lat, h.lon, h.street] for h in run.hotspots.all()]
    assert quality.measure(recorded["planted"], found) == recorded["quality"]
