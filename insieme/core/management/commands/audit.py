"""`insieme audit verify`: walk the hash-chained audit log and report every broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core import audit


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain (exit status 1 when broken)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        sub.add_parser(
            "verify",
            help="Check every entry's hash and its link to the entry before it; print each "
            "changed, removed or reordered entry and exit with status 1 if there is any.",
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            self.verify()

    def verify(self) -> None:
        """Print 'OK' with the count of entries checked, or each problem and fail with status 1."""
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"{result.checked} audit entries checked: OK")
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(
            f"audit chain broken: {len(result.problems)} problem(s) in {result.checked} "
            "entries checked",
            returncode=1,
        )
