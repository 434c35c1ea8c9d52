"""The D4 indicators on a small hand-made backlog with a known answer."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from insieme.core.registry import Scope, indicators
from insieme.improvements import actions
from insieme.improvements.indicators import window
from tests.improvements.conftest import GAUGE_KEY

pytestmark = pytest.mark.django_db

ROME = zoneinfo.ZoneInfo("Europe/Rome")
CONVERSION = "improvements-d4-conversion"
TIME = "improvements-d4-time-to-effect"


def at(scope: Scope, days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(scope.today - dt.timedelta(days=days_ago), dt.time(hour), ROME)


def _open(admin, owner, when, *, key=GAUGE_KEY, title="item"):
    return actions.open_item(
        None,
        admin,
        title=title,
        source="indicator" if key else "other",
        indicator_key=key,
        owner=owner,
        now=when,
    )


@pytest.fixture
def backlog(montalto, lagoverde, dario, oscar, gauge):
    """In Montalto's last 90 days: A done with an effect (8 days), B done without an indicator
    (15 days), C open, D dropped, G done but its indicator had nothing to measure (1 day);
    before the window: E (opened 100 days ago, done within the window after 50 days), F (done
    before the window). Lago Verde: one item done in the window (not Montalto's)."""
    s = Scope.of(montalto)
    a = _open(montalto, dario, at(s, 10), title="A")
    gauge.value = 0.6
    actions.close_as_done(None, a, now=at(s, 2))
    b = _open(montalto, dario, at(s, 20), key="", title="B")
    actions.close_as_done(None, b, now=at(s, 5))
    _open(montalto, dario, at(s, 30), title="C")
    d = _open(montalto, dario, at(s, 40), title="D")
    actions.drop_item(None, d, reason="No", now=at(s, 35))
    gauge.value = None
    g = _open(montalto, dario, at(s, 3), title="G")
    gauge.value = 0.5
    actions.close_as_done(None, g, now=at(s, 2))
    e = _open(montalto, dario, at(s, 100), title="E")
    actions.close_as_done(None, e, now=at(s, 50))
    f = _open(montalto, dario, at(s, 200), title="F")
    actions.close_as_done(None, f, now=at(s, 95))
    theirs = _open(lagoverde, oscar, at(s, 10), title="L")
    actions.close_as_done(None, theirs, now=at(s, 1))
    return s


def test_conversion_share(backlog):
    result = indicators.get(CONVERSION).compute(backlog)
    # Opened in the window: A, B, C, D, G; converted with a measured effect: A only.
    assert (result.numerator, result.denominator) == (1, 5)
    assert result.value == pytest.approx(0.2)
    assert result.display == "20% (1 of 5)"
    assert sorted(row[0] for row in result.rows) == ["A", "B", "C", "D", "G"]
    row_a = next(row for row in result.rows if row[0] == "A")
    assert row_a[4:7] == ["40.0%", "60.0%", "Dario Supervisor"]


def test_time_to_effect_median(backlog):
    result = indicators.get(TIME).compute(backlog)
    # Done in the window: A (8 days), B (15), G (1), E (50); F was done before it.
    assert result.denominator == 4
    assert result.value == pytest.approx(11.5)
    assert result.display == "median 11.5 days (4 items done)"
    assert sorted(row[0] for row in result.rows) == ["A", "B", "E", "G"]


def test_the_window_runs_midnight_to_midnight(montalto, dario, gauge):
    s = Scope.of(montalto)
    start, end = window(s)
    assert start == dt.datetime.combine(s.today - dt.timedelta(days=89), dt.time(), ROME)
    assert end == dt.datetime.combine(s.today + dt.timedelta(days=1), dt.time(), ROME)
    _open(montalto, dario, start, title="first moment")
    _open(montalto, dario, start - dt.timedelta(seconds=1), title="just before")
    result = indicators.get(CONVERSION).compute(s)
    assert [row[0] for row in result.rows] == ["first moment"]


def test_nothing_to_measure(lagoverde):
    s = Scope.of(lagoverde)
    for key in (CONVERSION, TIME):
        result = indicators.get(key).compute(s)
        assert result.value is None
        assert result.display == "Nothing to measure yet"


def test_each_indicator_states_its_method_and_direction():
    for key, better, unit in [(CONVERSION, "higher", "share"), (TIME, "lower", "days")]:
        indicator = indicators.get(key)
        assert indicator.cell == "D4" and indicator.app == "improvements"
        assert indicator.better == better and indicator.unit == unit
        assert "90 days" in str(indicator.method)
