"""The demo's community survey: results shown for the larger areas, folded for the small ones,
and the figures equal the ground truth the seed wrote."""

from __future__ import annotations

import json

import pytest

from insieme.community import results
from insieme.community.models import Round
from insieme.core.models import Administration
from insieme.core.registry import Scope


@pytest.fixture
def truth(loaded_demo) -> dict:
    return json.loads(loaded_demo.ground_truth.read_text())["community"]


def test_the_rounds_show_what_the_truth_says(truth):
    assert truth
    folded_somewhere = False
    for slug, rounds in truth.items():
        admin = Administration.objects.get(slug=slug)
        stored = list(Round.objects.filter(administration=admin).order_by("opens_on"))
        assert len(stored) == len(rounds)
        for round_, expected in zip(stored, rounds, strict=True):
            found = results.round_results(round_)
            assert found["people"] == sum(expected["people"].values())
            for g in found["groups"]:
                assert g["people"] >= results.threshold()
                assert g["people"] == sum(expected["people"][k] for k in g["areas"])
            small = {k for k, n in expected["people"].items() if 0 < n < results.threshold()}
            shown = {g["key"] for g in found["groups"]}
            assert not small & shown
            folded_somewhere |= bool(small)
            for row in found["rows"]:
                code = row["statement"].code
                answers = sum(expected["statements"][k][code][0] for k in expected["statements"])
                agree = sum(expected["statements"][k][code][1] for k in expected["statements"])
                assert row["total"] is not None and (
                    row["total"]["answers"],
                    row["total"]["agree"],
                ) == (answers, agree)
                for g, cell in zip(found["groups"], row["cells"], strict=True):
                    if cell:
                        assert cell["answers"] == sum(
                            expected["statements"][k][code][0] for k in g["areas"]
                        )
        assert results.community(Scope.of(admin))["S1"] is not None
    assert folded_somewhere


def test_the_main_town_is_shown_on_its_own(truth):
    slug = next(iter(truth))
    round_ = Round.objects.filter(administration__slug=slug).order_by("-opens_on").first()
    keys = [g["key"] for g in results.round_results(round_)["groups"]]
    assert keys[0] == "town" and "other" in keys
