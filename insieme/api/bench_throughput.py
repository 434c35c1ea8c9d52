"""`make bench` figures of throughput: requests per second of the main pages and APIs, served
as production serves them, against a bare Django view measured the same way in the same run.

The bench's throw-away database is served by `insieme serve` (gunicorn, DEBUG off, whitenoise,
every middleware; 2 processes of 4 threads, the settings of insieme.ops.bench_settings, which
only add the bare view's URL) in processes of their own. An in-memory SQLite database (the
bench's on SQLite) cannot be opened by another process, so it is first copied to a file with
SQLite's backup API; PostgreSQL's test database is served as it is. The load comes from
insieme.ops.httpload, another process on the same cores: 8 persistent connections, each asking
again as soon as it is answered, for BENCH_HTTP_SECONDS (10 at full size, 5 small) per URL
after a second of warm-up. Signed-in pages carry a session cookie of the person who would see
them (a citizen who filed the case shown, an officer of its department).

`http_rps_<name>` is the requests per second answered; its baseline is the bare view's, so the
ratio is the share of Django's own throughput the page keeps (below 1: slower). Any answer
other than 200 stops the run: a rate limit or an error page would be measured as fast.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections

from insieme.cases.bench_pages import _officer_of, _pages, _session_cookie
from insieme.cases.models import Case
from insieme.core.registry import BenchLine, Benchmark

CONNECTIONS = 8
WORKERS, THREADS = 2, 4
UNLIMITED = "1000000/minute"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(folder: Path) -> str:
    """A URL by which another process opens the bench's database (copied to a file first when
    it is SQLite in memory)."""
    real = connections[connection.alias]
    real.ensure_connection()
    data = real.settings_dict
    if real.vendor == "sqlite":
        if real.is_in_memory_db():
            path = folder / "bench.sqlite3"
            started = time.perf_counter()
            target = sqlite3.connect(path)
            try:
                real.connection.backup(target)
            finally:
                target.close()
            print(
                f"  throughput: the in-memory database copied to a file for the server in "
                f"{time.perf_counter() - started:.1f} s"
            )
            return f"sqlite:///{path}"
        return f"sqlite:///{data['NAME']}"
    if real.vendor == "postgresql":
        user = quote(data.get("USER") or "", safe="")
        password = quote(data.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = data.get("HOST") or "127.0.0.1"
        port = f":{data['PORT']}" if data.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(data['NAME'], safe='')}"
    raise RuntimeError(f"the throughput benchmark cannot serve a {real.vendor} database")


def _server_env(database_url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="insieme.ops.bench_settings",
        DATABASE_URL=database_url,
        INSIEME_SECRET_KEY=settings.SECRET_KEY,  # the sessions made here must hold there
        INSIEME_DEBUG="false",
        INSIEME_PRODUCTION="false",
        INSIEME_METRICS_DIR=str(folder / "metrics"),
        # The figure is the page's cost, not the rate limits' (they would answer 429).
        INSIEME_API_RATE_KEY=UNLIMITED,
        INSIEME_API_RATE_USER=UNLIMITED,
        INSIEME_API_RATE_ADDRESS=UNLIMITED,
        INSIEME_OPEN311_RATE_KEY=UNLIMITED,
        INSIEME_OPEN311_RATE_ADDRESS=UNLIMITED,
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(env: dict[str, str], port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "django",
            "serve",
            "--no-collectstatic",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the bench's server ended at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    raise RuntimeError("the bench's server did not answer /healthz within 90 s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _load(url: str, seconds: float, warm_up: float, cookie: str | None) -> dict:
    argv = [
        sys.executable,
        "-m",
        "insieme.ops.httpload",
        url,
        "--seconds",
        str(seconds),
        "--connections",
        str(CONNECTIONS),
        "--warm-up",
        str(warm_up),
        "--header",
        "Accept-Language: en",
    ]
    if cookie:
        argv += ["--header", f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout)


def targets(pages: list, case: Case) -> list[tuple[str, str, str | None]]:
    """(name, path, who is signed in) of what is measured: the bare view first, then the main
    pages (insieme.cases.bench_pages) and the APIs, about `case`."""
    slug = case.administration.slug
    return [
        ("bare", "/__bench/bare", None),
        *pages,
        ("api_cases", "/api/v1/cases/?page_size=50", "officer"),
        ("open311_services", f"/open311/v2/services.json?jurisdiction_id={slug}", None),
        ("open311_requests", f"/open311/v2/requests.json?jurisdiction_id={slug}", None),
    ]


def measure(seconds: float, warm_up: float = 1.0) -> list[tuple[str, dict]]:
    """[(name, httpload's result)] for every target, the bare view first."""
    pages, case = _pages()
    chosen = targets(pages, case)
    people = {"citizen": case.submitted_by, "officer": _officer_of(case)}
    cookies = {who: _session_cookie(user) for who, user in people.items()}
    var = Path(settings.VAR_DIR) / "bench"
    var.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(dir=var, prefix="http-") as tmp:
        folder = Path(tmp)
        env = _server_env(_database_url(folder), folder)
        port = _free_port()
        with open(folder / "server.log", "w") as log:
            server = _start(env, port, log)
            try:
                for name, path, who in chosen:
                    result = _load(
                        f"http://127.0.0.1:{port}{path}", seconds, warm_up, cookies.get(who or "")
                    )
                    wrong = {s: n for s, n in result["statuses"].items() if s != "200"}
                    if wrong:
                        raise RuntimeError(
                            f"throughput of {name} ({path}): answers other than 200: {wrong}"
                        )
                    if not result["requests"]:
                        raise RuntimeError(f"throughput of {name} ({path}): no answer in time")
                    results.append((name, result))
            finally:
                _stop(server)
    return results


def run(size: str) -> list[BenchLine]:
    seconds = float(os.environ.get("BENCH_HTTP_SECONDS", "10" if size == "full" else "5"))
    n = Case.objects.count()
    results = measure(seconds)
    bare = results[0][1]["rps"]
    print(
        f"  throughput ({WORKERS} gunicorn processes x {THREADS} threads, {CONNECTIONS} "
        f"connections, {seconds:g} s each):"
    )
    for name, result in results:
        print(
            f"    {name:<18} {result['rps']:8.1f} req/s   p50 {result['p50_ms']:7.1f} ms   "
            f"p95 {result['p95_ms']:7.1f} ms"
        )
    return [BenchLine(f"http_rps_{name}", r["rps"], "req/s", n, bare) for name, r in results[1:]]


BENCHMARK = Benchmark(key="api.throughput", run=run, app="api")
