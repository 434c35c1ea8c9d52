"""Helpers of the operations tests: a real Redis (never a mock), closed ports, parsed metrics."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

REDIS_URL = os.environ.get("INSIEME_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url() -> str:
    """The Redis every development machine and CI runs; outside CI a Redis that does not answer
    skips the test with the reason, in CI (CI=true) it fails it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable", with its reason
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {exc}", pytrace=False)
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {exc}")
    return REDIS_URL


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, ((label, value), ...)): value} of a Prometheus text exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def sample(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@contextlib.contextmanager
def served(tmp_path, database_url: str, workers: int, **env_vars: str):
    """`insieme serve` (real gunicorn) on a free port with `workers` processes, on the given
    database, static files uncollected; yields (base URL, process) once /healthz answers. The
    process's output is left unread for the test to read after the server stops."""
    static = tmp_path / "static"
    static.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSIEME_SECRET_KEY": "test-only-secret-key-for-the-ops-checks-0123456789",
        "INSIEME_STATIC_ROOT": str(static),
        "INSIEME_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "INSIEME_DEBUG": "false",
        **env_vars,
    }
    for name in ("DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    if "INSIEME_LOG_FORMAT" not in env_vars:
        env.pop("INSIEME_LOG_FORMAT", None)
    port = closed_port()
    root = Path(__file__).resolve().parent.parent.parent
    exe = Path(sys.executable).with_name("insieme")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", str(workers), "--no-collectstatic"],
        env=env,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.5)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
