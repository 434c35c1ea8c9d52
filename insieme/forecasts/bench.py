"""Benchmark of the forecasts on the loaded demo: the back-tested mean absolute error of the
model against the seasonal-naive baseline over every municipality's services (a ratio below 1:
the model earns its keep), and the time to compute every administration's forecasts against the
time to read the weekly counts they are fitted on."""

from __future__ import annotations

import time

from django.db import transaction

from insieme.core.models import today_in
from insieme.core.registry import BenchLine, Benchmark
from insieme.forecasts import actions, demand
from insieme.forecasts.models import Trigger


def run(size: str) -> list[BenchLine]:
    targets = list(actions.forecastable())
    started = time.perf_counter()
    with transaction.atomic():
        runs = [actions.compute(a, trigger=Trigger.COMMAND) for a in targets]
        services = sum(r.services.count() for r in runs)
        transaction.set_rollback(True)  # leave the demo's stored forecasts as they were
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for admin in targets:
        demand.weekly_counts(admin, demand.last_complete_week(today_in(admin)))
    read_seconds = time.perf_counter() - started
    n = sum(r.backtested for r in runs)
    model = sum(r.model_mae * r.backtested for r in runs if r.backtested) / max(n, 1)
    baseline = sum(r.baseline_mae * r.backtested for r in runs if r.backtested) / max(n, 1)
    return [
        BenchLine("forecasts-mae", model, "requests/week", n, baseline),
        BenchLine("forecasts-compute", seconds, "s", services, read_seconds),
    ]


BENCHMARK = Benchmark(key="forecasts.backtest", run=run, app="forecasts")
