"""Every documented rate limit holds exactly under `insieme serve` with two worker processes.

The test starts the real production server (gunicorn, two workers) on a free loopback port,
against a database prepared here (SQLite: a file copy of the test database; PostgreSQL under
DATABASE_URL: the test database itself), with small limits from the environment so that a burst
takes a second. Each burst fires more requests than the limit from eight threads at once, so both
workers answer and race for the last slots: exactly the limit must pass, the rest get 429 with
Retry-After. It runs once with the default store (the database) and once with Redis (REDIS_URL).
With per-process counters (the code before this test) the same bursts let up to twice through.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from insieme.core import actions
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("INSIEME_TEST_RATELIMIT_REDIS_URL", "redis://127.0.0.1:6379/14")
LIMITS = {  # distinct numbers, so that one limit counting another's requests would show
    "INSIEME_API_RATE_ADDRESS": "7/minute",
    "INSIEME_API_RATE_KEY": "9/minute",
    "INSIEME_API_RATE_USER": "8/minute",
    "INSIEME_OPEN311_RATE_ADDRESS": "6/minute",
    "INSIEME_OPEN311_RATE_KEY": "5/minute",
    "INSIEME_LOGIN_RATE_LIMIT": "4",
}
EXTRA = 7  # requests beyond the limit in each burst
Answer = tuple[int, list[tuple[str, str]], bytes]


def limit(name: str) -> int:
    return int(LIMITS[name].split("/")[0])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """A URL other processes can open, holding what this test committed."""
    if connection.vendor == "sqlite":
        target = tmp_path / "served.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next(v for k, v in headers if k.lower() == name.lower())


def _cookies(headers: list[tuple[str, str]]) -> str:
    """The Cookie header a browser would send back after these Set-Cookie headers."""
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


class Server:
    """`insieme serve` with two workers in its own process group, stopped by stop()."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        insieme = shutil.which("insieme", path=str(Path(sys.executable).parent))
        assert insieme, "the insieme console script is not installed"
        base = {
            k: v for k, v in os.environ.items() if not k.startswith("INSIEME_") and k != "REDIS_URL"
        }
        full_env = {
            **base,
            "INSIEME_SECRET_KEY": "test-" + uuid.uuid4().hex,
            "INSIEME_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "INSIEME_WEBHOOKS_DISPATCH": "manual",
            **env,
        }
        self.log = open(tmp_path / "server.log", "w+b")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603
            [insieme, "serve", "--no-collectstatic", "--port", str(self.port), "--workers", "2"],
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if self.request("GET", "/healthz")[0] == 200 and len(self.worker_pids()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail("the server did not start:\n" + self.output())

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def request(self, method: str, path: str, body=None, headers=None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def burst(self, count: int, method: str, path: str, body=None, headers=None) -> list[Answer]:
        """`count` requests at once from eight threads."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(self.request, method, path, body, headers) for _ in range(count)]
            return [f.result() for f in futures]

    def worker_pids(self) -> set[int]:
        out = subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return {int(p) for p in out.split()}

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def _redis_unreachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable", with its reason
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(params=["database", "redis"])
def store_env(request) -> dict[str, str]:
    if request.param == "database":
        return {}
    problem = _redis_unreachable()
    if problem:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {problem}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {problem}")
    prefix = "insieme-test-serve-" + uuid.uuid4().hex[:8]
    return {"REDIS_URL": REDIS_URL, "INSIEME_RATELIMIT_PREFIX": prefix}


def _statuses(answers: list[Answer]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status, _headers, _body in answers:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _exactly(answers: list[Answer], passed: int, server: Server) -> bytes:
    """Exactly `passed` answers 200, the others 429 with Retry-After; the first 429's body."""
    assert _statuses(answers) == {200: passed, 429: EXTRA}, server.output()[-3000:]
    refused = [a for a in answers if a[0] == 429]
    for _status, headers, _body in refused:
        assert int(_header(headers, "Retry-After")) >= 1
    return refused[0][2]


def _login_form(server: Server) -> tuple[str, str]:
    """(csrf cookie, form token) from the login page, as a browser gets them."""
    status, headers, body = server.request("GET", "/accounts/login/")
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return _cookies(headers), token


def _login_post(email: str, password: str, cookie: str, token: str) -> tuple[bytes, dict]:
    form = urlencode({"csrfmiddlewaretoken": token, "email": email, "password": password})
    return form.encode(), {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}


def test_every_documented_limit_holds_exactly_across_two_workers(
    tmp_path, settings, store_env, montalto
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the server's
    _key, raw_key = actions.create_api_key(None, montalto, name="probe", scopes=["cases:read"])
    make_user("probe@example.org", "Probe Person")
    server = Server(tmp_path, {"DATABASE_URL": _database_url(tmp_path), **LIMITS, **store_env})
    try:
        # REST API: anonymous callers per address, API keys per key.
        api = "/api/v1/administrations/"
        answers = server.burst(limit("INSIEME_API_RATE_ADDRESS") + EXTRA, "GET", api)
        refused = _exactly(answers, limit("INSIEME_API_RATE_ADDRESS"), server)
        assert json.loads(refused)["error"]["code"] == "throttled"
        bearer = {"Authorization": f"Bearer {raw_key}"}
        answers = server.burst(limit("INSIEME_API_RATE_KEY") + EXTRA, "GET", api, None, bearer)
        _exactly(answers, limit("INSIEME_API_RATE_KEY"), server)

        # Open311: per address without a key, per key with one; errors in the spec's format.
        answers = server.burst(
            limit("INSIEME_OPEN311_RATE_ADDRESS") + EXTRA, "GET", "/open311/v2/discovery.json"
        )
        refused = _exactly(answers, limit("INSIEME_OPEN311_RATE_ADDRESS"), server)
        assert json.loads(refused)[0]["code"] == 429
        with_key = "/open311/v2/discovery.xml?" + urlencode({"api_key": raw_key})
        answers = server.burst(limit("INSIEME_OPEN311_RATE_KEY") + EXTRA, "GET", with_key)
        _exactly(answers, limit("INSIEME_OPEN311_RATE_KEY"), server)

        # A person signs in (a success counts against nothing); then a burst of failed sign-ins
        # for that account from one address: 200 with the error up to the limit, then 429.
        cookie, token = _login_form(server)
        status, headers, _body = server.request(
            "POST", "/accounts/login/", *_login_post("probe@example.org", PASSWORD, cookie, token)
        )
        assert status == 302
        session = {"Cookie": _cookies(headers)}
        wrong = _login_post("probe@example.org", "not the password", cookie, token)
        answers = server.burst(
            limit("INSIEME_LOGIN_RATE_LIMIT") + EXTRA, "POST", "/accounts/login/", *wrong
        )
        _exactly(answers, limit("INSIEME_LOGIN_RATE_LIMIT"), server)

        # The REST API for a signed-in person: per person.
        answers = server.burst(limit("INSIEME_API_RATE_USER") + EXTRA, "GET", api, None, session)
        _exactly(answers, limit("INSIEME_API_RATE_USER"), server)
    finally:
        server.stop()


def test_documented_defaults_are_the_settings_defaults():
    """docs/configuration.md and docs/api.md state the limits the settings apply when the
    environment says nothing."""
    env = [k for k in os.environ if k in LIMITS or k == "INSIEME_LOGIN_RATE_WINDOW"]
    if env:
        pytest.skip(f"the environment sets {env}")
    docs = (Path(settings.BASE_DIR) / "docs" / "configuration.md").read_text()
    api_docs = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert (rates["api_key"], rates["api_user"], rates["api_address"]) == (
        "1200/minute",
        "300/minute",
        "120/minute",
    )
    row = "| `INSIEME_API_RATE_KEY` / `INSIEME_API_RATE_USER` / `INSIEME_API_RATE_ADDRESS` |"
    assert f"{row} `1200/minute` / `300/minute` / `120/minute` |" in docs
    assert "(`INSIEME_API_RATE_ADDRESS`, `120/minute`)" in api_docs
    row = "| `INSIEME_OPEN311_RATE_KEY` / `INSIEME_OPEN311_RATE_ADDRESS` |"
    assert f"{row} `{settings.OPEN311_RATE_KEY}` / `{settings.OPEN311_RATE_ADDRESS}` |" in docs
    row = "| `INSIEME_LOGIN_RATE_LIMIT` / `INSIEME_LOGIN_RATE_WINDOW` |"
    assert f"{row} `{settings.LOGIN_RATE_LIMIT}` / `{settings.LOGIN_RATE_WINDOW}` |" in docs
