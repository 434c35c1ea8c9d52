"""`make bench` figures of case handling: the work-queue page and the auto-assignment decision
(the fastest of several rounds each).

Both are measured twice in one `make bench` run: on the default demo (the baseline, measured
first by `insieme.bench` on a throw-away database of the default size) and on the data set of the
run (one million cases at full size). The queue page is rendered through Django's test client
for the same officer (by e-mail; the demo's people depend on the seed only) with their default
view (open cases of their department, soonest due first), so the figure includes the queries,
the template and the middleware a real request meets.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insieme.cases.models import OPEN_STATUSES, Case
from insieme.core.models import Administration, Membership
from insieme.core.permissions import Role
from insieme.core.registry import BenchLine, Benchmark

ROUNDS = 15
WARM_UP = 3
DECISIONS = 40


def _officer() -> tuple[str, str]:
    """(administration slug, e-mail) of the officer whose queue is measured: the first officer
    of the busiest department of the administration with the most cases."""
    admin_id = (
        Case.objects.values_list("administration")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("administration", flat=True)
        .first()
    )
    admin = Administration.objects.get(pk=admin_id)
    department_id = (
        Case.objects.filter(administration=admin, department__isnull=False)
        .values_list("department")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("department", flat=True)
        .first()
    )
    member = (
        Membership.objects.filter(
            administration=admin, department_id=department_id, role=Role.OFFICER, is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return admin.slug, member.user.email


def _timed_page(client: Client, url: str) -> tuple[list[float], int]:
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    times = []
    queries = 0
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return times, queries


def measure(slug: str | None = None, email: str | None = None) -> dict:
    """The fastest queue-page time (ms) of the rounds, its query count and the fastest
    auto-assignment decision (ms) on the current database; `slug`/`email` pick the officer
    (default: see _officer)."""
    from insieme.cases.handling.assignment import least_loaded
    from insieme.core.models import User

    if slug is None:
        slug, email = _officer()
    user = User.objects.get(email=email)
    client = Client(HTTP_HOST="localhost")  # a host the settings allow outside tests
    client.force_login(user)
    times, queries = _timed_page(client, reverse("staff_queue", args=[slug]))

    # The decision auto-assignment takes on filing: candidates, their open loads, the choice.
    admin = Administration.objects.get(slug=slug)
    sample = list(
        Case.objects.filter(
            administration=admin, status__in=sorted(OPEN_STATUSES), department__isnull=False
        )
        .select_related("service", "administration")
        .order_by("-pk")[:DECISIONS]
    )
    decisions = []
    for case in sample:
        started = time.perf_counter()
        least_loaded(case)
        decisions.append(time.perf_counter() - started)
    return {
        "slug": slug,
        "email": email,
        # The fastest of the rounds: the one other jobs on a shared machine disturbed least
        # (the baseline and the full-size figure are taken tens of minutes apart).
        "page_ms": min(times) * 1000,
        "page_median_ms": statistics.median(times) * 1000,
        "queries": queries,
        "assign_ms": min(decisions) * 1000 if decisions else float("nan"),
        "cases": Case.objects.count(),
    }


_baseline: dict = {}


def baseline(size: str) -> None:
    """Called by `insieme.bench` on the default-size demo before the run's own data is loaded."""
    _baseline.clear()
    _baseline.update(measure())
    print(
        f"  work queue on the default demo ({_baseline['cases']} cases, {_baseline['email']}): "
        f"{_baseline['page_ms']:.1f} ms (median {_baseline['page_median_ms']:.1f}), "
        f"{_baseline['queries']} queries; "
        f"auto-assignment decision {_baseline['assign_ms']:.2f} ms"
    )


def run(size: str) -> list[BenchLine]:
    if not _baseline:
        baseline(size)
    now = measure(_baseline["slug"], _baseline["email"])
    n = now["cases"]
    print(
        f"  work queue at {n} cases: {now['page_ms']:.1f} ms (median {now['page_median_ms']:.1f}), "
        f"{now['queries']} queries; auto-assignment decision {now['assign_ms']:.2f} ms"
    )
    return [
        BenchLine("queue_page", now["page_ms"], "ms", n, _baseline["page_ms"]),
        BenchLine("queue_page_queries", now["queries"], "queries", n, _baseline["queries"]),
        BenchLine("auto_assign_decision", now["assign_ms"], "ms", n, _baseline["assign_ms"]),
    ]


BENCHMARK = Benchmark(key="cases.handling", run=run, app="cases", baseline=baseline)
