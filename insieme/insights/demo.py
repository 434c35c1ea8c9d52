"""Demo seed of the Scorecard's thresholds (order 80, after every app with indicators): each
municipality draws the same lines for a few headline indicators, as an administrator would on
the thresholds page, so the Scorecard shows statuses and, where the staff survey says
otherwise, a disagreement. The ground truth (section "thresholds") lists the pairs set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.core.registry import DemoSeed, indicators
from insieme.insights import thresholds

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

# indicator key: (benefit realised from, challenge present from), in the indicator's own unit
PAIRS = {
    "cases-d2-complete": (0.9, 0.75),
    "cases-s2-resolve": (7.0, 20.0),
    "cases-i3-overload": (0.1, 0.25),
    "cases-t2-promises-kept": (0.9, 0.7),
    "cases-t4-satisfaction": (4.0, 3.0),
    "cases-s4-missing-fields": (0.05, 0.2),
    "improvements-d4-conversion": (0.5, 0.2),
}


def run(ctx: DemoContext) -> None:
    pairs = {key: pair for key, pair in PAIRS.items() if key in indicators}
    for admin in ctx.municipalities:
        for key, (realised, challenge) in pairs.items():
            thresholds.set_threshold(None, admin, key, realised, challenge)
    ctx.record("thresholds", {key: list(pair) for key, pair in pairs.items()})


SEED = DemoSeed(key="thresholds", order=80, run=run, app="insights")
