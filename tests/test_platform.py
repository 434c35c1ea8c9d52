"""Platform-level promises: registries, permission names, headers, the console script, the server."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from insieme.core.cells import CELLS
from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role
from insieme.core.registry import indicators, permission_owners

ROOT = Path(__file__).resolve().parents[1]


def test_every_permission_is_named_scope_resource_action_and_owned_once():
    for perm in Perm:
        assert re.fullmatch(r"[a-z0-9]+:[a-z0-9_]+:[a-z_]+", perm.value), perm
        assert perm.value in permission_owners, f"{perm} is not claimed by any app"
    assert set(permission_owners.keys()) == {p.value for p in Perm}
    for perm in Perm:
        assert permission_owners.get(perm.value) == perm.value.split(":")[0]


def test_every_role_has_a_permission_set_and_only_known_permissions():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    for perms in ROLE_PERMISSIONS.values():
        assert perms <= set(Perm)


def test_there_are_seventeen_cells_in_four_elements():
    assert len(CELLS) == 17
    assert {c.element for c in CELLS.values()} == {
        "data",
        "interaction",
        "tailoring",
        "simplification",
    }
    for indicator in indicators:
        assert indicator.cell in CELLS
        assert str(indicator.method).strip(), f"{indicator.key} explains no method"


def test_security_headers_on_pages(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_passwords_are_hashed_with_argon2():
    from django.conf import settings as dj

    # the live setting, not the test override in conftest
    from insieme import settings as ours

    assert ours.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert dj.AUTH_USER_MODEL == "core.User"


def test_console_script_lists_insieme_commands():
    exe = Path(sys.executable).with_name("insieme")
    out = subprocess.run(
        [str(exe), "help"], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    for command in ("demo", "serve", "apikey", "audit", "migrate"):
        assert command in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.once
def test_serve_runs_a_production_server(tmp_path, migrated_sqlite):
    """`insieme serve` starts gunicorn with DEBUG off; /healthz answers through it. The server
    names no software, refuses TRACE, and its access log never shows an API key sent in the
    query string or the body (issue 12, item 6)."""
    exe = Path(sys.executable).with_name("insieme")
    env = {
        **os.environ,
        "DATABASE_URL": migrated_sqlite,
        "INSIEME_SECRET_KEY": "test-only-secret-key-for-the-serve-check-0123456789",
        "INSIEME_STATIC_ROOT": str(tmp_path / "static"),
        # The hashed manifest DEBUG off serves from, without whitenoise's compression of every
        # file (a minute of brotli here; the benchmarks collect with it).
        "INSIEME_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "INSIEME_DEBUG": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body, headers = None, None
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body, headers = json.loads(r.read()), r.headers
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.5)
        assert body == {"status": "ok", "database": {"status": "ok"}}
        assert headers.get("Server") is None, headers.get("Server")
        assert "gunicorn" not in str(headers).lower()
        secret = "ins_NotInTheLog0123456789abcdefghijklmnopqrstuv"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/open311/v2/requests.json?jurisdiction_id=montalto&api_key={secret}")
        conn.getresponse().read()
        conn.request(
            "POST",
            f"/open311/v2/requests.json?api_key={secret}",
            body=f"jurisdiction_id=montalto&api_key={secret}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert conn.getresponse().read()
        conn.request("GET", "/api/v1/cases/", headers={"Authorization": f"Bearer {secret}"})
        assert conn.getresponse().status == 401
        conn.request("TRACE", "/")
        trace = conn.getresponse()
        assert trace.status == 405 and trace.getheader("Server") is None
        trace.read()
        conn.close()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/insieme/insieme.css", timeout=5
        ) as r:
            assert r.status == 200
        # DEBUG off: an unknown page is a plain 404, not the debug page
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page", timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            assert b"URLconf" not in exc.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log = proc.stdout.read().decode(errors="replace")
    assert "/open311/v2/requests.json?jurisdiction_id=montalto&api_key=[masked]" in log, log
    assert secret not in log and secret[4:] not in log


def test_reserved_administration_slug_is_refused(db):
    from django.core.exceptions import ValidationError

    from insieme.core import actions

    with pytest.raises(ValidationError) as exc:
        actions.create_administration(None, name="Switch", slug="switch")
    assert "slug" in exc.value.message_dict
