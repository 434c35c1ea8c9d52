"""Benchmark of hotspots on the loaded demo (default size at BENCH_SIZE=small, the scale data
set otherwise): ``hotspots-compute``, the seconds `actions.compute` takes for every
municipality (loading the points, clustering each period, linking, counting, naming the
streets, storing), against a same-run baseline: the plain query that loads the same located
points and nothing else. The ratio says how much the method costs over reading its input.
The best of three runs of each is kept.
"""

from __future__ import annotations

import time

from insieme.core.models import Administration, today_in
from insieme.core.registry import BenchLine, Benchmark
from insieme.hotspots import actions
from insieme.hotspots.detect import Params

REPEAT = 3


def _best(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(size: str) -> list[BenchLine]:
    params = Params()
    admins = list(Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY))
    windows = [actions.window(a, params, today_in(a))[1] for a in admins]

    def load() -> int:
        return sum(
            len(list(actions.located_reports(a, w[0], w[-1])))
            for a, w in zip(admins, windows, strict=True)
        )

    points = load()
    baseline = _best(load)
    value = _best(lambda: [actions.compute(None, a, params=params) for a in admins])
    found = sum(actions.latest_run(a).hotspots.count() for a in admins)
    print(
        f"  hotspots: {found} found among {points} located reports of {len(admins)} municipalities"
    )
    return [BenchLine("hotspots-compute", value, "s", points, baseline=baseline)]


BENCHMARK = Benchmark(key="hotspots-compute", run=run, app="hotspots")
