"""The demo's thresholds: every municipality has the pairs the ground truth lists, and the
Scorecard's statuses are those pairs applied to the indicators' values."""

from __future__ import annotations

import json

from insieme.core.models import Administration
from insieme.core.registry import Scope
from insieme.insights import scorecard as sc
from insieme.insights import thresholds


def test_statuses_follow_the_demo_thresholds(loaded_demo):
    truth = json.loads(loaded_demo.ground_truth.read_text())["thresholds"]
    assert len(truth) >= 5
    towns = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
    judged = 0
    for admin in towns:
        pairs = thresholds.for_administration(admin)
        assert {k: [p.realised, p.challenge] for k, p in pairs.items()} == truth
        for element in sc.build_elements(Scope.of(admin), pairs):
            for cell in element.cells:
                for view in cell.indicators:
                    pair = pairs.get(view.indicator.key)
                    if pair is None:
                        assert view.status is None
                        continue
                    expected = pair.status_of(view.result.value, view.indicator.better)
                    assert view.status == expected, view.indicator.key
                    judged += expected is not None
                assert cell.measured == thresholds.worst([v.status for v in cell.indicators])
    assert judged >= len(truth)  # most pairs judge a value in every town
