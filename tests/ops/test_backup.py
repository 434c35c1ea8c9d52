"""`insieme backup` and `insieme restore_check` against a real PostgreSQL (and SQLite): a
backup of a database written through the app's actions restores into a fresh database where
`migrate --check` and `audit verify` pass; an audit entry changed in the source makes the
check fail. The commands run as separate processes, as an operator runs them.

PostgreSQL: the server of DATABASE_URL when it is one, else INSIEME_TEST_POSTGRES_URL
(postgres://postgres@127.0.0.1:5432/postgres). Outside CI a server that does not answer skips
with the reason; in CI (CI=true) it fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.db import connection

from insieme.ops import backups

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"

# Rows written the way the site writes them: through the actions, each with its audit entry.
SEED = """
import django
django.setup()
from insieme.core import actions
from insieme.core.models import Administration
region = actions.create_administration(
    None, name="Regione Prova", slug="prova", kind=Administration.Kind.REGION
)
town = actions.create_administration(
    None, name="Comune di Prova", slug="comune-prova",
    kind=Administration.Kind.MUNICIPALITY, parent=region,
)
dept = actions.create_department(None, town, name="Lavori pubblici", code="lavori")
anna = actions.create_user(
    None, email="anna@example.org", full_name="Anna Prova",
    password="correct horse battery staple", verified=True,
)
actions.add_membership(None, town, anna, role="officer", department=dept)
actions.update_administration(None, town, name="Comune di Prova Alta")
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def insieme(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "insieme.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def command_env(database_url: str, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSIEME_REPLICA")}
    env.pop("DATABASE_URL_FILE", None)
    env.update(DATABASE_URL=database_url, INSIEME_MEDIA_ROOT=str(media_root))
    env.setdefault("DJANGO_SETTINGS_MODULE", "insieme.settings")
    return env


def pg_server() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get("INSIEME_TEST_POSTGRES_URL", PG_DEFAULT)
    cfg = environ.Env.db_url_config(url)
    problem = None
    missing = [
        t for t in ("psql", "pg_dump", "pg_restore", "createdb", "dropdb") if not shutil.which(t)
    ]
    if missing:
        problem = f"the PostgreSQL client is not installed ({', '.join(missing)} missing)"
    else:
        probe = subprocess.run(
            ["psql", "-Atc", "SELECT 1"],
            env=backups.libpq_env({**cfg, "NAME": "postgres"}),
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode != 0:
            problem = f"PostgreSQL at {cfg.get('HOST')}:{cfg.get('PORT')} does not answer: "
            problem += probe.stderr.strip()
    if problem:
        if in_ci():
            pytest.fail(f"the backup tests need PostgreSQL in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    return cfg


def psql(cfg: dict, database: str, sql: str) -> str:
    proc = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        env=backups.libpq_env({**cfg, "NAME": database}),
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def exists(cfg: dict, database: str) -> bool:
    sql = f"SELECT count(*) FROM pg_database WHERE datname = '{database}'"  # noqa: S608 - ours
    return psql(cfg, "postgres", sql) == "1"


def restored_name(output: str) -> str:
    return re.search(r"created the fresh database (\S+)", output).group(1)


@pytest.mark.once
def test_a_postgresql_backup_restores_and_verifies_and_a_tampered_one_fails(tmp_path):
    cfg = pg_server()
    source = f"insieme_backup_test_{secrets.token_hex(4)}"
    tampered = f"{source}_tampered"
    admin = {**cfg, "NAME": "postgres"}
    media = tmp_path / "media"
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "stemma.png").write_bytes(b"\x89PNG fake logo")
    psql(admin, "postgres", f'CREATE DATABASE "{source}" TEMPLATE template0')
    try:
        env = command_env(backups.database_url(cfg, source), media)
        migrate = insieme("migrate", "--verbosity", "0", env=env)
        assert migrate.returncode == 0, migrate.stderr
        seed = subprocess.run(
            [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, check=False
        )
        assert seed.returncode == 0, seed.stderr
        entries = int(psql(cfg, source, "SELECT count(*) FROM core_auditentry"))
        assert entries >= 6

        # A backup of the intact database: restored, migrated, chain intact, counts printed.
        done = insieme("backup", "--output", str(tmp_path / "good"), env=env)
        assert done.returncode == 0, done.stderr
        manifest = json.loads(next((tmp_path / "good").glob("insieme-*.json")).read_text())
        assert manifest["vendor"] == "postgresql"
        assert manifest["database"]["file"].endswith(".dump")
        assert manifest["audit_head"]["seq"] == entries
        dump = tmp_path / "good" / manifest["database"]["file"]
        assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        check = insieme("restore_check", str(tmp_path / "good"), env=env)
        out = check.stdout + check.stderr
        assert check.returncode == 0, out
        assert "insieme migrate --check: OK" in out
        assert f"insieme audit verify: OK ({entries} audit entries checked: OK)" in out
        assert f"core.AuditEntry {entries}" in out and "core.Administration 2" in out
        assert "1 file(s)" in out  # the media archive, read through
        assert out.rstrip().endswith("restore check: OK")
        fresh = restored_name(out)
        assert fresh != source
        assert not exists(admin, fresh)

        # The same data with one audit entry changed behind the app's back: the check fails.
        psql(admin, "postgres", f'CREATE DATABASE "{tampered}" TEMPLATE "{source}"')
        psql(cfg, tampered, "UPDATE core_auditentry SET action = 'user.delete' WHERE seq = 4")
        env_t = command_env(backups.database_url(cfg, tampered), media)
        done = insieme("backup", "--output", str(tmp_path / "bad"), "--no-media", env=env_t)
        assert done.returncode == 0, done.stderr
        check = insieme("restore_check", str(tmp_path / "bad"), env=env_t)
        out = check.stdout + check.stderr
        assert check.returncode == 1, out
        assert "seq 4: content does not match its hash (changed)" in out
        assert "restore check FAILED" in out
        fresh = restored_name(out)
        assert not exists(admin, fresh)
    finally:
        for name in (tampered, source):
            subprocess.run(
                ["dropdb", "--if-exists", "--force", name],
                env=backups.libpq_env(admin),
                capture_output=True,
                check=False,
            )


@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_is_an_online_copy_that_restores_and_verifies(tmp_path, montalto, alice):
    """The suite's own SQLite database (migrated, with fixtures written through the actions),
    copied to a file, stands for a site's database."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup runs in the suite's SQLite run (here: PostgreSQL)")
    source = tmp_path / "site.sqlite3"
    target = sqlite3.connect(source)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    media = tmp_path / "media"
    media.mkdir()
    env = command_env(f"sqlite:///{source}", media)

    done = insieme("backup", "--output", str(tmp_path / "good"), env=env)
    assert done.returncode == 0, done.stderr
    manifest = json.loads(next((tmp_path / "good").glob("insieme-*.json")).read_text())
    assert manifest["vendor"] == "sqlite"
    copy = tmp_path / "good" / manifest["database"]["file"]
    assert copy.read_bytes()[:16] == b"SQLite format 3\x00"
    check = insieme("restore_check", str(tmp_path / "good" / copy.name), env=env)
    out = check.stdout + check.stderr
    assert check.returncode == 0, out
    assert "integrity check ok" in out and "insieme audit verify: OK" in out
    assert "0 file(s)" in out  # an empty media folder is archived as such

    with sqlite3.connect(source) as db:
        db.execute("UPDATE core_auditentry SET object_repr = 'Comune di Nessuno' WHERE seq = 1")
    done = insieme("backup", "--output", str(tmp_path / "bad"), env=env)
    assert done.returncode == 0, done.stderr
    check = insieme("restore_check", str(tmp_path / "bad"), env=env)
    assert check.returncode == 1
    assert "seq 1: content does not match its hash" in check.stdout + check.stderr


def test_a_damaged_backup_file_fails_before_any_restore(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    dump = folder / "insieme-20260101T000000Z.dump"
    dump.write_bytes(b"PGDMP something")
    (folder / "insieme-20260101T000000Z.json").write_text(
        json.dumps({"database": {"file": dump.name, "sha256": "0" * 64}, "media": None})
    )
    result = backups.restore_check(folder)
    assert not result.ok
    assert result.problems == [
        f"{dump.name}: SHA-256 differs from the manifest's (damaged or replaced)"
    ]


def test_restore_check_without_a_backup_says_so(tmp_path):
    with pytest.raises(backups.BackupError, match="no backup"):
        backups.restore_check(tmp_path)


@pytest.mark.parametrize(
    "cfg",
    [
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "x",
            "USER": "ins ieme",
            "PASSWORD": "p@ss:w/rd#1",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        },
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "x",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "/var/run/postgresql",
            "PORT": "",
        },
    ],
    ids=["password-and-options", "unix-socket"],
)
def test_database_url_names_the_same_server_with_another_database(cfg):
    parsed = environ.Env.db_url_config(backups.database_url(cfg, "fresh_db"))
    assert parsed["NAME"] == "fresh_db"
    for key in ("USER", "HOST"):
        assert parsed[key] == cfg[key]
    assert (parsed.get("PASSWORD") or "") == cfg["PASSWORD"]
    assert str(parsed.get("PORT") or "") == str(cfg["PORT"])
    assert parsed.get("OPTIONS", {}) == cfg.get("OPTIONS", {})


@pytest.mark.once
def test_an_upgrade_is_rehearsed_on_a_restored_copy_and_timed(tmp_path, migrated_sqlite):
    """A backup taken before a migration existed (here: the ops app's migration rolled back)
    does not pass the plain check; `--upgrade` migrates the restored copy, says how long that
    took and which migrations took longest, then checks it, and the site's database is left as
    it was."""
    media = tmp_path / "media"
    media.mkdir()
    env = command_env(migrated_sqlite, media)
    back = insieme("migrate", "ops", "zero", "--verbosity", "0", env=env)
    assert back.returncode == 0, back.stderr
    done = insieme("backup", "--output", str(tmp_path / "old"), "--no-media", env=env)
    assert done.returncode == 0, done.stderr

    plain = insieme("restore_check", str(tmp_path / "old"), env=env)
    assert plain.returncode == 1
    assert "ops.0001_initial" in plain.stdout + plain.stderr

    check = insieme("restore_check", str(tmp_path / "old"), "--upgrade", env=env)
    out = check.stdout + check.stderr
    assert check.returncode == 0, out
    found = re.search(r"insieme migrate: 1 migration\(s\) applied in ([0-9.]+) s; slowest: ", out)
    assert found, out
    assert re.search(r"slowest: ops\.0001_initial [0-9.]+ s", out)
    assert "insieme migrate --check: OK" in out and out.rstrip().endswith("restore check: OK")
    # The rehearsal touched the copy only: the site's own database still lacks the migration.
    still = insieme("migrate", "--check", "--skip-checks", env=env)
    assert still.returncode == 1

    # A copy on which a migration fails (a table of that name is there already): the check
    # fails, quoting the migration's own error.
    with sqlite3.connect(migrated_sqlite.removeprefix("sqlite:///")) as db:
        db.execute("CREATE TABLE ops_jobrun (id integer)")
    done = insieme("backup", "--output", str(tmp_path / "clash"), "--no-media", env=env)
    assert done.returncode == 0, done.stderr
    check = insieme("restore_check", str(tmp_path / "clash"), "--upgrade", env=env)
    out = check.stdout + check.stderr
    assert check.returncode == 1, out
    assert "FAILED: insieme migrate (exit status 1)" in out
    assert "already exists" in out
