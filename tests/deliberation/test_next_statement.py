"""Which statement a participant sees next: Pol.is's comment priority, and the weighted draw."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reddwarf.utils.stats import priority_metric

from insieme.deliberation import opinion
from insieme.deliberation.views import pick_next


@settings(max_examples=200, deadline=None)
@given(
    agree=st.integers(0, 500),
    disagree=st.integers(0, 500),
    passes=st.integers(0, 500),
    extremity=st.floats(0, 10, allow_nan=False),
    meta=st.booleans(),
)
def test_priority_is_the_formula_polis_uses(agree, disagree, passes, extremity, meta):
    # red-dwarf ports Pol.is's conversation.clj priority-metric; ours must agree with it.
    total = agree + disagree + passes
    ours = float(opinion.priority(agree, disagree, total, extremity, meta))
    theirs = float(priority_metric(meta, agree, disagree, total, extremity))
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_new_divisive_and_meta_statements_come_first():
    new = opinion.NEW_STATEMENT_PRIORITY
    assert new == pytest.approx((0.5 * 0.5 * 9) ** 2)
    worn = float(opinion.priority(20, 20, 40, 0.0))
    assert worn < new  # the newness boost wears off with votes
    passed = float(opinion.priority(2, 2, 40, 0.0))
    assert passed < worn  # a statement most people pass on is shown less
    assert float(opinion.priority(20, 20, 40, 2.0)) == pytest.approx(worn * 9)  # (1 + E)^2
    assert float(opinion.priority(0, 40, 40, 0.0, meta=True)) == 49.0


def test_a_statement_everyone_agrees_with_is_not_extreme_and_a_divisive_one_is():
    matrix, pids, sids, truth = opinion.planted_conversation(200, 20, (0.5, 0.5), seed=3)
    matrix = np.array(matrix, dtype=float)
    matrix[:, 0] = 1.0  # everyone agrees with statement 0
    # statement 1 splits the planted groups exactly
    matrix[:, 1] = np.where(np.asarray(truth) == 0, 1.0, -1.0)
    _coords, comps, centre = opinion.project(matrix, with_centre=True)
    extremity = opinion.extremity(comps, centre)
    assert extremity[0] == pytest.approx(0.0, abs=1e-9)
    assert extremity[1] > np.median(extremity)
    result = opinion.opinion_groups(matrix, pids, sids)
    assert set(result.priorities) == set(sids)


def test_moderated_out_statements_get_no_priority():
    matrix, pids, sids, _truth = opinion.planted_conversation(60, 8, (0.5, 0.5), seed=1)
    sids = list(sids)
    out = {sids[2], sids[5]}
    result = opinion.opinion_groups(matrix, pids, sids, moderated_out=out)
    assert set(result.priorities) == set(sids) - out
    assert all(v > 0 for v in result.priorities.values())


class _S:
    def __init__(self, pk, priority=None, is_meta=False):
        self.pk, self.priority, self.is_meta = pk, priority, is_meta


def test_the_draw_follows_the_weights_and_repeats_for_the_same_seed():
    rows = [_S(1, 1.0), _S(2, 3.0), _S(3, 0.0)]
    drawn = collections.Counter(pick_next(rows, f"seed-{i}").pk for i in range(4000))
    assert drawn[3] == 0  # weight zero: never
    assert 2.5 < drawn[2] / drawn[1] < 3.5
    assert pick_next(rows, "same").pk == pick_next(rows, "same").pk


def test_meta_and_unseen_statements_take_their_fixed_weights():
    rows = [_S(1, 0.01), _S(2, None), _S(3, 0.01, is_meta=True)]
    drawn = collections.Counter(pick_next(rows, f"s{i}").pk for i in range(3000))
    assert drawn[3] > drawn[2] > drawn[1]
    assert pick_next([], "x") is None
    assert pick_next([_S(7, 0.0)], "x").pk == 7  # nothing weighs anything: still one to show
