"""/metrics: Prometheus counters of requests (by method, route name and status class), tasks and
database connection errors, gauges of the broker queue and the SLA job's lag; the same totals
whichever process answers the scrape; only for this machine or a caller with the token."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError

from insieme.cases import tasks as case_tasks
from insieme.celery import app
from insieme.ops import jobs
from tests.ops.conftest import closed_port, sample, samples, scrape, served

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-0123456789abcdef0123"
REQUESTS = "insieme_http_requests_total"


@app.task(name="tests.ops.loses_the_database")
def loses_the_database():
    raise OperationalError("server closed the connection unexpectedly")


@app.task(name="tests.ops.fails")
def fails():
    raise ValueError("a bug")


def test_a_request_is_counted_with_its_route_name_and_status_class(client, db):
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/services/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = scrape(client)

    def grew(route: str, status: str) -> float:
        labels = {"method": "GET", "route": route, "status": status}
        return sample(after, REQUESTS, **labels) - (sample(before, REQUESTS, **labels) or 0)

    assert grew("healthz", "2xx") == 1
    assert grew("api:services", "2xx") == 1  # the pattern's name, never the raw path
    assert grew("unmatched", "4xx") == 1
    assert not any("no-such-page" in str(key) for key in samples(after))
    bucket = {"method": "GET", "route": "healthz", "status": "2xx", "le": "+Inf"}
    count = "insieme_http_request_duration_seconds_bucket"
    assert sample(after, count, **bucket) - (sample(before, count, **bucket) or 0) == 1
    assert sample(after, "insieme_http_requests_in_flight") == 1  # the scrape itself


def test_metrics_are_for_this_machine_or_a_token_holder(client, db, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    outsider = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", **outsider).status_code == 404
    # A proxy on this machine passes other people's requests from the loopback address.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    bearer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **outsider)
    assert bearer.status_code == 200
    assert bearer["Content-Type"].startswith("text/plain")
    assert "no-store" in bearer["Cache-Control"]
    assert client.get("/metrics", HTTP_X_METRICS_TOKEN=TOKEN, **outsider).status_code == 200
    assert client.get("/metrics", HTTP_X_METRICS_TOKEN="wrong", **outsider).status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}", **outsider).status_code == 404
    )
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **outsider).status_code == 404


def test_task_outcomes_and_database_connection_errors_are_counted(client, db, settings):
    settings.ROOT_URLCONF = "tests.ops.urls_failing"
    before = scrape(client)
    assert loses_the_database.apply(throw=False).failed()
    assert fails.apply(throw=False).failed()
    client.raise_request_exception = False
    assert client.get("/database-gone/").status_code == 503  # insieme.ops.outage
    after = scrape(client)

    def grew(name: str, **labels) -> float:
        return sample(after, name, **labels) - (sample(before, name, **labels) or 0)

    tasks = "insieme_celery_tasks_total"
    assert grew(tasks, task="tests.ops.loses_the_database", outcome="failure") == 1
    assert grew(tasks, task="tests.ops.fails", outcome="failure") == 1
    errors = "insieme_db_connection_errors_total"
    assert grew(errors, source="task") == 1  # the ValueError is no connection error
    assert grew(errors, source="request") == 1
    status = {"method": "GET", "route": "database_gone", "status": "5xx"}
    assert grew(REQUESTS, **status) == 1


def test_the_sla_jobs_lag_is_the_time_since_its_last_success(client, db):
    text = scrape(client)
    assert sample(text, "insieme_sla_tick_lag_seconds") is None  # never ran: absent

    assert case_tasks.sla_tick.apply().successful()  # as the worker runs it (beat)
    text = scrape(client)
    last = jobs.last_success(jobs.SLA_TICK)
    assert sample(text, "insieme_sla_tick_last_success_timestamp_seconds") == last.timestamp()
    assert 0 <= sample(text, "insieme_sla_tick_lag_seconds") < 3600
    success = {"task": "insieme.cases.tasks.sla_tick", "outcome": "success"}
    assert sample(text, "insieme_celery_tasks_total", **success) >= 1

    call_command("sla_tick", stdout=open(os.devnull, "w"))  # as cron runs it  # noqa: SIM115
    assert jobs.last_success(jobs.SLA_TICK) > last


def test_the_queue_length_is_read_from_the_redis_broker(client, db, settings, redis_url):
    from kombu import Connection, Queue

    queue = f"insieme-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with Connection(redis_url) as conn:
        producer = conn.Producer()
        try:
            for priority in (0, 0, 5, 9):  # kombu keeps one list per priority step
                producer.publish(
                    {"n": priority}, routing_key=queue, declare=[Queue(queue)], priority=priority
                )
            text = scrape(client)
            assert sample(text, "insieme_celery_queue_length", queue=queue) == 4
            assert conn.default_channel.queue_purge(queue) == 4  # kombu counts them alike
            assert sample(scrape(client), "insieme_celery_queue_length", queue=queue) == 0
        finally:
            conn.default_channel.queue_purge(queue)
            conn.default_channel.queue_delete(queue)

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    text = scrape(client)  # a broker away: the gauge is missing, the scrape still answers
    assert sample(text, "insieme_celery_queue_length", queue=queue) is None


# --- several processes ---------------------------------------------------------------------

CHILD = r"""
import sys
import django

django.setup()
from django.test import Client

if sys.argv[1] == "web":
    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(int(sys.argv[2])):
        assert client.get("/healthz").status_code == 200
else:
    from insieme.cases.tasks import sla_tick

    assert sla_tick.apply().successful()
"""


def _child(kind: str, folder: Path, database_url: str, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "insieme.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "DATABASE_URL": database_url,
        "INSIEME_SECRET_KEY": "test-only-secret-key-for-the-metrics-check-0123456789",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.once
def test_counts_of_separate_processes_add_up(client, db, settings, tmp_path, migrated_sqlite):
    """Two web processes and a worker process write their own files under one folder; a scrape
    shows their sums (prometheus_client's multiprocess mode, as under `insieme serve`)."""
    settings.METRICS_DIR = tmp_path
    for folder in ("web", "worker"):
        (tmp_path / folder).mkdir()
    children = [
        _child("web", tmp_path / "web", migrated_sqlite, "3"),
        _child("web", tmp_path / "web", migrated_sqlite, "4"),
        _child("worker", tmp_path / "worker", migrated_sqlite),
    ]
    for child in children:
        output = child.communicate(timeout=120)[0].decode(errors="replace")
        assert child.returncode == 0, output
    assert len(list((tmp_path / "web").glob("counter_*.db"))) == 2

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "web")  # as in a gunicorn worker
    try:
        text = scrape(client)
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert sample(text, REQUESTS, method="GET", route="healthz", status="2xx") == 7
    bucket = {"method": "GET", "route": "healthz", "status": "2xx", "le": "+Inf"}
    assert sample(text, "insieme_http_request_duration_seconds_bucket", **bucket) == 7
    assert sample(text, "insieme_http_requests_in_flight") == 0
    success = {"task": "insieme.cases.tasks.sla_tick", "outcome": "success"}
    assert sample(text, "insieme_celery_tasks_total", **success) == 1
    # The test process's own counters are not files: they are not in this scrape.
    assert sample(text, REQUESTS, method="GET", route="metrics", status="2xx") is None


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our server
        return response.status, dict(response.headers), response.read()


@pytest.mark.once
def test_insieme_serve_with_two_workers_shows_the_same_totals_to_every_scrape(
    tmp_path, migrated_sqlite
):
    metrics_dir = tmp_path / "metrics"
    (metrics_dir / "web").mkdir(parents=True)
    (metrics_dir / "web" / "counter_999999999.db").write_bytes(b"left by an earlier run")
    with served(tmp_path, migrated_sqlite, workers=2, INSIEME_METRICS_DIR=str(metrics_dir)) as (
        base,
        proc,
    ):
        # A route nothing else asks for (the start-up wait polls /healthz, and a poll given up
        # on may still be counted after the first scrape).
        first = _get(f"{base}/metrics")[2].decode()
        before = sample(first, REQUESTS, method="GET", route="favicon", status="2xx") or 0
        ids = []
        for _ in range(30):
            status, headers, _body = _get(f"{base}/favicon.ico")
            assert status == 200
            ids.append(headers["X-Request-ID"])
        assert len(set(ids)) == 30
        totals = set()
        for _ in range(6):
            text = _get(f"{base}/metrics")[2].decode()
            totals.add(sample(text, REQUESTS, method="GET", route="favicon", status="2xx"))
        # The same 30 more, whichever worker answered (both had some, unless the kernel gave
        # every connection to one: the subprocess test above shows the sum deterministically).
        assert totals == {before + 30}, (before, totals)
        assert not (metrics_dir / "web" / "counter_999999999.db").exists()
        status, _headers, body = _get(f"{base}/readyz")
        assert status == 200 and json.loads(body)["status"] == "ok"
    log = proc.stdout.read().decode(errors="replace")
    assert ids[-1] in log  # the access log line of that request ends with its id


@pytest.mark.once
def test_the_commands_can_still_choose_the_multiprocess_mode_after_start_up():
    """`insieme worker` points PROMETHEUS_MULTIPROC_DIR at its folder after Django has started
    and run its checks (which import every URL): prometheus_client, which reads the variable
    once, when first imported, must not have been imported by then."""
    code = (
        "import sys, django; django.setup(); import insieme.urls;"
        "from django.core import checks; checks.run_checks(include_deployment_checks=True);"
        "print('imported' if 'prometheus_client' in sys.modules else 'not imported')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "insieme.settings"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "not imported", result.stderr


def test_the_grafana_dashboard_reads_metrics_that_exist(client, db, settings, redis_url):
    settings.ROOT_URLCONF = "tests.ops.urls_failing"
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_DEFAULT_QUEUE = f"insieme-test-{uuid.uuid4().hex[:8]}"
    client.raise_request_exception = False
    client.get("/database-gone/")  # a request, a 5xx and a database connection error
    fails.apply(throw=False)  # a task outcome
    case_tasks.sla_tick.apply()  # the SLA job's lag
    text = scrape(client)
    exposed = {name for name, _labels in samples(text)}
    dashboard = (ROOT / "deploy" / "grafana" / "insieme.json").read_text()
    json.loads(dashboard)
    used = set(re.findall(r"insieme_[a-z_]+", dashboard))
    assert used, "the dashboard reads no metric"
    assert used <= exposed, used - exposed
