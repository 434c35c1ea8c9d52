"""Benchmark of the catalogue: computing its Scorecard indicators over the whole demo region,
against a baseline that only reads the rows those indicators need."""

from __future__ import annotations

import time

from insieme.catalog.indicators import INDICATORS
from insieme.catalog.models import Attribute, Service, Trace
from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark, Scope

REPEAT = 20


def _timed(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(size: str) -> list[BenchLine]:
    region = Administration.objects.filter(kind=Administration.Kind.REGION).first()
    ids = tuple(Administration.objects.values_list("id", flat=True))
    scope = Scope.of(region, Administration.objects.filter(pk__in=ids))

    def compute():
        for indicator in INDICATORS:
            indicator.compute(scope)

    def read_rows():
        list(Service.objects.filter(administration_id__in=ids).values())
        list(Attribute.objects.filter(service__administration_id__in=ids).values())
        list(
            Trace.objects.filter(service__administration_id__in=ids).select_related(
                "provision__regulation"
            )
        )

    n = Service.objects.filter(administration_id__in=ids).count()
    return [
        BenchLine(
            "scorecard_catalog_indicators", _timed(compute) * 1e3, "ms", n, _timed(read_rows) * 1e3
        )
    ]


BENCHMARK = Benchmark(key="catalog.scorecard", run=run, app="catalog")
