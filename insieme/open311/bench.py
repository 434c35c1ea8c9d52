"""Benchmark of `GET /open311/v2/requests.json?page_size=50` against a bare Django view.

Both run in one production server (`insieme serve --workers 2`, gunicorn, DEBUG off, the rate
limits lifted: insieme.ops.benchserver) started on the benchmark's database: the Open311 view
for the biggest municipality, and a bare view (mounted only with INSIEME_BENCH_VIEWS=1) that
runs the same single query (`queries.request_rows`) and returns the same rows with `json.dumps`. A load generator in this
process (a few threads, persistent connections) measures the two alternately for several rounds
of fixed length, so drift of the shared machine falls on both. The figure is the Open311 view's
requests per second; the baseline, the bare view's.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from insieme.cases.models import Case
from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark
from insieme.open311.queries import RequestFilter, request_rows
from insieme.ops import benchserver

PAGE_SIZE = 50
THREADS = 4
ROUNDS = {"small": 3, "full": 4}
ROUND_SECONDS = {"small": 3.0, "full": 5.0}
WARMUP_SECONDS = 2.0


def bare_requests(request: HttpRequest) -> HttpResponse:
    """The baseline: the Open311 page's query and rows, serialised as they come."""
    flt = RequestFilter(
        jurisdiction=request.GET.get("jurisdiction_id", ""),
        page_size=int(request.GET.get("page_size", PAGE_SIZE)),
    )
    rows = request_rows(flt, timezone.now())
    return HttpResponse(json.dumps(rows, default=str), content_type="application/json")


# --- the load ----------------------------------------------------------------------------------


def _load(port: int, path: str, seconds: float) -> float:
    """Requests per second completed by THREADS clients, each on one kept-alive connection."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * THREADS
    failures: list[str] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop_at:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path}: HTTP {response.status}")
                    return
                counts[index] += 1
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{path}: {exc!r}")
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"open311 bench: {failures[0]}")
    return sum(counts) / elapsed


def _biggest_municipality() -> str:
    """The slug of the municipality with the most public cases."""
    row = (
        Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
        .annotate(n=Count("cases", filter=Q(cases__is_public=True)))
        .order_by("-n", "slug")
        .values("slug", "n")
        .first()
    )
    if row is None:
        raise RuntimeError("open311 bench: the demo has no municipality")
    return row["slug"]


def run(size: str) -> list[BenchLine]:
    slug, n = _biggest_municipality(), Case.objects.count()
    query = urlencode({"jurisdiction_id": slug, "page_size": PAGE_SIZE})
    open311_path = f"/open311/v2/requests.json?{query}"
    bare_path = f"/open311/v2/bench/bare-requests.json?{query}"
    rounds, seconds = ROUNDS.get(size, 3), ROUND_SECONDS.get(size, 3.0)
    with (
        benchserver.database_url() as url,
        benchserver.serving(url, env={"INSIEME_BENCH_VIEWS": "1"}) as port,
    ):
        for path in (open311_path, bare_path):
            _load(port, path, WARMUP_SECONDS)
        ours, bare = [], []
        for index in range(rounds):
            # Alternate which goes first, so neither always follows the other.
            order = [(open311_path, ours), (bare_path, bare)]
            for path, results in order if index % 2 == 0 else order[::-1]:
                results.append(_load(port, path, seconds))
    value, baseline = sum(ours) / len(ours), sum(bare) / len(bare)
    print(
        f"  open311 requests.json ({slug}, page of {PAGE_SIZE}): "
        + ", ".join(f"{v:.0f}" for v in ours)
        + " req/s; bare view: "
        + ", ".join(f"{v:.0f}" for v in bare)
        + " req/s"
    )
    return [
        BenchLine(
            name="open311_requests_throughput", value=value, unit="req/s", baseline=baseline, n=n
        )
    ]


BENCHMARK = Benchmark(key="open311.requests", run=run, app="open311")
