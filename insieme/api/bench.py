"""`make bench` figures of the REST API's case list for department staff (`GET /api/v1/cases/`).

Measured twice in one `make bench` run, like the work queue (insieme.cases.bench_queue): on the
default demo (the baseline, measured first on a throw-away database of the default size) and on
the run's data set (a million cases at full size), for the same officer: the first officer of
the busiest department of the administration with the most cases. Both the first page and the
page after it (through the `next` cursor) are timed, the fastest of several rounds each, through
Django's test client, so the figure includes authentication, the queries and the serializer.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insieme.cases.bench_queue import _officer
from insieme.cases.models import Case
from insieme.core.registry import BenchLine, Benchmark

ROUNDS = 15
WARM_UP = 3
URL = "/api/v1/cases/?page_size=50"


def _timed(client: Client, url: str) -> tuple[list[float], int, dict]:
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    times, queries, body = [], 0, {}
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries, body = len(ctx.captured_queries), response.json()
    return times, queries, body


def measure(slug: str | None = None, email: str | None = None) -> dict:
    from insieme.core.models import User

    if slug is None:
        slug, email = _officer()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=email))
    first, queries, body = _timed(client, URL)
    later = _timed(client, body["next"])[0] if body.get("next") else first
    return {
        "slug": slug,
        "email": email,
        "page_ms": min(first) * 1000,
        "page_median_ms": statistics.median(first) * 1000,
        "next_ms": min(later) * 1000,
        "queries": queries,
        "rows": len(body.get("results", [])),
        "cases": Case.objects.count(),
    }


_baseline: dict = {}


def baseline(size: str) -> None:
    _baseline.clear()
    _baseline.update(measure())
    print(
        f"  API case list on the default demo ({_baseline['cases']} cases, {_baseline['email']}, "
        f"{_baseline['rows']} rows): first page {_baseline['page_ms']:.1f} ms "
        f"(median {_baseline['page_median_ms']:.1f}), next page {_baseline['next_ms']:.1f} ms, "
        f"{_baseline['queries']} queries"
    )


def run(size: str) -> list[BenchLine]:
    if not _baseline:
        baseline(size)
    now = measure(_baseline["slug"], _baseline["email"])
    n = now["cases"]
    print(
        f"  API case list at {n} cases ({now['rows']} rows): first page {now['page_ms']:.1f} ms "
        f"(median {now['page_median_ms']:.1f}), next page {now['next_ms']:.1f} ms, "
        f"{now['queries']} queries"
    )
    return [
        BenchLine("api_staff_case_list", now["page_ms"], "ms", n, _baseline["page_ms"]),
        BenchLine("api_staff_case_list_next", now["next_ms"], "ms", n, _baseline["next_ms"]),
        BenchLine(
            "api_staff_case_list_queries", now["queries"], "queries", n, _baseline["queries"]
        ),
    ]


BENCHMARK = Benchmark(key="api.case_list", run=run, app="api", baseline=baseline)
