"""The demo's staff survey fills the perceived side of every cell of every municipality, and the
figures equal the ground truth the seed wrote."""

from __future__ import annotations

import json

import pytest

from insieme.core.cells import CELLS
from insieme.core.models import Administration
from insieme.core.registry import Scope
from insieme.perception import results
from insieme.perception.statements import STATEMENTS


@pytest.fixture
def truth(loaded_demo) -> dict:
    return json.loads(loaded_demo.ground_truth.read_text())["perception"]


def test_every_cell_of_every_municipality_is_filled_as_the_truth_says(truth):
    assert truth
    for slug, found in truth.items():
        admin = Administration.objects.get(slug=slug)
        assert found["respondents"] >= results.threshold()
        cells = results.perceived(Scope.of(admin))
        assert set(cells) == set(CELLS)
        for cell in CELLS:
            shown = [
                found["statements"][s.code]
                for s in STATEMENTS
                if s.cell == cell and found["statements"][s.code][0] >= results.threshold()
            ]
            got = cells[cell]
            assert got is not None, (slug, cell)
            assert got["respondents"] == found["respondents"]
            assert (got["answers"], got["agree"]) == (
                sum(n for n, _a in shown),
                sum(a for _n, a in shown),
            )


def test_the_towns_differ(truth):
    shares = {
        slug: tuple(a / n for n, a in found["statements"].values() if n)
        for slug, found in truth.items()
    }
    assert len(set(shares.values())) == len(shares)
