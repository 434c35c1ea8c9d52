"""The throughput benchmark (insieme/api/bench_throughput.py): its load generator counts what it
is answered, its bare view exists only in the benchmark's server, and a run serves the test
database through `insieme serve` and prints lines a script can read."""

from __future__ import annotations

import http.server
import re
import subprocess
import sys
import threading

import pytest

from insieme.api import bench_throughput
from insieme.core.registry import benchmarks
from insieme.ops import httpload

LINE = re.compile(
    r"^bench http_rps_(?P<name>[a-z0-9_]+) value=(?P<value>[0-9.e+-]+) unit=req/s "
    r"baseline=(?P<baseline>[0-9.e+-]+) ratio=(?P<ratio>[0-9.e+-]+) n=(?P<n>\d+)$"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # persistent connections, as the generator uses them

    def do_GET(self):  # noqa: N802 - the standard library's name
        status = 200 if self.headers.get("X-Ok") == "yes" else 403
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/x?y=1"
    server.shutdown()
    server.server_close()


def test_the_generator_counts_answers_by_status(local_server):
    ok = httpload.measure(local_server, 0.3, 2, {"X-Ok": "yes"}, warm_up=0.1)
    assert ok["requests"] > 0 and ok["statuses"] == {"200": ok["requests"]}
    assert ok["rps"] == pytest.approx(ok["requests"] / 0.3)
    assert 0 < ok["p50_ms"] <= ok["p95_ms"]
    refused = httpload.measure(local_server, 0.2, 1, {}, warm_up=0)
    assert set(refused["statuses"]) == {"403"}


def test_the_generator_counts_a_server_that_is_not_there_as_errors():
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    result = httpload.measure(f"http://127.0.0.1:{port}/", 0.2, 1, {}, warm_up=0)
    assert result["statuses"].keys() == {"error"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["http://127.0.0.1:1/", "--header", "no colon"], "a header is 'Name: value'"),
        (["http://127.0.0.1:1/", "--seconds", "0"], "--seconds must be above 0"),
        (["http://127.0.0.1:1/", "--connections", "0"], "--connections at least 1"),
        (["http://127.0.0.1:1/", "--warm-up", "-1"], "--warm-up not below 0"),
        (["https://127.0.0.1:1/"], "only http:// URLs"),
        (["http://127.0.0.1:1/", "--seconds", "many"], "invalid float value"),
    ],
)
def test_the_generator_refuses_bad_arguments_with_one_message(argv, message):
    done = subprocess.run(
        [sys.executable, "-m", "insieme.ops.httpload", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("value", ["", "ten", "0", "-1", "nan", "inf"])
def test_bench_http_seconds_other_than_a_positive_number_stops_with_one_line(value, monkeypatch):
    monkeypatch.setenv("BENCH_HTTP_SECONDS", value)
    with pytest.raises(SystemExit) as stopped:
        bench_throughput.http_seconds("small")
    assert str(stopped.value) == (
        f"BENCH_HTTP_SECONDS must be a number of seconds above 0, not {value!r}"
    )


def test_bench_http_seconds_defaults_by_size(monkeypatch):
    monkeypatch.delenv("BENCH_HTTP_SECONDS", raising=False)
    assert bench_throughput.http_seconds("full") == 10
    assert bench_throughput.http_seconds("small") == 5
    monkeypatch.setenv("BENCH_HTTP_SECONDS", "2.5")
    assert bench_throughput.http_seconds("small") == 2.5


def test_the_bare_view_is_not_mounted_outside_the_benchmark(client, db):
    assert client.get("/__bench/bare").status_code == 404


def test_the_benchmark_is_registered():
    assert benchmarks.get("api.throughput") is bench_throughput.BENCHMARK


@pytest.mark.django_db(transaction=True)  # committed, so that the server's processes see it
def test_a_run_serves_every_page_and_api_with_200s(charlie_case, roberto, monkeypatch, capsys):
    """End to end on a tiny database (Charlie's public report, Roberto its department's
    officer): a server of its own answers every target with 200 (the run stops at any other
    status), and each figure is a line with the bare view's baseline."""
    monkeypatch.setenv("BENCH_HTTP_SECONDS", "0.5")
    # `make bench` collects the static files first; here the server's pages name them without
    # the hashed manifest (a fresh clone has none), which is not what this test is about.
    monkeypatch.setenv(
        "INSIEME_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    monkeypatch.setattr(bench_throughput, "measure", _quick(bench_throughput.measure))
    lines = bench_throughput.run("small")
    report = capsys.readouterr().out
    assert "2 gunicorn processes x 4 threads" in report
    matches = [LINE.match(line.format()) for line in lines]
    assert all(matches), [line.format() for line in lines]
    names = {m["name"] for m in matches}
    assert {"home", "public_case", "queue", "case_page", "api_cases", "open311_requests"} <= names
    baselines = {m["baseline"] for m in matches}
    assert len(baselines) == 1 and float(baselines.pop()) > 0
    assert {int(m["n"]) for m in matches} == {1}


def _quick(measure):
    def quick(seconds, warm_up=1.0):
        return measure(seconds, warm_up=0)

    return quick


def test_a_page_that_answers_nothing_in_the_window_is_a_figure_of_zero(db, monkeypatch, capsys):
    """A page too slow to answer once within the window does not stop the run (the other pages
    are still measured): its figure is 0 requests per second, said as such."""

    def answered(rps):
        return {"requests": int(rps * 10), "rps": rps, "p50_ms": 5.0, "p95_ms": 9.0}

    silent = {"requests": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None, "statuses": {}}
    monkeypatch.setattr(
        bench_throughput,
        "measure",
        lambda seconds: [("bare", answered(900.0)), ("home", silent), ("queue", answered(20.0))],
    )
    lines = bench_throughput.run("small")
    assert [(line.name, line.value) for line in lines] == [
        ("http_rps_home", 0.0),
        ("http_rps_queue", 20.0),
    ]
    assert (
        "home                    0.0 req/s   (no answer in the window)" in capsys.readouterr().out
    )
