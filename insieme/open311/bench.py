"""Benchmark of `GET /open311/v2/requests.json?page_size=50` against a bare Django view.

Both run in one production server (`insieme serve --workers 2`, gunicorn, DEBUG off) started on
the benchmark's database: the Open311 view for the biggest municipality, and a bare view
(mounted only with INSIEME_BENCH_VIEWS=1) that runs the same single query
(`queries.request_rows`) and returns the same rows with `json.dumps`. A load generator in this
process (a few threads, persistent connections) measures the two alternately for several rounds
of fixed length, so drift of the shared machine falls on both. The figure is the Open311 view's
requests per second; the baseline, the bare view's.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlencode

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from insieme.cases.models import Case
from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark
from insieme.open311.queries import RequestFilter, request_rows

PAGE_SIZE = 50
THREADS = 4
ROUNDS = {"small": 3, "full": 4}
ROUND_SECONDS = {"small": 3.0, "full": 5.0}
WARMUP_SECONDS = 2.0
STARTUP_TIMEOUT = 90.0


def bare_requests(request: HttpRequest) -> HttpResponse:
    """The baseline: the Open311 page's query and rows, serialised as they come."""
    flt = RequestFilter(
        jurisdiction=request.GET.get("jurisdiction_id", ""),
        page_size=int(request.GET.get("page_size", PAGE_SIZE)),
    )
    rows = request_rows(flt, timezone.now())
    return HttpResponse(json.dumps(rows, default=str), content_type="application/json")


# --- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _database_url():
    """A DATABASE_URL for another process reaching this connection's database. An in-memory
    SQLite test database is copied to a temporary file first (other processes cannot see it)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = ""
        if settings.get("USER"):
            auth = quote(settings["USER"], safe="")
            if settings.get("PASSWORD"):
                auth += ":" + quote(settings["PASSWORD"], safe="")
            auth += "@"
        host = settings.get("HOST") or "localhost"
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        yield f"postgres://{auth}{host}{port}/{quote(settings['NAME'], safe='')}"
        return
    if connection.vendor != "sqlite":
        raise RuntimeError(f"open311 bench: unsupported database {connection.vendor}")
    if not connection.is_in_memory_db():
        yield f"sqlite:///{Path(settings['NAME']).resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="insieme-open311-bench-") as folder:
        target = Path(folder) / "bench.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        yield f"sqlite:///{target}"


def _wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"open311 bench: the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("open311 bench: the server did not become healthy")


@contextmanager
def _server(database_url: str):
    """The production server on a free port; always stopped (its whole process group)."""
    port = _free_port()
    insieme = shutil.which("insieme", path=os.path.dirname(sys.executable)) or shutil.which(
        "insieme"
    )
    if insieme is None:
        raise RuntimeError("open311 bench: the insieme console script is not installed")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSIEME_BENCH_VIEWS": "1",
        "INSIEME_DEBUG": "0",
    }
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [insieme, "serve", "--port", str(port), "--workers", "2", "--no-collectstatic"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers stop with it
        )
        try:
            try:
                _wait_healthy(port, proc)
            except RuntimeError:
                log.seek(0)
                sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
                raise
            yield port
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


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
    with _database_url() as url, _server(url) as port:
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
