"""`insieme audit verify`: walk the hash-chained audit log and report every broken link.
`insieme audit rechain`: move entries written before personal fields could be erased (hash
version 1) to version 2, once, so that erasure and retention can remove personal data from
them; the old chain's head and whether it verified are recorded in a new entry."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core import audit


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain (exit status 1 when broken)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,rechain}")
        sub.add_parser(
            "verify",
            help="Check every entry's hash and its link to the entry before it; print each "
            "changed, removed or reordered entry and exit with status 1 if there is any.",
        )

        sub.add_parser(
            "rechain",
            help="Move version 1 entries to version 2 (salted digests of personal fields), "
            "so that personal data can be erased from them; run once after upgrading.",
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            self.verify()
        elif subcommand == "rechain":
            entry = audit.rechain()
            if entry is None:
                self.stdout.write("Every audit entry is already version 2: nothing to do.")
            else:
                after = entry.after
                self.stdout.write(
                    f"{after['entries']} audit entries moved to version 2 (the old chain "
                    f"{'verified' if after['old_chain_verified'] else 'did NOT verify'}; its "
                    f"head {after['old_head'][:16]}... is recorded in entry {entry.seq})"
                )

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
