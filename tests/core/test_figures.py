"""Figures on the Scorecard are rounded half up, the same way in headlines and rows (issue 14,
item 1: 89.7 % once read 89 %, and 9.87 % read 9 %)."""

from __future__ import annotations

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from insieme.catalog.indicators import share
from insieme.core.figures import figure, percent, percent_of


def test_headline_shares_round_half_up():
    assert share(897, 1000)[1] == "90% (897 of 1000)"
    assert share(987, 10000)[1] == "10% (987 of 10000)"
    assert share(57, 200)[1] == "29% (57 of 200)"  # 28.5: a float would round it down
    assert share(1, 200)[1] == "1% (1 of 200)"
    assert share(0, 7)[1] == "0% (0 of 7)"


def test_figures_round_half_up_in_each_language():
    assert figure(2.5, 0) == "3" and figure(0.285, 2) == "0.29" and figure(66.65, 1) == "66.7"
    assert percent(0.897) == "90" and percent(None) == "—"
    with translation.override("it"):
        assert figure(66.65, 1) == "66,7"
        assert percent_of(1, 3, 1) == "33,3"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_of_is_the_exact_fraction_rounded_half_up(n, d):
    assert percent_of(n, d) == str((200 * n + d) // (2 * d))


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_share_as_a_float_reads_as_the_exact_fraction(n, d):
    assert percent(n / d) == percent_of(n, d)
