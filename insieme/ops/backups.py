"""Backups and a restore check that proves them (`insieme backup`, `insieme restore_check`).

A backup is a set of files named after the moment it was taken, in one folder:

    insieme-20260107T031500Z.dump           PostgreSQL: pg_dump's custom format
    insieme-20260107T031500Z.sqlite3        SQLite: an online copy (sqlite3's backup API)
    insieme-20260107T031500Z-media.tar.gz   the uploaded files (INSIEME_MEDIA_ROOT)
    insieme-20260107T031500Z.json           the manifest: files, their SHA-256, the audit head

The restore check restores the database into a FRESH database (PostgreSQL: a new database on
the server, made with createdb and filled with pg_restore; SQLite: a copy), then runs
`insieme migrate --check` and `insieme audit verify` against it as separate processes, exactly
as an operator would, checks that the restored audit log reaches the head the manifest
recorded, reads the media archive through, prints counts of the key tables, and drops the
fresh database. Any failure makes it exit non-zero.

Passwords go to the PostgreSQL tools through the environment (PGPASSWORD), never argv.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from django.apps import apps
from django.conf import settings
from django.db import connections

# Counted after a restore: what a person checking a backup recognises at a glance.
KEY_MODELS = (
    "core.Administration",
    "core.User",
    "core.Membership",
    "catalog.Service",
    "cases.Case",
    "participation.Idea",
    "participation.Comment",
    "core.AuditEntry",
)
PREFIX = "insieme-"
RESTORE_ALIAS = "restore_check"


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


def default_folder() -> Path:
    return Path(os.environ.get("INSIEME_BACKUP_DIR") or settings.VAR_DIR / "backups")


def _vendor(cfg: dict) -> str:
    engine = cfg["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"backups support PostgreSQL and SQLite, not {engine}")


def libpq_env(cfg: dict) -> dict[str, str]:
    """The environment that points pg_dump, pg_restore, createdb and dropdb at the server of a
    Django database configuration (the password included, kept out of argv)."""
    env = dict(os.environ)
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE"):
        env.pop(key, None)
    pairs = {
        "PGHOST": cfg.get("HOST"),
        "PGPORT": cfg.get("PORT"),
        "PGUSER": cfg.get("USER"),
        "PGPASSWORD": cfg.get("PASSWORD"),
        "PGDATABASE": cfg.get("NAME"),
    }
    options = cfg.get("OPTIONS") or {}
    for option, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ):
        pairs[var] = options.get(option)
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    return env


def database_url(cfg: dict, name: str) -> str:
    """A DATABASE_URL for database `name` on the server of configuration `cfg`."""
    if _vendor(cfg) == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(str(cfg.get("USER") or ""), safe="")
    password = quote(str(cfg.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(cfg.get("HOST") or "")
    options = {
        k: v for k, v in (cfg.get("OPTIONS") or {}).items() if isinstance(v, str | int | float)
    }
    query = f"?{urlencode(options)}" if options else ""
    if host.startswith("/"):  # a Unix socket folder, in the path as django-environ reads it
        return f"postgres://{auth}/{quote(host)}/{quote(name, safe='')}{query}"
    if ":" in host:  # IPv6
        host = f"[{host}]"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}{query}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(argv: list[str], env: dict | None = None, what: str = "") -> subprocess.CompletedProcess:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(
            f"{argv[0]} is not installed: PostgreSQL backups need the PostgreSQL client "
            "(Debian: apt-get install postgresql-client)"
        )
    proc = subprocess.run(  # noqa: S603 - fixed tools, arguments from the settings
        [tool, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise BackupError(f"{what or argv[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def _audit_head(alias: str = "default") -> dict:
    AuditEntry = apps.get_model("core", "AuditEntry")
    head = AuditEntry.objects.using(alias).order_by("-seq").values("seq", "entry_hash").first()
    return {"seq": head["seq"], "hash": head["entry_hash"]} if head else {"seq": 0, "hash": ""}


# --- taking a backup ----------------------------------------------------------------------------


@dataclass
class Backup:
    manifest: Path
    database: Path
    media: Path | None
    data: dict


def take_backup(folder: Path, *, media: bool = True, now: dt.datetime | None = None) -> Backup:
    """Dump the default database (and tar the media folder) into `folder`; write the manifest
    last, so that a backup without one is known to be incomplete."""
    cfg = settings.DATABASES["default"]
    vendor = _vendor(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = folder / f"{PREFIX}{stamp}"
    # The audit head before the dump starts: the dump holds at least this entry (the log is
    # append-only), which the restore check then looks for.
    head = _audit_head()
    database = base.with_suffix(".dump" if vendor == "postgresql" else ".sqlite3")
    partial = database.with_name(database.name + ".partial")
    try:
        if vendor == "postgresql":
            _run(
                ["pg_dump", "--format=custom", "--compress=6", f"--file={partial}"],
                env=libpq_env(cfg),
                what="pg_dump",
            )
        else:
            _sqlite_copy(Path(cfg["NAME"]), partial)
        partial.replace(database)
    finally:
        partial.unlink(missing_ok=True)
    archive = None
    media_root = Path(settings.MEDIA_ROOT)
    # Uploads in an object store (INSIEME_S3_BUCKET) are not on this disk: the store keeps them
    # (its versioning or replication is their backup), and the manifest names it.
    object_store = getattr(settings, "S3_BUCKET", "")
    if media and not object_store:
        archive = base.with_name(base.name + "-media.tar.gz")
        _tar_media(media_root, archive)
    data = {
        "format": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "database": {"file": database.name, "sha256": sha256(database)},
        "media": {"file": archive.name, "sha256": sha256(archive)} if archive else None,
        "media_root": str(media_root),
        "media_store": f"s3://{object_store}" if object_store else None,
        "audit_head": head,
    }
    manifest = base.with_suffix(".json")
    manifest.write_text(json.dumps(data, indent=2) + "\n")
    return Backup(manifest=manifest, database=database, media=archive, data=data)


def _sqlite_copy(source: Path, target: Path) -> None:
    """An online, consistent copy while the site keeps writing (sqlite3's backup API)."""
    if not source.exists():
        raise BackupError(f"the SQLite database {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=1024)
    finally:
        dst.close()
        src.close()


def _tar_media(media_root: Path, archive: Path) -> None:
    partial = archive.with_name(archive.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
            else:  # an empty archive says "there was no media", rather than no archive at all
                info = tarfile.TarInfo("media")
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)


def latest_manifest(folder: Path) -> Path:
    manifests = sorted(folder.glob(f"{PREFIX}*.json"))
    if not manifests:
        raise BackupError(f"no backup (no {PREFIX}*.json manifest) in {folder}")
    return manifests[-1]


# --- checking a backup by restoring it ----------------------------------------------------------


@dataclass
class CheckResult:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def resolve(path: Path) -> tuple[Path, dict | None]:
    """(database file, manifest or None) for a manifest, a database file, or a folder (its
    latest backup)."""
    if path.is_dir():
        path = latest_manifest(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        return path.parent / data["database"]["file"], data
    manifest = path.with_suffix(".json")
    if manifest.exists():
        data = json.loads(manifest.read_text())
        if data.get("database", {}).get("file") == path.name:
            return path, data
    return path, None


def restore_check(
    path: Path,
    *,
    server: dict | None = None,
    keep: bool = False,
    media: bool = True,
    upgrade: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> CheckResult:
    """Restore the backup at `path` into a fresh database and check it (see the module's
    docstring). `server`: a Django database configuration of the PostgreSQL server to restore
    into (default: the default database's server). `upgrade`: first run this code's
    migrations on the restored copy, timed (the rehearsal of an upgrade; see `_upgrade`)."""
    result = CheckResult()

    def note(line: str) -> None:
        result.lines.append(line)
        say(line)

    def problem(line: str) -> None:
        result.problems.append(line)
        say(f"FAILED: {line}")

    database, manifest = resolve(path)
    if manifest is None:
        note(f"{database.name}: no manifest beside it; checksums and audit head not compared")
    else:
        expected = manifest["database"]["sha256"]
        if sha256(database) != expected:
            problem(f"{database.name}: SHA-256 differs from the manifest's (damaged or replaced)")
            return result
        note(f"{database.name}: SHA-256 matches the manifest")
    vendor = "postgresql" if database.suffix == ".dump" else "sqlite"
    with _fresh_database(vendor, database, server, keep, note) as cfg:
        env = {k: v for k, v in os.environ.items() if k != "INSIEME_REPLICA_URL"}
        env["DATABASE_URL"] = database_url(cfg, cfg["NAME"])
        if upgrade:
            _upgrade(env, note, problem)
        for argv, what in (
            (["migrate", "--check", "--skip-checks"], "migrate --check"),
            (["audit", "verify"], "audit verify"),
        ):
            proc = subprocess.run(  # noqa: S603 - this program, fixed arguments
                [sys.executable, "-m", "insieme.cli", *argv],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            output = (proc.stdout + proc.stderr).strip()
            if proc.returncode == 0:
                note(f"insieme {what}: OK{f' ({output})' if output else ''}")
            else:
                if what == "migrate --check":
                    output = output or _unapplied(env)
                problem(f"insieme {what} (exit status {proc.returncode}): {output}")
        with _alias(cfg) as alias:
            if manifest is not None and manifest.get("audit_head", {}).get("seq"):
                _check_head(alias, manifest["audit_head"], note, problem)
            for label in KEY_MODELS:
                try:
                    model = apps.get_model(label)
                except LookupError:
                    continue
                try:
                    result.counts[label] = model.objects.using(alias).count()
                except Exception as exc:  # noqa: BLE001 - a table the dump lacks is a finding
                    problem(f"{label}: cannot be counted ({exc.__class__.__name__}: {exc})")
            if result.counts:
                note("rows: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()))
    if media and manifest is not None and manifest.get("media"):
        _check_media(database.parent, manifest["media"], note, problem)
    return result


# `migrate -v 2` prints each migration it applies as "  Applying app.name... OK (1.234s)".
_APPLIED = re.compile(r"Applying (?P<name>\S+?)\.\.\. OK \((?P<seconds>[0-9.]+)s\)")


def _upgrade(env: dict, note, problem) -> None:
    """Run this code's migrations on the restored copy as `insieme migrate` would, and say how
    long they took in all and which took longest: the time an upgrade of the real database
    needs, measured on its copy."""
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - this program, fixed arguments
        [sys.executable, "-m", "insieme.cli", "migrate", "--skip-checks", "--verbosity", "2"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    applied = [
        (m["name"], float(m["seconds"])) for m in _APPLIED.finditer(proc.stdout + proc.stderr)
    ]
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        problem(f"insieme migrate (exit status {proc.returncode}): {' | '.join(tail)}")
        return
    slowest = sorted(applied, key=lambda item: -item[1])[:5]
    note(
        f"insieme migrate: {len(applied)} migration(s) applied in {elapsed:.1f} s"
        + (
            "; slowest: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest)
            if slowest
            else " (none was pending)"
        )
    )


def _unapplied(env: dict) -> str:
    """The migrations this code has and the restored database lacks (`showmigrations`)."""
    proc = subprocess.run(  # noqa: S603 - this program, fixed arguments
        [sys.executable, "-m", "insieme.cli", "showmigrations", "--plan", "--skip-checks"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    missing = [line[4:].strip() for line in proc.stdout.splitlines() if line.startswith("[ ]")]
    if not missing:
        return "migrations not applied"
    return (
        f"{len(missing)} migration(s) not applied ({', '.join(missing[:5])}"
        f"{', ...' if len(missing) > 5 else ''}): the backup is from an older version; "
        "restore it, then run `insieme migrate`"
    )


def _check_head(alias: str, head: dict, note, problem) -> None:
    AuditEntry = apps.get_model("core", "AuditEntry")
    found = AuditEntry.objects.using(alias).filter(seq=head["seq"]).values("entry_hash").first()
    if found is None:
        problem(f"audit entry {head['seq']}, the head when the backup began, is not restored")
    elif found["entry_hash"] != head["hash"]:
        problem(f"audit entry {head['seq']} differs from the head the backup recorded")
    else:
        note(f"audit head {head['seq']} recorded when the backup began is there")


def _check_media(folder: Path, media: dict, note, problem) -> None:
    archive = folder / media["file"]
    if not archive.exists():
        problem(f"{archive.name} is missing")
        return
    if sha256(archive) != media["sha256"]:
        problem(f"{archive.name}: SHA-256 differs from the manifest's")
        return
    files = size = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:  # reads every block: the gzip checksum is verified at the end
                if member.isfile():
                    files += 1
                    size += member.size
                    handle = tar.extractfile(member)
                    if handle is not None:
                        while handle.read(1 << 20):
                            pass
    except (tarfile.TarError, OSError, EOFError) as exc:
        problem(f"{archive.name} cannot be read through: {exc}")
        return
    note(f"{archive.name}: {files} file(s), {size} bytes, read through")


@contextmanager
def _fresh_database(vendor: str, database: Path, server: dict | None, keep: bool, note):
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="insieme-restore-check-") as tmp:
            target = Path(tmp) / "restored.sqlite3"
            shutil.copyfile(database, target)
            check = sqlite3.connect(target)
            try:
                status = check.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                check.close()
            if status != "ok":
                raise BackupError(f"{database.name}: SQLite integrity check: {status}")
            note(f"{database.name}: copied to a fresh file, integrity check ok")
            cfg = {**settings.DATABASES["default"], "NAME": str(target)}
            yield cfg
            if keep:
                kept = database.with_name(database.stem + "-restored.sqlite3")
                shutil.copyfile(target, kept)
                note(f"kept the restored copy: {kept}")
        return
    base = server or settings.DATABASES["default"]
    if _vendor(base) != "postgresql":
        raise BackupError(
            f"{database.name} is a PostgreSQL dump: restore it into a PostgreSQL server "
            "(DATABASE_URL, or --server postgres://...)"
        )
    name = f"insieme_restore_check_{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    cfg = {**base, "NAME": name}
    env = libpq_env({**base, "NAME": "postgres"})
    _run(["createdb", "--template=template0", name], env=env, what="createdb")
    note(f"created the fresh database {name}")
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={name}",
                str(database),
            ],
            env=env,
            what="pg_restore",
        )
        note(f"pg_restore of {database.name} into {name}: OK")
        yield cfg
    finally:
        if keep:
            note(f"kept the restored database {name} (drop it with: dropdb {name})")
        else:
            try:
                _run(["dropdb", "--if-exists", name], env=env, what="dropdb")
                note(f"dropped {name}")
            except BackupError as exc:
                note(f"WARNING: {exc}; drop it by hand: dropdb {name}")


@contextmanager
def _alias(cfg: dict):
    """The fresh database as a connection alias of this process, for the counts."""
    filled = connections.configure_settings({"default": {**cfg, "TEST": {}}})["default"]
    connections.settings[RESTORE_ALIAS] = filled
    try:
        yield RESTORE_ALIAS
    finally:
        with suppress(Exception):
            connections[RESTORE_ALIAS].close()
        with suppress(AttributeError, KeyError):
            del connections[RESTORE_ALIAS]
        connections.settings.pop(RESTORE_ALIAS, None)
