"""Logs: every line carries the request's id (the one on the response's X-Request-ID) or the
task's; INSIEME_LOG_FORMAT=json makes each line a JSON object; keys and tokens in URLs never
reach a log, in either format."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from insieme.celery import app
from insieme.ops.logs import ContextFilter, JsonFormatter, TextFormatter
from tests.ops.conftest import served

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "ins_NotInTheLog0123456789abcdefghijklmnopqrstuv"


@pytest.fixture(params=["json", "text"])
def log_lines(request):
    """The lines the console handler of settings.LOGGING would write, in either format."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if request.param == "json" else TextFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield request.param, lambda: stream.getvalue().splitlines()
    finally:
        root.removeHandler(handler)


@app.task(name="tests.ops.logs_a_line")
def logs_a_line():
    logging.getLogger("tests.ops").warning("inside the task")


def test_a_log_line_carries_the_id_the_response_names(client, db, log_lines):
    fmt, lines = log_lines
    response = client.get(f"/no-such-page/{API_KEY}/?api_key={API_KEY}&token=abc123secret")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in lines() if "Not Found" in line]
    if fmt == "json":
        record = json.loads(line)
        assert record["request_id"] == request_id
        assert record["level"] == "WARNING" and record["logger"] == "django.request"
        assert record["message"] == "Not Found: /no-such-page/ins_[masked]/"
        assert record["status_code"] == 404
        assert record["time"].endswith("+00:00")
        assert "request" not in record  # Django's request object: the id stands for it
    else:
        assert f"[{request_id}]" in line and "WARNING django.request" in line
    output = "\n".join(lines())
    assert API_KEY not in output and API_KEY[4:] not in output
    assert "abc123secret" not in output


def test_anything_logged_with_a_key_in_it_is_masked(log_lines):
    fmt, lines = log_lines
    log = logging.getLogger("tests.ops")
    log.warning("calling %s", f"https://example.org/open311/v2/requests.json?api_key={API_KEY}&x=1")
    log.warning("extra fields too", extra={"url": f"/x?access_token={API_KEY}", "n": 3})
    try:
        raise ValueError(f"a failure at /x?api_key={API_KEY}")
    except ValueError:
        log.exception("with a traceback")
    output = "\n".join(lines())
    assert API_KEY not in output and API_KEY[4:] not in output
    assert "api_key=[masked]&x=1" in output
    if fmt == "json":
        records = [json.loads(line) for line in lines() if line.startswith("{")]
        assert records[1]["url"] == "/x?access_token=[masked]" and records[1]["n"] == 3
        assert "ValueError" in records[2]["exc_info"]
        assert all("request_id" not in r for r in records)  # outside any request


def test_a_sane_request_id_is_kept_and_any_other_replaced(client, db):
    kept = "4bf92f3577b34da6a3ce929d0e0e4736"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=kept)["X-Request-ID"] == kept
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=trace)["X-Request-ID"] == trace
    for bad in ("x" * 129, "abc\x01def", "two words", "", "line\nbreak", "ø"):
        given = client.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert given != bad and len(given) == 32 and given.isalnum()
    one, two = client.get("/healthz"), client.get("/healthz")
    assert one["X-Request-ID"] != two["X-Request-ID"]


def test_a_tasks_log_line_carries_the_task_id(log_lines):
    fmt, lines = log_lines
    logs_a_line.apply(task_id="task-0123")
    [line] = [line for line in lines() if "inside the task" in line]
    if fmt == "json":
        record = json.loads(line)
        assert record["task_id"] == "task-0123"
        assert record["task_name"] == "tests.ops.logs_a_line"
    else:
        assert "[task-0123]" in line


@pytest.mark.once
def test_an_unknown_log_format_stops_the_start():
    env = {**os.environ, "INSIEME_LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "insieme.settings"}
    exe = Path(sys.executable).with_name("insieme")
    result = subprocess.run(
        [str(exe), "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "INSIEME_LOG_FORMAT must be text or json, not 'xml'" in result.stderr


@pytest.mark.once
def test_insieme_serve_writes_json_lines_with_request_ids(tmp_path, migrated_sqlite):
    with served(
        tmp_path,
        migrated_sqlite,
        workers=1,
        INSIEME_METRICS_DIR=str(tmp_path / "metrics"),
        INSIEME_LOG_FORMAT="json",
    ) as (base, proc):
        request = urllib.request.Request(  # noqa: S310 - our own server
            f"{base}/no-such-page/?api_key={API_KEY}", headers={"X-Request-ID": "trace-abc123"}
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - our own server
        assert answer.value.code == 404
        assert answer.value.headers["X-Request-ID"] == "trace-abc123"
    output = proc.stdout.read().decode(errors="replace")
    assert API_KEY not in output and API_KEY[4:] not in output
    lines = [line for line in output.splitlines() if line.strip()]
    banner = [line for line in lines if line.startswith("Insieme serving on")]
    records = [json.loads(line) for line in lines if line not in banner]  # all JSON
    mine = [r for r in records if r.get("request_id") == "trace-abc123"]
    access = [r for r in mine if r["logger"] == "gunicorn.access"]
    assert access and access[0]["path"] == "/no-such-page/?api_key=[masked]"
    assert access[0]["status"] == 404 and access[0]["method"] == "GET"
    assert [r for r in mine if r["logger"] == "django.request"]
    assert any(r["logger"] == "gunicorn.error" for r in records)  # its start-up lines too
