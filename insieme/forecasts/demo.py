"""Demo seed of the forecasts (order 86, after the cases 30 whose demand it reads): each
municipality's forecasts computed as of the demo's day, through insieme.forecasts.actions, so
that the page has a run, its back test and the alerts of the last complete week.

Recorded, section "forecasts": per municipality, the services forecast, the back-tested mean
absolute error of the model and of the baseline (requests a week), the service-weeks back-tested
and the alerts raised. The quality measure needs no hidden truth: the back test compares with the
weekly counts the database holds.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from insieme.core.registry import DemoSeed
from insieme.forecasts import actions
from insieme.forecasts.models import Trigger

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def run(ctx: DemoContext) -> None:
    section = {}
    for admin in ctx.municipalities:
        now = dt.datetime.combine(ctx.today, dt.time(6), zoneinfo.ZoneInfo(admin.timezone))
        made = actions.compute(admin, trigger=Trigger.DEMO, now=now)
        section[admin.slug] = {
            "services": made.services.count(),
            "model_mae": made.model_mae,
            "baseline_mae": made.baseline_mae,
            "backtested": made.backtested,
            "alerts": made.alerts.count(),
        }
    ctx.record("forecasts", section)


SEED = DemoSeed(key="forecasts", order=86, run=run, app="forecasts")
