"""Start-up checks: with INSIEME_PRODUCTION=true, what is unsafe or missing stops `insieme serve`
and `insieme worker` with a clear message; good settings pass; a laptop hears nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "Zq8rT1vX0pLm7sNa2bYc" * 3
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def production_issues() -> dict[str, str]:
    return {m.id: m.msg for m in checks.run_checks(tags=["production"])}


@pytest.fixture
def good(settings, monkeypatch):
    """Settings a production deployment may start with (PostgreSQL, Redis, a broker, HTTPS)."""
    for name in list(os.environ):
        if name.endswith("_FILE") or name in ("INSIEME_SITE_URL", "WEB_CONCURRENCY"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INSIEME_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("INSIEME_BASE_URL", "https://servizi.example.org")
    settings.PRODUCTION = True
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.ALLOWED_HOSTS = ["servizi.example.org"]
    settings.BASE_URL = "https://servizi.example.org"
    settings.HTTPS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql"},
    }
    return settings


def test_good_production_settings_pass(good):
    assert production_issues() == {}


@pytest.mark.parametrize("memory, passes", [(47104, 1), (9216, 4), (7168, 5), (102400, 2)])
def test_owasp_equivalent_argon2_settings_pass(good, memory, passes):
    good.INSIEME_ARGON2 = {"MEMORY_KIB": memory, "TIME_COST": passes, "PARALLELISM": 1}
    assert production_issues() == {}


def test_a_laptop_hears_nothing(settings, monkeypatch):
    settings.PRODUCTION = False
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.delenv("INSIEME_SECRET_KEY", raising=False)
    assert production_issues() == {}


@pytest.mark.parametrize(
    "change, expected_id, words",
    [
        ({"DEBUG": True}, "production.E001", "DEBUG is on"),
        ({"SECRET_KEY": "short-key"}, "production.E003", "SECRET_KEY is too short"),
        ({"SECRET_KEY": "ab" * 40}, "production.E003", "2 different"),
        ({"ALLOWED_HOSTS": ["servizi.example.org", "*"]}, "production.E004", "contains '*'"),
        ({"REDIS_URL": ""}, "production.W006", "REDIS_URL is not set"),
        ({"CELERY_BROKER_URL": ""}, "production.W007", "INSIEME_BROKER_URL is not set"),
        ({"HTTPS": False}, "production.E009", "INSIEME_HTTPS is off"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "production.E010",
            "consolemail://",
        ),
        (
            {"INSIEME_ARGON2": {"MEMORY_KIB": 19455, "TIME_COST": 2, "PARALLELISM": 1}},
            "production.E012",
            "19455 KiB and 2 pass(es)",
        ),
        (
            {"INSIEME_ARGON2": {"MEMORY_KIB": 65536, "TIME_COST": 2, "PARALLELISM": 0}},
            "production.E012",
            "0 lane(s)",
        ),
    ],
)
def test_each_unsafe_setting_is_named(good, change, expected_id, words):
    for name, value in change.items():
        setattr(good, name, value)
    issues = production_issues()
    assert set(issues) == {expected_id}, issues
    assert words in issues[expected_id]


def test_the_secret_key_must_come_from_the_deployment(good, monkeypatch):
    monkeypatch.delenv("INSIEME_SECRET_KEY")
    issues = production_issues()
    assert set(issues) == {"production.E002"}
    assert "generated into var/secret_key" in issues["production.E002"]
    key_file = Path(good.MEDIA_ROOT).parent / "secret_key"
    key_file.write_text(GOOD_KEY)
    monkeypatch.setenv("INSIEME_SECRET_KEY_FILE", str(key_file))
    assert production_issues() == {}


def test_the_base_url_must_be_given_and_https_used_beyond_this_machine(good, monkeypatch):
    monkeypatch.delenv("INSIEME_BASE_URL")
    assert set(production_issues()) == {"production.E008"}
    good.HTTPS = False
    good.BASE_URL = "http://127.0.0.1:8000"  # the address the server listens on: loopback
    assert set(production_issues()) == {"production.E008"}
    monkeypatch.setenv("INSIEME_BASE_URL", "http://[::1]:8000")
    good.BASE_URL = "http://[::1]:8000"
    assert production_issues() == {}


def test_sqlite_with_several_web_workers_is_warned_of(good, monkeypatch):
    good.DATABASES = {
        **good.DATABASES,
        "default": {**good.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"},
    }
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    issues = production_issues()
    assert set(issues) == {"production.W005"}
    assert "4 web workers" in issues["production.W005"]
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert production_issues() == {}


def _run(*argv: str, **env_changes: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_changes}
    for name in list(env):
        # DJANGO_ALLOW_ASYNC_UNSAFE: set in this process by the browser tests' Playwright, and
        # refused by Django's deployment checks; no deployment sets it.
        if name.endswith("_FILE") or name in (
            "DJANGO_SETTINGS_MODULE",
            "INSIEME_SITE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        ):
            env.pop(name)
    for name in ("INSIEME_SECRET_KEY", "INSIEME_BASE_URL", "EMAIL_URL", "INSIEME_DEBUG"):
        if name not in env_changes:
            env.pop(name, None)
    exe = Path(sys.executable).with_name("insieme")
    return subprocess.run(
        [str(exe), *argv], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"]])
def test_serve_and_worker_refuse_to_start_in_production_with_laptop_settings(command, tmp_path):
    result = _run(
        *command,
        INSIEME_PRODUCTION="true",
        INSIEME_DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        INSIEME_METRICS_DIR=str(tmp_path / "metrics"),
    )
    assert result.returncode == 1, result
    for words in (
        "production.E001",
        "DEBUG is on",
        "production.E002",
        "production.E008",
        "INSIEME_BASE_URL is not set",
        "production.E010",
    ):
        assert words in result.stderr, result.stderr
    assert "Insieme serving" not in result.stdout
    assert not (tmp_path / "metrics").exists()  # nothing started


def test_worker_starts_in_production_with_good_settings(tmp_path):
    result = _run(
        "worker",
        INSIEME_PRODUCTION="true",
        INSIEME_SECRET_KEY=GOOD_KEY,
        INSIEME_BASE_URL="https://servizi.example.org",
        INSIEME_HTTPS="true",
        ALLOWED_HOSTS="servizi.example.org",
        EMAIL_URL="smtp://insieme:password@mail.example.org:587/?tls=True",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        INSIEME_BROKER_URL="",
        CELERY_BROKER_URL="",
    )
    # Warnings (no broker here) are shown; no error stops it. Without a broker it has nothing
    # to run and says so.
    assert result.returncode == 0, result.stderr
    assert "production.W007" in result.stderr
    assert "No broker configured" in result.stdout
