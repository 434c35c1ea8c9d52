"""`insieme polis import DIR --process SLUG`: bring a Pol.is export into a process's conversation.

DIR holds comments.csv and votes.csv (or participants-votes.csv where votes.csv is missing), as
Pol.is exports them. A malformed export is refused with the file and line at fault, and nothing
is imported.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from insieme.deliberation import actions
from insieme.deliberation.polis_files import PolisFormatError, read_export


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError("--meta takes comment ids separated by commas, e.g. 0,1,10") from exc


def _topic(folder: Path) -> str:
    """The conversation's topic from summary.csv, where the export has one."""
    try:
        with (folder / "summary.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0] == "topic":
                    return row[1].strip()[:1000]
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return ""


class Command(BaseCommand):
    help = "Pol.is interchange: `polis import DIR --process SLUG`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a Pol.is export folder into a process.")
        imp.add_argument("folder", metavar="DIR")
        imp.add_argument("--process", required=True, metavar="SLUG")
        imp.add_argument(
            "--administration",
            metavar="SLUG",
            help="The process's administration, where two administrations use the slug.",
        )
        imp.add_argument(
            "--meta",
            default="",
            metavar="IDS",
            help="Comment ids that ask about the participant (left out of the groups' math).",
        )
        imp.add_argument("--language", default="en", choices=["en", "it"])

    def handle(self, *args, **options):
        from insieme.deliberation.processes import find_process

        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a folder")
        process = find_process(options["process"], options.get("administration"))
        meta = _ids(options["meta"])
        try:
            export = read_export(folder)
        except PolisFormatError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        try:
            conversation, counts = actions.import_polis(
                None,
                process,
                export,
                topic=_topic(folder),
                meta=meta,
                language=options["language"],
            )
        except ValidationError as exc:
            raise CommandError("Nothing imported: " + " ".join(exc.messages)) from exc
        computation = actions.compute_groups(conversation)
        self.stdout.write(
            f"Imported into {process.administration.slug}/{process.slug}: "
            f"{counts['statements']} statements, {counts['participants']} participants, "
            f"{counts['votes']} votes ({counts['math']} math). Opinion groups: {computation.k} "
            f"from {computation.clustered} participants."
        )
