"""The forecasting method, in numpy alone: damped-trend exponential smoothing with a weekly
seasonal profile once two years of history allow it, its intervals, the seasonal-naive baseline
and a rolling-origin back test of both.

The model (ETS(A,Ad,N), or ETS(A,Ad,A) with a season of 52 weeks), one step at a time:

    expected_t = level + phi * trend (+ season[t - 52])
    error_t    = actual_t - expected_t
    level      = level + phi * trend + alpha * error_t
    trend      = phi * trend + beta * error_t
    season[t]  = season[t - 52] + gamma * error_t

and h weeks ahead: level + (phi + phi² + ... + phi^h) * trend (+ the season of that week). The
damping (phi < 1) flattens the trend as the horizon grows, so a few busy weeks are not projected
for ever. alpha, beta, phi and gamma are chosen from a small grid by the smallest sum of squared
one-step errors; the grid is run in one pass, every combination as a column of numpy arrays.

The interval is the model's: the one-step errors' spread sigma grows with the horizon as
sigma² (1 + sum over j < h of (alpha + beta (phi + ... + phi^j))²), with the normal quantile of
the level (80%: ±1.2816 sigma); demand is never negative, so both ends are cut at zero.

The seasonal-naive baseline repeats the same week of the last season (52 weeks back) where the
history holds a whole season, otherwise the last week's value (`kind` says which).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

SEASON = 52
HORIZON = 8
LEVEL = 0.8
ORIGINS = 12
MIN_WEEKS = 12  # fewer weeks of history: no forecast
HARMONICS = 3  # sine-cosine pairs of the starting seasonal profile
START_WEEKS = 8  # the first weeks give the starting level and slope
BURN_IN = 4  # one-step errors of the first weeks are left out of the fit (the start is a guess)

ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
BETAS = (0.0, 0.02, 0.05, 0.1)
PHIS = (0.8, 0.9, 0.98)
GAMMAS = (0.0, 0.05, 0.1, 0.2)

SEASONAL, LAST = "seasonal", "last"


def z_of(level: float) -> float:
    """The normal quantile of a central interval holding `level` (0.8 -> 1.2816)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


@dataclass(frozen=True)
class Fit:
    alpha: float
    beta: float
    phi: float
    gamma: float
    seasonal: bool
    level: float
    trend: float
    season: tuple[float, ...]  # the profile for the next SEASON weeks, in order (empty if none)
    sigma: float
    weeks: int


@dataclass(frozen=True)
class Forecast:
    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _grid(seasonal: bool) -> np.ndarray:
    gammas = GAMMAS if seasonal else (0.0,)
    rows = [
        (a, b, p, g)
        for a, b, p, g in itertools.product(ALPHAS, BETAS, PHIS, gammas)
        if b <= a  # the trend moves no faster than the level
    ]
    return np.array(rows, dtype=float).T


def _line(y: np.ndarray) -> tuple[float, float]:
    """The level just before the first week and the slope, from a line through the first weeks."""
    t = np.arange(len(y))
    slope, intercept = np.polyfit(t, y, 1)
    return float(intercept - slope), float(slope)


def _start(y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The level just before the first week, the slope and a smooth seasonal profile, from a regression of the first two
    seasons on a straight line and HARMONICS sine-cosine pairs: a profile read week by week off
    two noisy seasons would carry their noise into every forecast."""
    t = np.arange(len(y))
    waves = [
        f(2 * np.pi * k * t / SEASON) for k in range(1, HARMONICS + 1) for f in (np.sin, np.cos)
    ]
    design = np.column_stack([np.ones_like(t), t, *waves])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    profile = design[:SEASON, 2:] @ coef[2:]
    return float(coef[0] - coef[1]), float(coef[1]), profile


def fit(y) -> Fit:
    """The model fitted to the weekly counts `y` (oldest first, at least MIN_WEEKS of them)."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n < MIN_WEEKS:
        raise ValueError(f"{n} weeks of history; at least {MIN_WEEKS} are needed")
    seasonal = n >= 2 * SEASON
    alpha, beta, phi, gamma = _grid(seasonal)
    g = len(alpha)
    if seasonal:
        start, slope, profile = _start(y[: 2 * SEASON])
        season = np.tile(profile, (g, 1))
    else:
        start, slope = _line(y[:START_WEEKS])
        season = np.zeros((g, SEASON))
    level = np.full(g, start)
    trend = np.full(g, slope)
    sse = np.zeros(g)
    for t in range(n):
        s = t % SEASON
        expected = level + phi * trend + season[:, s]
        error = y[t] - expected
        if t >= BURN_IN:
            sse += error * error
        level = level + phi * trend + alpha * error
        trend = phi * trend + beta * error
        season[:, s] += gamma * error
    best = int(np.argmin(sse))
    used = max(n - BURN_IN - 2, 1)
    ahead = [(n + k) % SEASON for k in range(SEASON)]
    return Fit(
        alpha=float(alpha[best]),
        beta=float(beta[best]),
        phi=float(phi[best]),
        gamma=float(gamma[best]),
        seasonal=seasonal,
        level=float(level[best]),
        trend=float(trend[best]),
        season=tuple(float(v) for v in season[best, ahead]) if seasonal else (),
        sigma=float(np.sqrt(sse[best] / used)),
        weeks=n,
    )


def forecast(model: Fit, horizon: int = HORIZON, level: float = LEVEL) -> Forecast:
    """The next `horizon` weeks: expected counts and the central interval holding `level`."""
    steps = np.arange(1, horizon + 1)
    damped = np.cumsum(model.phi**steps)  # phi + phi² + ... + phi^h
    expected = model.level + damped * model.trend
    if model.seasonal:
        expected = expected + np.array(model.season[:horizon])
    # The variance of the h-step error: one term per step before it.
    terms = (model.alpha + model.beta * np.concatenate(([0.0], damped[:-1]))) ** 2
    terms[0] = 0.0
    spread = model.sigma * np.sqrt(1 + np.cumsum(terms))
    half = z_of(level) * spread
    expected = np.maximum(expected, 0.0)
    return Forecast(expected, np.maximum(expected - half, 0.0), expected + half)


def seasonal_naive(y, horizon: int = HORIZON) -> tuple[np.ndarray, str]:
    """The baseline and its kind: the same week SEASON weeks back when the history holds a whole
    season (SEASONAL), else the last week's value repeated (LAST)."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n >= SEASON:
        return np.array([y[n - SEASON + k] for k in range(horizon)]), SEASONAL
    return np.full(horizon, y[-1]), LAST


@dataclass
class BackTest:
    """Errors of forecasts made at each of the last `origins` weeks, for up to `horizon` weeks
    after each (as many as the history holds), of the model and of the baseline."""

    model_errors: list[float] = field(default_factory=list)
    baseline_errors: list[float] = field(default_factory=list)
    covered: int = 0  # actuals inside the model's interval
    baseline_kind: str = LAST
    last_step: tuple[float, float, float] | None = None  # (expected, low, high) of the last week
    scale: float = 0.0  # the in-sample error of the one-step baseline (MASE's denominator)

    @property
    def n(self) -> int:
        return len(self.model_errors)

    @property
    def model_mae(self) -> float | None:
        return float(np.mean(np.abs(self.model_errors))) if self.n else None

    @property
    def baseline_mae(self) -> float | None:
        return float(np.mean(np.abs(self.baseline_errors))) if self.n else None

    def mase(self, mae: float | None) -> float | None:
        return mae / self.scale if mae is not None and self.scale > 0 else None

    @property
    def coverage(self) -> float | None:
        return self.covered / self.n if self.n else None


def back_test(y, origins: int = ORIGINS, horizon: int = HORIZON, level: float = LEVEL) -> BackTest:
    """Refit at each origin on the weeks before it and compare with the weeks after it. The last
    origin forecasts the last week alone: its interval is what the alerts compare with."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    result = BackTest()
    lag = SEASON if n > SEASON else 1
    if n > lag:
        result.scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    for cut in range(max(n - origins, MIN_WEEKS), n):
        history, actual = y[:cut], y[cut : cut + horizon]
        made = forecast(fit(history), len(actual), level)
        naive, result.baseline_kind = seasonal_naive(history, len(actual))
        result.model_errors += list(actual - made.expected)
        result.baseline_errors += list(actual - naive)
        result.covered += int(np.sum((actual >= made.low) & (actual <= made.high)))
        if cut == n - 1:
            result.last_step = (float(made.expected[0]), float(made.low[0]), float(made.high[0]))
    return result
