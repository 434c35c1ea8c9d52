"""`make bench` figures of throughput: requests per second of the main pages and APIs, served
as production serves them, against a bare Django view measured the same way in the same run.

The bench's throw-away database is served by `insieme serve` (gunicorn, DEBUG off, whitenoise,
every middleware; 2 processes of 4 threads, the settings of insieme.ops.bench_settings, which
only add the bare view's URL) in processes of their own (insieme.ops.benchserver: an in-memory
SQLite database is copied to a file first; the rate limits are lifted), with the home page's
headline figures in a Scorecard snapshot, as the worker keeps them in production. The load
comes from insieme.ops.httpload, another process on the same cores: 8 persistent connections,
each asking again as soon as it is answered, for BENCH_HTTP_SECONDS (10 at full size, 5 small)
per URL after a second of warm-up. Signed-in pages carry a session cookie of the person who
would see them (a citizen who filed the case shown, an officer of its department).

`http_rps_<name>` is the requests per second answered; its baseline is the bare view's, so the
ratio is the share of Django's own throughput the page keeps (below 1: slower). Any answer
other than 200 stops the run: a rate limit or an error page would be measured as fast. A page
that answers nothing within the window is a figure of 0 requests per second, and the run goes
on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from django.conf import settings

from insieme.cases.bench_pages import _officer_of, _pages, _session_cookie
from insieme.cases.models import Case
from insieme.core.registry import BenchLine, Benchmark
from insieme.ops import benchserver

CONNECTIONS = 8
WORKERS, THREADS = 2, 4


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


def store_headline_snapshot() -> None:
    """The home page's headline figures stored as the worker keeps them in production (a
    snapshot of the installation's scope, in English, the language the load asks for): the
    page reads them rather than computing them over every case (seconds at a million)."""
    from django.utils import translation

    from insieme.core.registry import indicators
    from insieme.insights import home, snapshots

    scope = home.installation_scope()
    if scope is None or snapshots.max_age() <= 0:
        return
    started = time.perf_counter()
    with translation.override("en"):
        snapshots.results(scope, [i for i in indicators if i.headline], fresh=True)
    took = time.perf_counter() - started
    print(
        f"  throughput: the home page's headline figures stored, as the worker would, in {took:.1f} s"
    )


def measure(seconds: float, warm_up: float = 1.0) -> list[tuple[str, dict]]:
    """[(name, httpload's result)] for every target, the bare view first."""
    store_headline_snapshot()
    pages, case = _pages()
    chosen = targets(pages, case)
    people = {"citizen": case.submitted_by, "officer": _officer_of(case)}
    cookies = {who: _session_cookie(user) for who, user in people.items()}
    results = []
    started = time.perf_counter()
    with benchserver.database_url() as url:
        copied = time.perf_counter() - started
        if url.startswith("sqlite") and copied > 1:
            print(f"  throughput: the database copied to a file for the server in {copied:.1f} s")
        server_settings = {"DJANGO_SETTINGS_MODULE": "insieme.ops.bench_settings"}
        with benchserver.serving(
            url, workers=WORKERS, threads=THREADS, env=server_settings
        ) as port:
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
                    # A figure too: 0 answered in the window (the run goes on to the others).
                    print(
                        f"  throughput of {name} ({path}): no answer within {warm_up + seconds:g} s",
                        file=sys.stderr,
                    )
                results.append((name, result))
    return results


def http_seconds(size: str) -> float:
    """BENCH_HTTP_SECONDS, else 10 at full size and 5 small; anything but a number above 0
    stops `make bench` with one line naming it."""
    text = os.environ.get("BENCH_HTTP_SECONDS", "10" if size == "full" else "5")
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise SystemExit(f"BENCH_HTTP_SECONDS must be a number of seconds above 0, not {text!r}")
    return seconds


def run(size: str) -> list[BenchLine]:
    seconds = http_seconds(size)
    n = Case.objects.count()
    results = measure(seconds)
    bare = results[0][1]["rps"]
    print(
        f"  throughput ({WORKERS} gunicorn processes x {THREADS} threads, {CONNECTIONS} "
        f"connections, {seconds:g} s each):"
    )
    for name, result in results:
        if not result["requests"]:
            print(f"    {name:<18} {0:8.1f} req/s   (no answer in the window)")
            continue
        print(
            f"    {name:<18} {result['rps']:8.1f} req/s   p50 {result['p50_ms']:7.1f} ms   "
            f"p95 {result['p95_ms']:7.1f} ms"
        )
    return [BenchLine(f"http_rps_{name}", r["rps"], "req/s", n, bare) for name, r in results[1:]]


BENCHMARK = Benchmark(key="api.throughput", run=run, app="api")
