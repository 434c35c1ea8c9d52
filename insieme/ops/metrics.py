"""Prometheus metrics (prometheus_client), and their exposition for /metrics.

Counted where things happen: requests by insieme.ops.middleware.MetricsMiddleware in each web
process, tasks by the Celery signals (insieme.ops.signals) in the processes that run them, database
connection errors wherever they surface. Computed when scraped: the broker queue's length and the
SLA job's lag. With several processes (gunicorn workers, the Celery worker's children), each
writes its own files (prometheus_client's multiprocess mode, see insieme.ops.multiproc) and the
scrape adds them up; a single process (runserver, the tests) keeps them in memory.

Import this module lazily (inside functions) in code that runs in the commands: the multiprocess
mode is fixed when prometheus_client is first imported.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from insieme.ops import multiproc

log = logging.getLogger(__name__)
# No `_created` series: the multiprocess mode has none, so one process alone shows none either.
disable_created_metrics()

# Labels: the HTTP method (known ones, else "other"), the route (the URL pattern's name, see
# route_label) and the status class ("2xx" ...): a bounded number of series.
REQUESTS = Counter(
    "insieme_http_requests",
    "HTTP requests answered, by method, route name and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "insieme_http_request_duration_seconds",
    "Time to answer an HTTP request (inside the WSGI application), in seconds.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge(
    "insieme_http_requests_in_flight",
    "HTTP requests being answered now (live web processes).",
    multiprocess_mode="livesum",
)
TASKS = Counter(
    "insieme_celery_tasks",
    "Background tasks run to an end, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
DB_ERRORS = Counter(
    "insieme_db_connection_errors",
    "Database connection errors (OperationalError, InterfaceError) that ended a request or a "
    "task, or failed the readiness check.",
    ["source"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def method_label(method: str | None) -> str:
    return method if method in METHODS else "other"


def route_label(request) -> str:
    """The matched URL pattern's name, namespaced (`api:case-list`; Django puts the view's
    dotted path for a pattern without a name); `static` for static files, `unmatched` when no
    pattern matched or a middleware answered before the URL was resolved."""
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def status_label(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method_label(method), route, status_label(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def count_task(task: str, outcome: str) -> None:
    TASKS.labels(task, outcome).inc()


def count_db_error(source: str) -> None:
    DB_ERRORS.labels(source).inc()


class ScrapeTimeCollector:
    """The gauges read when /metrics is asked: the broker queue's length (Redis brokers) and
    the time since the SLA job last succeeded. A source that does not answer leaves its gauge
    out of this scrape (and is logged); the scrape itself never fails for it."""

    def collect(self):
        yield from self._queue_length()
        yield from self._sla_lag()

    def _queue_length(self):
        from django.conf import settings

        from insieme.ops import services

        url, queue = settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE
        if not url or not services.is_redis(url):
            return
        try:
            length = services.redis_queue_length(url, queue)
        except Exception as exc:  # noqa: BLE001 - a broker away is a missing gauge, not a 500
            log.warning("metrics: broker queue length unavailable: %s", type(exc).__name__)
            return
        family = GaugeMetricFamily(
            "insieme_celery_queue_length",
            "Task messages waiting in the broker's queue (Redis broker).",
            labels=["queue"],
        )
        family.add_metric([queue], length)
        yield family

    def _sla_lag(self):
        from django.db import DatabaseError

        from insieme.ops import jobs

        try:
            last = jobs.last_success(jobs.SLA_TICK)
        except DatabaseError as exc:
            log.warning("metrics: SLA job's last run unavailable: %s", type(exc).__name__)
            count_db_error("metrics")
            return
        if last is None:
            return  # never ran here: alert on absent(insieme_sla_tick_lag_seconds)
        at = last.timestamp()
        yield GaugeMetricFamily(
            "insieme_sla_tick_last_success_timestamp_seconds",
            "When the SLA job last finished without error (Unix time).",
            value=at,
        )
        yield GaugeMetricFamily(
            "insieme_sla_tick_lag_seconds",
            "Seconds since the SLA job last finished without error.",
            value=max(0.0, time.time() - at),
        )


class _InProcess:
    def collect(self):
        return REGISTRY.collect()


class _Files:
    def __init__(self, paths: list[str]):
        self.paths = paths

    def collect(self):
        return MultiProcessCollector.merge(self.paths, accumulate=True)


def registry() -> CollectorRegistry:
    """What one scrape shows: every process's counters (their files in multiprocess mode, else
    this process's memory) and the gauges computed now."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Files(multiproc.files()) if multiproc.enabled() else _InProcess())
    scrape.register(ScrapeTimeCollector())
    return scrape


def exposition(accept: str | None = None) -> tuple[bytes, str]:
    """The scrape's body and content type (Prometheus text, or OpenMetrics if asked for)."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry()), content_type
