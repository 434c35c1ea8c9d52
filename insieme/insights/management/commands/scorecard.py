"""`insieme scorecard refresh`: compute the Scorecards pages open by default and store them as
snapshots, as the worker's periodic job does (for cron, on an installation without a worker).

`insieme scorecard timings SLUG [--scope self|hosted]`: how long each indicator takes to compute
(with its previous period) over the administration (alone, or with the ones it hosts), slowest
first, and the total: what a page without a snapshot, or the worker, spends per scope.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from insieme.core.models import Administration
from insieme.core.registry import indicators
from insieme.core.replica import reading_replica
from insieme.insights import scorecard as sc
from insieme.insights import snapshots


class Command(BaseCommand):
    help = "Store the default Scorecards as snapshots (refresh), or time each indicator (timings)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh", help="Compute and store the default Scorecards.")
        timings = sub.add_parser("timings", help="Time every indicator over one scope.")
        timings.add_argument("administration", help="The administration's slug.")
        timings.add_argument("--scope", choices=[sc.SCOPE_SELF, sc.SCOPE_HOSTED], default="")

    def handle(self, *args, **options):
        if options["action"] == "refresh":
            if snapshots.max_age() <= 0:
                self.stdout.write(
                    "Snapshots are off (INSIEME_SCORECARD_MAX_AGE=0): nothing stored."
                )
                return
            started = time.perf_counter()
            stored = snapshots.refresh()
            self.stdout.write(
                f"{stored} snapshots stored in {time.perf_counter() - started:.1f} s."
            )
            return
        admin = Administration.objects.filter(slug=options["administration"]).first()
        if admin is None:
            raise CommandError(f"No administration {options['administration']!r}.")
        scope = sc.scope_for(admin, options["scope"] or None, sc.hosted_by(admin)).scope
        found = []
        with reading_replica():
            for indicator in indicators:
                started = time.perf_counter()
                view = sc.compute(indicator, scope)
                found.append((time.perf_counter() - started, indicator.key, view.failed))
        for seconds, key, failed in sorted(found, reverse=True):
            self.stdout.write(f"{seconds * 1e3:10.1f} ms  {key}{'  (failed)' if failed else ''}")
        self.stdout.write(
            f"total {sum(s for s, _k, _f in found):.2f} s for {scope.label} "
            f"({len(found)} indicators, with their previous periods)"
        )
