"""`insieme opendata publish [--administration SLUG] [--dataset KEY]`: regenerate open datasets.

Every registered dataset of every administration by default. A dataset whose content has not
changed keeps its version; one that changed gets a new version. The data steward decides on
the staff screen which datasets the catalogue lists.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core.models import Administration
from insieme.core.registry import datasets
from insieme.opendata import publish


class Command(BaseCommand):
    help = "Regenerate the open datasets (anonymised; versioned where their content changed)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{publish}")
        run = sub.add_parser("publish", help="Regenerate datasets.")
        run.add_argument("--administration", metavar="SLUG")
        run.add_argument("--dataset", metavar="KEY", help=f"one of: {', '.join(datasets.keys())}")

    def handle(self, *args, **options) -> None:
        slug, key = options.get("administration"), options.get("dataset")
        admins = Administration.objects.order_by("pk")
        if slug:
            admins = admins.filter(slug=slug)
            if not admins.exists():
                raise CommandError(f"Unknown administration {slug!r}", returncode=1)
        if key and key not in datasets:
            raise CommandError(
                f"Unknown dataset {key!r} (datasets: {', '.join(datasets.keys())})", returncode=1
            )
        keys = [key] if key else datasets.keys()
        for admin in admins:
            for k in keys:
                p = publish.publish(admin, k)
                self.stdout.write(
                    f"{admin.slug}/{k}: version {p.version}, {p.rows} rows, "
                    f"{p.suppressed} counts suppressed"
                )
