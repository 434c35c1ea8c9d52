"""The fairness figure (issue 14, item 4): the fewest cases to move for a team to carry its
load in proportion to capacity, checked against a brute force over every fair allocation."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from insieme.core.figures import cases_to_move


def brute_force(loads: list[int], capacities: list[int]) -> int:
    """The fewest moves over every allocation of whole cases within one of each fair share."""
    total, room = sum(loads), sum(capacities)
    if not total or not room:
        return 0
    shares = [Fraction(total * c, room) for c in capacities]
    options = [sorted({s.__floor__(), s.__ceil__()}) for s in shares]
    return min(
        sum(max(load - t, 0) for load, t in zip(loads, targets, strict=True))
        for targets in itertools.product(*options)
        if sum(targets) == total
    )


teams = st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 40), min_size=n, max_size=n),
        st.lists(st.integers(1, 20), min_size=n, max_size=n),
    )
)


@given(teams)
@example(([0, 17, 33, 40], [1, 18, 20, 15]))  # whole shares: found by hypothesis
def test_equals_the_fewest_moves_to_a_fair_allocation(team):
    loads, capacities = team
    assert cases_to_move(loads, capacities) == brute_force(loads, capacities)


@given(teams, st.randoms(use_true_random=False))
def test_does_not_depend_on_the_order_of_people(team, rng):
    loads, capacities = team
    pairs = list(zip(loads, capacities, strict=True))
    rng.shuffle(pairs)
    shuffled = cases_to_move([p[0] for p in pairs], [p[1] for p in pairs])
    assert shuffled == cases_to_move(loads, capacities)
    assert 0 <= shuffled <= sum(loads)


@pytest.mark.parametrize(
    ("loads", "capacities", "moves"),
    [
        ([1, 0], [5, 5], 0),  # one case can sit with either
        ([30, 0], [5, 5], 15),  # the same spread of ratios, thirty times the cases
        ([3, 1], [2, 4], 1),
        ([5, 1, 0, 2], [4, 2, 5, 10], 3),
        ([0, 0], [1, 1], 0),
        ([4], [2], 0),
        ([0, 17, 33, 40], [1, 18, 20, 15], 15),  # whole shares (30, 25) take no extra case
    ],
)
def test_hand_computed(loads, capacities, moves):
    assert cases_to_move(loads, capacities) == moves


def test_one_capacity_per_load():
    with pytest.raises(ValueError):
        cases_to_move([1, 2], [3])
