"""The method on arrays, with known answers: two places with reports in every period and a
one-off burst elsewhere give exactly the two places; persistence, size and growth decide."""

from __future__ import annotations

import numpy as np
import pytest

from insieme.hotspots.detect import Params, detect, growth
from tests.hotspots.conftest import ALFA, BETA, BURST, offset


def points(place, period: int, count: int, spread: float = 30.0):
    return [(*offset(place, spread * (i % 3 + 1) / 3, i * 2.1), period) for i in range(count)]


def arrays(rows):
    lat, lon, period = zip(*rows, strict=True)
    return np.array(lat), np.array(lon), np.array(period)


def two_places_and_a_burst(per_period: int = 6):
    rows = []
    for p in range(6):
        rows += points(ALFA, p, per_period) + points(BETA, p, per_period + p)
    rows += points(BURST, 2, 40)
    return rows


def test_the_two_persistent_places_are_found_and_the_burst_is_not():
    found = detect(*arrays(two_places_and_a_burst())).hotspots
    assert len(found) == 2
    beta, alfa = found  # most reports first: BETA grows by one report a period
    assert alfa.counts == [6] * 6 and beta.counts == [6, 7, 8, 9, 10, 11]
    assert alfa.periods_present == beta.periods_present == list(range(6))
    for spot, place in ((alfa, ALFA), (beta, BETA)):
        assert spot.lat == pytest.approx(place[0], abs=2e-4)
        assert spot.lon == pytest.approx(place[1], abs=2e-4)
        assert 10 <= spot.radius_m <= 31
    assert beta.growing and not alfa.growing


def test_a_place_needs_clusters_in_k_of_the_n_periods():
    rows = []
    for p in (0, 2, 4):  # three periods of six
        rows += points(ALFA, p, 6)
    assert detect(*arrays(rows), Params(min_periods=4)).hotspots == []
    (found,) = detect(*arrays(rows), Params(min_periods=3)).hotspots
    assert found.counts == [6, 0, 6, 0, 6, 0]


def test_fewer_reports_than_the_minimum_are_no_cluster():
    rows = [r for p in range(6) for r in points(ALFA, p, 3)]
    assert detect(*arrays(rows), Params(min_reports=4)).hotspots == []
    assert len(detect(*arrays(rows), Params(min_reports=3)).hotspots) == 1


def test_reports_spread_out_make_no_hotspot():
    rows = [(*offset(ALFA, 500.0 * i, 0.0), i % 6) for i in range(60)]
    result = detect(*arrays(rows))
    assert result.hotspots == [] and result.clusters == 0


def test_growth_is_a_rise_of_a_quarter_of_the_mean_over_the_window():
    assert growth([6, 7, 8, 9, 10, 11]) == (pytest.approx(1.0), True)
    assert growth([6, 6, 6, 6, 6, 6])[1] is False
    assert growth([10, 9, 8, 7, 6, 5])[1] is False
    assert growth([10, 10, 10, 10, 10, 11])[1] is False  # a rise, but small


def test_impossible_parameters_are_named():
    assert Params().problems() == []
    assert Params(min_periods=7, periods=6).problems()
    assert Params(radius_m=1).problems()
    assert Params(min_reports=1).problems()
