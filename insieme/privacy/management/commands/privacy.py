"""`insieme privacy scan [--administration SLUG] [--since ISO]`: look for personal data in
stored free text (insieme.privacy.scanner) and record what is found for the data steward.

`insieme privacy retention [--administration SLUG] [--dry-run]`: anonymise the closed records
whose retention period has passed (insieme.privacy.retention), or with `--dry-run` only count
them. Every administration with a policy by default.

Every administration and every row by default; `--since` reads only rows written from that
time on (a date, 2026-03-01, or a date and time, 2026-03-01T08:00, in the installation's time
zone unless it says its own). Prints, per text field, how many rows were scanned and what
became of their findings.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from insieme.core.models import Administration
from insieme.privacy import scanner

REPORTED = (scanner.NEW, scanner.REOPENED, scanner.UPDATED, scanner.CLOSED)


def parse_since(value: str) -> dt.datetime:
    """An ISO date or date and time as an aware datetime (CommandError when it is neither)."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(
            f"--since {value!r} is no ISO date or time (e.g. 2026-03-01 or 2026-03-01T08:00)",
            returncode=2,
        ) from exc
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


class Command(BaseCommand):
    help = "Look for personal data in stored free text and record the findings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{scan}")
        run = sub.add_parser("scan", help="Scan stored free text for personal data.")
        run.add_argument("--administration", metavar="SLUG")
        run.add_argument("--since", metavar="ISO", help="only rows written from this time on")
        keep = sub.add_parser("retention", help="Anonymise closed records past their period.")
        keep.add_argument("--administration", metavar="SLUG")
        keep.add_argument("--dry-run", action="store_true", help="only count what would change")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "retention":
            return self._retention(options)
        admin = self._administration(options.get("administration"))
        since = parse_since(options["since"]) if options.get("since") else None
        started = time.perf_counter()
        results = scanner.scan(administration=admin, since=since)
        seconds = time.perf_counter() - started
        total = sum(counts["scanned"] for counts in results.values())
        for key, counts in results.items():
            found = ", ".join(f"{counts[what]} {what}" for what in REPORTED)
            self.stdout.write(f"{key}: {counts['scanned']} rows scanned; findings: {found}")
        rate = total / seconds if seconds else 0.0
        self.stdout.write(f"{total} rows in {seconds:.2f} s ({rate:.0f} rows/s)")

    def _retention(self, options) -> None:
        from insieme.privacy import retention

        admin = self._administration(options.get("administration"))
        dry = options["dry_run"]
        started = time.perf_counter()
        if admin is None:
            runs = retention.run_all(dry=dry)
        else:
            runs = [(retention.dry_run if dry else retention.run)(None, admin)]
        verb = "would anonymise" if dry else "anonymised"
        for run in runs:
            c = run.counts
            self.stdout.write(
                f"{run.administration.slug}: {verb} {c['cases']} cases, {c['ideas']} ideas, "
                f"{c['comments']} comments"
            )
        if not runs:
            self.stdout.write("No administration has a retention policy.")
        self.stdout.write(f"in {time.perf_counter() - started:.2f} s")

    def _administration(self, slug: str | None):
        if not slug:
            return None
        admin = Administration.objects.filter(slug=slug).first()
        if admin is None:
            raise CommandError(f"Unknown administration {slug!r}", returncode=1)
        return admin
