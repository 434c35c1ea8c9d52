"""Secrets from the environment or from files: NAME, else the file NAME_FILE names (as Docker
and Kubernetes mount secrets), else the default; a NAME_FILE that cannot be read stops the start
with one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from insieme.ops.checks import SECRET_VARIABLES
from insieme.settings import _secret

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_secret(monkeypatch):
    monkeypatch.delenv("INSIEME_TEST_SECRET", raising=False)
    monkeypatch.delenv("INSIEME_TEST_SECRET_FILE", raising=False)
    return monkeypatch


def test_the_variable_then_the_file_then_the_default(no_secret, tmp_path):
    assert _secret("INSIEME_TEST_SECRET", default="fallback") == "fallback"
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n")
    no_secret.setenv("INSIEME_TEST_SECRET_FILE", str(secret_file))
    assert _secret("INSIEME_TEST_SECRET", default="fallback") == "from-the-file"
    no_secret.setenv("INSIEME_TEST_SECRET", "from-the-environment")
    assert _secret("INSIEME_TEST_SECRET") == "from-the-environment"


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda tmp: tmp / "missing", "cannot be read (No such file or directory)"),
        (lambda tmp: tmp, "cannot be read (Is a directory)"),
        (lambda tmp: (tmp / "empty").write_text("  \n") and tmp / "empty", "is empty"),
        (lambda tmp: (tmp / "bin").write_bytes(b"\xff\xfe\x00") and tmp / "bin", "cannot be read"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(no_secret, tmp_path, make, reason):
    path = make(tmp_path)
    no_secret.setenv("INSIEME_TEST_SECRET_FILE", str(path))
    with pytest.raises(ImproperlyConfigured) as error:
        _secret("INSIEME_TEST_SECRET", default="never this")
    assert str(error.value).startswith(f"INSIEME_TEST_SECRET_FILE names {path}, which {reason}")


def test_the_start_up_check_names_a_secret_file_that_became_unreadable(monkeypatch, tmp_path):
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    monkeypatch.setenv("INSIEME_METRICS_TOKEN_FILE", str(tmp_path / "gone"))
    monkeypatch.setenv("INSIEME_HEALTHZ_TOKEN_FILE", str(tmp_path / "empty"))
    (tmp_path / "empty").write_text("")
    messages = sorted(m.msg for m in checks.run_checks(tags=["production"]))
    assert messages == [
        f"INSIEME_HEALTHZ_TOKEN_FILE names {tmp_path / 'empty'}, which is empty.",
        f"INSIEME_METRICS_TOKEN_FILE names {tmp_path / 'gone'}, which cannot be read "
        "(No such file or directory).",
    ]


def _insieme(argv: list[str], env_changes: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for name in SECRET_VARIABLES:
        env.pop(name, None)
        env.pop(f"{name}_FILE", None)
    env.pop("CELERY_BROKER_URL", None)
    env.update(env_changes)
    exe = Path(sys.executable).with_name("insieme")
    return subprocess.run(
        [str(exe), *argv], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )


SHOW = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "key": s.SECRET_KEY, "db": [db["ENGINE"], db["HOST"], db["USER"], db["PASSWORD"]],
    "redis": s.REDIS_URL, "broker": s.CELERY_BROKER_URL,
    "email": [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_HOST_PASSWORD],
    "healthz": s.HEALTHZ_TOKEN, "metrics": s.METRICS_TOKEN,
    "oidc": s.INSIEME_OIDC["CLIENT_SECRET"],
    "s3": [s.STORAGES["default"]["OPTIONS"][k] for k in ("access_key", "secret_key")],
}))
"""


def test_every_secret_setting_can_come_from_a_file(tmp_path):
    values = {
        "INSIEME_SECRET_KEY": "file-secret-key-" + "x1y2z3" * 10,
        "DATABASE_URL": "postgres://insieme:db-pass-from-file@db.example.org:5432/insieme",
        "REDIS_URL": "redis://:redis-pass@cache.example.org:6379/0",
        "INSIEME_BROKER_URL": "redis://:broker-pass@queue.example.org:6379/1",
        "EMAIL_URL": "smtp://mailer:mail-pass@mail.example.org:587/?tls=True",
        "INSIEME_HEALTHZ_TOKEN": "healthz-token-from-file",
        "INSIEME_METRICS_TOKEN": "metrics-token-from-file",
        "INSIEME_OIDC_CLIENT_SECRET": "oidc-secret-from-file",
        "INSIEME_S3_ACCESS_KEY_ID": "s3-key-id-from-file",
        "INSIEME_S3_SECRET_ACCESS_KEY": "s3-secret-from-file",
    }
    assert set(values) == set(SECRET_VARIABLES)
    env = {}
    for name, value in values.items():
        path = tmp_path / name.lower()
        path.write_text(value + "\n")
        path.chmod(0o400)
        env[f"{name}_FILE"] = str(path)
    env["INSIEME_S3_BUCKET"] = "a-bucket"  # the store's keys are read when it is on
    result = _insieme(["shell", "-c", SHOW], env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {
        "key": values["INSIEME_SECRET_KEY"],
        "db": ["django.db.backends.postgresql", "db.example.org", "insieme", "db-pass-from-file"],
        "redis": values["REDIS_URL"],
        "broker": values["INSIEME_BROKER_URL"],
        "email": ["django.core.mail.backends.smtp.EmailBackend", "mail.example.org", "mail-pass"],
        "healthz": "healthz-token-from-file",
        "metrics": "metrics-token-from-file",
        "oidc": "oidc-secret-from-file",
        "s3": ["s3-key-id-from-file", "s3-secret-from-file"],
    }


def test_an_unreadable_secret_file_stops_any_command_with_one_line(tmp_path):
    missing = tmp_path / "no-such-token"
    result = _insieme(["check"], {"INSIEME_METRICS_TOKEN_FILE": str(missing)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"insieme: INSIEME_METRICS_TOKEN_FILE names {missing}, which cannot be read "
        "(No such file or directory)"
    )
