"""`insieme apikey create|list|revoke`, through the console script and through call_command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from insieme import cli
from insieme.core import actions
from insieme.core.management.commands.apikey import ALL_SCOPES, DEFAULT_SCOPES
from insieme.core.models import ApiKey, AuditEntry


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """The console script closes every connection when it ends; in-process, that would close the
    test's transaction (PostgreSQL), so it is a no-op here."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def insieme(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the console script in-process: (exit status, stdout, stderr)."""
    try:
        cli.main(list(argv))
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_create_prints_only_the_key(capsys, montalto):
    status, out, err = insieme(
        capsys, "apikey", "create", "--name", "Municipal app", "--administration", "montalto"
    )
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert raw.startswith("ins_") and " " not in raw
    key = ApiKey.objects.get(name="Municipal app")
    assert key.administration == montalto
    assert key.key_hash == ApiKey.hash_secret(raw)
    assert sorted(key.scopes) == sorted(DEFAULT_SCOPES)
    assert raw not in err and key.prefix in err
    assert actions.authenticate_api_key(raw).pk == key.pk
    entry = AuditEntry.objects.get(action="apikey.create")
    assert entry.actor_label == "command line" and entry.administration_id == montalto.pk
    assert "key_hash" not in entry.after


def test_create_with_scopes(capsys, montalto):
    insieme(
        capsys,
        "apikey",
        "create",
        "--name",
        "Cases",
        "--administration",
        "montalto",
        "--scope",
        "cases:read",
        "--scope",
        "cases:write",
    )
    assert ApiKey.objects.get(name="Cases").scopes == ["cases:read", "cases:write"]
    insieme(
        capsys, "apikey", "create", "--name", "All", "--administration", "montalto", "--all-scopes"
    )
    assert sorted(ApiKey.objects.get(name="All").scopes) == sorted(ALL_SCOPES)


def test_default_scopes_are_read_only_and_valid():
    assert set(DEFAULT_SCOPES) <= set(ALL_SCOPES)
    assert all(scope.endswith(":read") for scope in DEFAULT_SCOPES)


def test_unknown_administration_fails_clearly(capsys, db):
    status, out, err = insieme(
        capsys, "apikey", "create", "--name", "x", "--administration", "atlantis"
    )
    assert status == 1
    assert out == ""
    assert "Unknown administration 'atlantis'" in err
    assert not ApiKey.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("apikey", "list", "--administration", "atlantis")
    assert exc.value.returncode == 1


def test_bad_scope_and_missing_name_are_refused(capsys, montalto):
    status, _out, err = insieme(
        capsys,
        "apikey",
        "create",
        "--name",
        "x",
        "--administration",
        "montalto",
        "--scope",
        "root:all",
    )
    assert status != 0 and "invalid choice" in err
    with pytest.raises(CommandError):
        call_command("apikey", "create", "--administration", "montalto")
    with pytest.raises(CommandError) as exc:
        call_command("apikey", "create", "--name", "   ", "--administration", "montalto")
    assert exc.value.returncode == 1 and "name" in str(exc.value)
    assert not ApiKey.objects.exists()


def test_list_shows_keys_of_one_administration(montalto, lagoverde):
    key, raw = actions.create_api_key(None, montalto, name="Harvester", scopes=["opendata:read"])
    actions.create_api_key(None, lagoverde, name="Lake app", scopes=["services:read"])
    out = StringIO()
    call_command("apikey", "list", "--administration", "montalto", stdout=out)
    text = out.getvalue()
    assert key.prefix in text and "Harvester" in text and "opendata:read" in text
    assert "Lake app" not in text
    assert raw not in text


def test_revoke(montalto):
    key, raw = actions.create_api_key(None, montalto, name="Old", scopes=["services:read"])
    out = StringIO()
    call_command("apikey", "revoke", f"--prefix={key.prefix}", stdout=out)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in out.getvalue()
    assert actions.authenticate_api_key(raw) is None
    out = StringIO()
    call_command("apikey", "revoke", f"--prefix={key.prefix}", stdout=out)
    assert "already revoked" in out.getvalue()
    assert AuditEntry.objects.filter(action="apikey.revoke").count() == 1


def test_revoke_unknown_prefix(capsys, db):
    status, _out, err = insieme(capsys, "apikey", "revoke", "--prefix", "nope")
    assert status == 1
    assert "No API key with prefix 'nope'" in err


def test_subcommand_is_required(db):
    with pytest.raises(CommandError):
        call_command("apikey")
