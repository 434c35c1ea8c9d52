"""`insieme restore_check BACKUP`: restore a backup into a fresh database (with `--upgrade`, run
this version's migrations on it, timed), run `insieme migrate --check` and `insieme audit
verify` against it, print counts of the key tables, drop it; exit status 1 when anything fails
(see insieme.ops.backups)."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError

from insieme.ops import backups


class Command(BaseCommand):
    help = (
        "Prove a backup: restore it into a fresh database (PostgreSQL: createdb + pg_restore on "
        "DATABASE_URL's server or --server; SQLite: a copy), run `migrate --check` and `audit "
        "verify` against it, compare the manifest's checksums and audit head, read the media "
        "archive through, print row counts, drop the fresh database. Exit status 1 on failure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "backup",
            type=Path,
            nargs="?",
            default=None,
            help="A manifest (.json), a dump (.dump / .sqlite3), or a folder (its latest "
            "backup). Default: the latest backup in INSIEME_BACKUP_DIR (var/backups).",
        )
        parser.add_argument(
            "--server",
            default="",
            help="postgres://... of the server to restore into (a role that may create "
            "databases); default: the server of DATABASE_URL.",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the restored database for inspection instead of dropping it.",
        )
        parser.add_argument(
            "--no-media", action="store_true", help="Do not read the media archive through."
        )
        parser.add_argument(
            "--upgrade",
            action="store_true",
            help="Rehearse an upgrade: run this version's migrations on the restored copy "
            "first, timed (in all and the slowest), then check it as usual.",
        )

    def handle(self, *args, backup, server, keep, no_media, upgrade, **options):
        path = backup or backups.default_folder()
        server_cfg = environ.Env.db_url_config(server) if server else None
        try:
            result = backups.restore_check(
                path,
                server=server_cfg,
                keep=keep,
                media=not no_media,
                upgrade=upgrade,
                say=self.stdout.write,
            )
        except backups.BackupError as exc:
            raise CommandError(f"restore check FAILED: {exc}", returncode=1) from None
        if not result.ok:
            raise CommandError(
                f"restore check FAILED: {len(result.problems)} problem(s): "
                + "; ".join(result.problems),
                returncode=1,
            )
        self.stdout.write("restore check: OK")
