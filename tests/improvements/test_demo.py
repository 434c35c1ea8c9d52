"""The demo's backlog: in each municipality, items opened from the loaded demo's indicators,
some done with their effect measured, one dropped with a reason; the D4 indicators reproduce
the ground truth the seed wrote, and show figures no other cell shows."""

from __future__ import annotations

import json

import pytest

from insieme.core.models import Administration, today_in
from insieme.core.registry import Scope, indicators
from insieme.improvements.models import Item, Source, Status

pytestmark = pytest.mark.django_db

CONVERSION = "improvements-d4-conversion"
TIME = "improvements-d4-time-to-effect"


def test_the_indicators_reproduce_the_ground_truth(loaded_demo):
    everything = json.loads(loaded_demo.ground_truth.read_text())
    truth, insights = everything["improvements"], everything["improvements_from_insights"]
    municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
    assert set(truth) == set(municipalities.values_list("slug", flat=True))
    for admin in municipalities:
        expected = truth[admin.slug]
        scope = Scope.of(admin)
        conversion = indicators.get(CONVERSION).compute(scope)
        assert conversion.numerator == expected["done_with_effect"], admin.slug
        # The items opened from hotspots, topics and forecasts are recent and none is done.
        opened = expected["opened_last_90"] + insights[admin.slug]["opened_last_90"]
        assert conversion.denominator == opened, admin.slug
        assert expected["done_with_effect"] >= 1, admin.slug
        time = indicators.get(TIME).compute(scope)
        assert time.denominator == len(expected["days_to_done"]), admin.slug
        # Opened and closed at 10:30 local time: a change of summer time moves it by an hour.
        assert time.value == pytest.approx(expected["median_days_to_done"], abs=0.05)


def test_the_items_are_what_the_seed_says(loaded_demo):
    insights = json.loads(loaded_demo.ground_truth.read_text())["improvements_from_insights"]
    every_source = 0
    for admin in Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY):
        items = list(Item.objects.filter(administration=admin))
        from_insights = insights[admin.slug]["sources"]
        assert len(items) == 5 + len(from_insights)
        statuses = sorted(i.status for i in items if i.source not in from_insights)
        assert statuses == sorted(
            [Status.DONE, Status.DONE, Status.DROPPED, Status.IN_PROGRESS, Status.OPEN]
        )
        # The items from hotspots, topics and forecasts: one per insight the demo found.
        planted = set(Source.values) - {Source.HOTSPOT, Source.TOPIC, Source.FORECAST}
        assert {i.source for i in items if i.source in planted} == planted
        found = sorted(i.source for i in items if i.source not in planted)
        assert found == sorted(from_insights)
        for item in (i for i in items if i.source not in planted):
            assert item.source_detail and item.status in (Status.OPEN, Status.IN_PROGRESS)
        every_source += set(i.source for i in items) == set(Source.values)
        dropped = next(i for i in items if i.status == Status.DROPPED)
        assert dropped.drop_reason
        owners = {i.owner.memberships.get(administration=admin).role for i in items}
        assert owners == {"supervisor"}
        for done in (i for i in items if i.status == Status.DONE):
            assert done.after_on is not None and done.before_on < done.after_on
        if admin.processes.exists():
            assert any(i.process_id for i in items)
    assert every_source >= 1  # a municipality with a hotspot, a topic and a forecast alert


def test_no_other_cell_shows_the_same_figure(loaded_demo):
    """As tests/insights/test_scorecard.py checks for every cell, on the region with the
    municipalities it hosts: the D4 figures are there and are nobody else's."""
    region = Administration.objects.get(slug="valdoro")
    ids = (region.pk, *region.children.values_list("pk", flat=True))
    scope = Scope(administration_ids=ids, today=today_in(region))
    ours = {}
    for key in (CONVERSION, TIME):
        result = indicators.get(key).compute(scope)
        assert result.value is not None, key
        ours[(result.value, result.numerator, result.denominator)] = key
    for indicator in indicators:
        if indicator.cell == "D4":
            continue
        result = indicator.compute(scope)
        figure = (result.value, result.numerator, result.denominator)
        assert figure not in ours, f"{indicator.key} shows the figure of {ours.get(figure)}"
