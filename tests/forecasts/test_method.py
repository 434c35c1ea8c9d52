"""The method on series with known answers: a known pattern is forecast within a known error,
the interval holds about what it says on synthetic noise, the seasonal-naive baseline is what a
hand computes, and the back test counts what it says it counts."""

from __future__ import annotations

import numpy as np
import pytest

from insieme.forecasts import method


def test_a_straight_line_is_continued():
    y = 10 + 2 * np.arange(30)  # 10, 12, ..., 68: the next weeks are 70, 72, ...
    made = method.forecast(method.fit(y), 4)
    # Damping (phi at most 0.98) flattens the trend a little: within 2 (3%) four weeks ahead.
    assert np.all(made.expected < [70, 72, 74, 76])
    assert np.max(np.abs(made.expected - [70, 72, 74, 76])) < 2.0
    assert made.expected[3] - made.expected[0] > 4  # still rising


def test_a_level_with_noise_is_forecast_at_its_level():
    rng = np.random.default_rng(7)
    y = rng.poisson(40, size=60)
    made = method.forecast(method.fit(y))
    assert np.all(np.abs(made.expected - 40) < 4)  # within 4 of the true mean, all 8 weeks
    assert np.all(made.low < 40) and np.all(made.high > 40)
    assert np.all(np.diff(made.high - made.low) >= 0)  # intervals widen with the horizon


def test_a_seasonal_pattern_with_a_trend_is_forecast_within_a_known_error():
    rng = np.random.default_rng(1)
    t = np.arange(164)
    mean = 50 + 0.2 * t + 15 * np.sin(2 * np.pi * t / 52)
    y = rng.poisson(mean)
    model = method.fit(y[:-8])
    assert model.seasonal
    made = method.forecast(model)
    # The mean absolute error against the true mean is well under the noise (sd about 8).
    assert np.mean(np.abs(made.expected - mean[-8:])) < 3.0
    # Without its seasonal profile the same series is forecast worse by the baseline's measure.
    test = method.back_test(y)
    assert test.baseline_kind == method.SEASONAL
    assert test.model_mae < test.baseline_mae


def test_the_interval_holds_about_what_it_says_on_synthetic_noise():
    rng = np.random.default_rng(2024)
    inside = total = 0
    for _ in range(300):
        level = rng.uniform(10, 100)
        y = rng.normal(level, 0.2 * level, size=48)
        made = method.forecast(method.fit(y[:40]), 8, 0.8)
        actual = y[40:]
        inside += int(np.sum((actual >= made.low) & (actual <= made.high)))
        total += len(actual)
    assert 0.74 <= inside / total <= 0.88  # 80% asked for, 2400 weeks checked


def test_z_of_the_eighty_per_cent_interval():
    assert method.z_of(0.8) == pytest.approx(1.2816, abs=1e-4)


def test_the_baseline_repeats_last_week_without_a_whole_season():
    values, kind = method.seasonal_naive([3, 5, 9], 4)
    assert kind == method.LAST
    assert list(values) == [9, 9, 9, 9]


def test_the_baseline_repeats_the_same_week_of_the_last_season():
    y = list(range(100, 100 + method.SEASON))  # week i holds 100 + i
    y += [7, 8]  # two weeks of the next season
    values, kind = method.seasonal_naive(y, 3)
    assert kind == method.SEASONAL
    # 54 weeks known: the next is week 54, whose week a season back is week 2 (102), then 103...
    assert list(values) == [102, 103, 104]


def test_the_back_test_counts_every_origin_and_horizon():
    y = [5.0] * 20 + [5.0, 6.0]
    test = method.back_test(y, origins=3, horizon=8)
    # Origins at weeks 19, 20, 21: 3, 2 and 1 weeks after them are known.
    assert test.n == 6
    assert test.baseline_kind == method.LAST
    # The baseline by hand: from 19 (5) -> 5, 5, 6; from 20 (5) -> 5, 6; from 21 (5) -> 6.
    assert sorted(abs(e) for e in test.baseline_errors) == [0, 0, 0, 1, 1, 1]
    assert test.baseline_mae == pytest.approx(0.5)
    # MASE's scale: the mean one-week change of the series, 1/21.
    assert test.scale == pytest.approx(1 / 21)
    assert test.last_step is not None


def test_too_short_a_history_is_refused():
    with pytest.raises(ValueError):
        method.fit([1, 2, 3])


def test_counts_are_never_forecast_below_zero():
    y = [30, 25, 20, 15, 10, 6, 3, 1, 0, 0, 0, 0, 0, 0]
    made = method.forecast(method.fit(y))
    assert np.all(made.expected >= 0) and np.all(made.low >= 0)
