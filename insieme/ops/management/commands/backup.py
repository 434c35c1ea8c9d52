"""`insieme backup`: the database (PostgreSQL: pg_dump's custom format; SQLite: an online copy)
and the media folder as a tar, with a manifest, into one folder (see insieme.ops.backups)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insieme.ops import backups


class Command(BaseCommand):
    help = (
        "Back up the database of DATABASE_URL (PostgreSQL with pg_dump, SQLite with its online "
        "backup API) and the media folder into --output (INSIEME_BACKUP_DIR, var/backups). "
        "Check a backup with `insieme restore_check`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Folder the backup files go to (default: INSIEME_BACKUP_DIR, else var/backups).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the media folder out.")

    def handle(self, *args, output, no_media, **options):
        folder = output or backups.default_folder()
        try:
            backup = backups.take_backup(folder, media=not no_media)
        except backups.BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        for path in (backup.database, backup.media, backup.manifest):
            if path is not None:
                self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
        head = backup.data["audit_head"]
        self.stdout.write(
            f"backup done: {backup.data['vendor']}, audit head {head['seq']}; check it with "
            f"`insieme restore_check {backup.manifest}`"
        )
