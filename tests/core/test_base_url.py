"""Links in e-mails start with the public base URL: INSIEME_BASE_URL when set, else the address
`insieme serve` was started on (never a fixed 127.0.0.1:8000)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from insieme.cases.filing import actions as filing_actions
from insieme.core import background
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401 (the catalogue fixture)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Lungo-e-difficile-2026!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings_value(env: dict, name: str) -> subprocess.CompletedProcess:
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "insieme.settings", **env}
    for key in ("INSIEME_BASE_URL", "INSIEME_SITE_URL", "HOST", "PORT"):
        if key not in env or env[key] is None:
            env.pop(key, None)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"INSIEME_BASE_URL": "https://servizi.example.org/"}, "https://servizi.example.org"),
        ({"INSIEME_BASE_URL": "https://example.org/insieme"}, "https://example.org/insieme"),
        ({"INSIEME_SITE_URL": "https://old-name.example.org"}, "https://old-name.example.org"),
        ({"HOST": "10.1.2.3", "PORT": "8130"}, "http://10.1.2.3:8130"),
        ({}, "http://127.0.0.1:8000"),
    ],
)
def test_the_base_url_comes_from_the_environment(env, expected):
    done = _settings_value(env, "BASE_URL")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


@pytest.mark.parametrize("bad", ["servizi.example.org", "ftp://example.org", "https://"])
def test_a_bad_base_url_stops_the_start(bad):
    done = _settings_value({"INSIEME_BASE_URL": bad}, "BASE_URL")
    assert done.returncode != 0 and "INSIEME_BASE_URL must be an http(s) address" in done.stderr


def test_case_and_account_emails_use_the_base_url(
    settings,
    cat,  # noqa: F811
    charlie,
    django_capture_on_commit_callbacks,
):
    settings.BASE_URL = "https://servizi.comune.example"
    with django_capture_on_commit_callbacks(execute=True):
        case, _created = filing_actions.submit_case(
            charlie,
            filing_actions.Filing(
                cat.pothole, answers={"size": "large"}, description="Buca", **INSIDE_MONTALTO
            ),
        )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": charlie.email})
    background.worker.wait_idle()  # account e-mails leave after the answer (equal timing)
    bodies = [m.body for m in mail.outbox]
    assert len(bodies) == 2 and all("127.0.0.1" not in body for body in bodies)
    assert f"https://servizi.comune.example/my/requests/montalto/{case.reference}/" in bodies[0]
    assert "https://servizi.comune.example/accounts/" in bodies[1]


def test_serve_puts_its_own_address_in_emails(tmp_path, migrated_sqlite):
    """`insieme serve --port P`: a registration e-mail links to http://127.0.0.1:P/."""
    exe = Path(sys.executable).with_name("insieme")
    mails = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": migrated_sqlite,
        "INSIEME_SECRET_KEY": "test-only-secret-key-for-the-base-url-check-0123456789",
        "INSIEME_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "INSIEME_DEBUG": "false",
        "EMAIL_URL": f"filemail://{mails}",
    }
    for key in ("DJANGO_SETTINGS_MODULE", "INSIEME_BASE_URL", "INSIEME_SITE_URL", "PORT"):
        env.pop(key, None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "1", "--no-collectstatic"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = None
        for _ in range(240):
            try:
                with opener.open(f"{base}/accounts/register/", timeout=5) as r:
                    page = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.5)
        assert page is not None
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {
            "csrfmiddlewaretoken": token,
            "email": "ada.lovelace@example.org",
            "full_name": "Ada Lovelace",
            "preferred_language": "en",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base}/accounts/register/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": f"{base}/accounts/register/"},
        )
        with opener.open(request, timeout=10) as r:  # noqa: S310 (our own server)
            answer = r.read().decode()
            assert r.status == 200 and r.url.endswith("/accounts/register/done/"), answer
        sent = ""
        for _ in range(40):  # e-mails are written once the registration commits
            sent = "".join(p.read_text() for p in mails.glob("*")) if mails.exists() else ""
            if sent:
                break
            time.sleep(0.25)
        links = re.findall(r"https?://[^\s]+", sent)
        assert links and all(link.startswith(f"{base}/") for link in links), sent
    finally:
        proc.terminate()
        proc.wait(timeout=20)
