"""Improvement backlog fixtures, built through the actions (the one write path).

`gauge` registers a Scorecard indicator of its own (cell D4, "higher" is better) whose value a
test sets, so that the value measured on opening and on closing is known; it is taken out of
the registry when the test ends. Montalto (tests/conftest.py) runs a process; dario, its
supervisor, owns the items.
"""

from __future__ import annotations

import pytest

from insieme.core.registry import Indicator, IndicatorResult, indicators, register_indicator
from insieme.improvements import actions
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
from tests.participation.conftest import make_idea, make_process

__all__ = ["make_idea", "make_process"]

GAUGE_KEY = "test-d4-gauge"


class Gauge:
    """A test indicator: `value` is what it measures now; `calls` the scopes it was asked for."""

    def __init__(self) -> None:
        self.value: float | None = 0.4
        self.calls: list = []

    def compute(self, scope) -> IndicatorResult:
        self.calls.append(scope)
        shown = "—" if self.value is None else f"{self.value}"
        return IndicatorResult(value=self.value, display=shown)


@pytest.fixture
def gauge():
    made = Gauge()
    register_indicator(
        Indicator(
            key=GAUGE_KEY,
            cell="D4",
            title="Test gauge",
            method="A value the test sets.",
            unit="share",
            compute=made.compute,
            app="tests",
            better="higher",
        )
    )
    yield made
    indicators.unregister(GAUGE_KEY)


@pytest.fixture
def process(montalto, carla):
    return make_process(montalto, carla)


@pytest.fixture
def item(montalto, dario, gauge):
    return actions.open_item(
        dario,
        montalto,
        title="Meno richieste di integrazione",
        source="indicator",
        indicator_key=GAUGE_KEY,
        source_detail="Too many information requests",
        owner=dario,
    )
