"""insieme rollups refresh | rebuild | check [--administration SLUG]

refresh: read the cases changed since the last time into the rollups (what the worker does
every minute); rebuild: forget the rollups and build them again from every case; check: count
every case afresh and compare (exit status 1 and the differences when they differ)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from insieme.core.models import Administration
from insieme.dashboards import rollups


class Command(BaseCommand):
    help = "Keep or verify the dashboards' rollups of the cases."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "rebuild", "check"])
        parser.add_argument("--administration", default="", help="one administration's slug")

    def handle(self, *args, action: str, administration: str, **options):
        admins = Administration.objects.order_by("pk")
        if administration:
            admins = admins.filter(slug=administration)
            if not admins.exists():
                raise CommandError(f"No administration {administration!r}.")
        ids = list(admins.values_list("pk", flat=True))
        started = time.perf_counter()
        if action == "refresh":
            read = rollups.catch_up(ids)
        elif action == "rebuild":
            read = rollups.rebuild(ids)
        else:
            differ = False
            for admin in admins:
                problems = rollups.check(admin)
                if problems:
                    differ = True
                    self.stdout.write(f"{admin.slug}: {len(problems)} rows differ")
                    for line in problems[:20]:
                        self.stdout.write(f"  {line}")
            if differ:
                sys.exit(1)
            self.stdout.write(f"The rollups agree with the cases ({len(ids)} administrations).")
            return
        took = time.perf_counter() - started
        self.stdout.write(f"{read} cases read into the rollups in {took:.2f} s.")
