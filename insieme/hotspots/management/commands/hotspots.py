"""`insieme hotspots compute [--administration SLUG] [parameters]`: find and store hotspots.

Without --administration, every administration with located reports is computed. The
parameters default to insieme.hotspots.detect.Params (see docs/hotspots.md).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core.models import Administration
from insieme.hotspots import actions
from insieme.hotspots.detect import Params

DEFAULTS = Params()


class Command(BaseCommand):
    help = "Compute hotspots: clusters of reports that persist over several periods."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{compute}")
        compute = sub.add_parser("compute", help="Compute and store hotspots.")
        compute.add_argument("--administration", metavar="SLUG")
        compute.add_argument("--period-days", type=int, default=DEFAULTS.period_days)
        compute.add_argument("--periods", type=int, default=DEFAULTS.periods, help="n")
        compute.add_argument("--min-periods", type=int, default=DEFAULTS.min_periods, help="k")
        compute.add_argument("--radius", type=float, default=DEFAULTS.radius_m, metavar="METRES")
        compute.add_argument("--min-reports", type=int, default=DEFAULTS.min_reports)

    def handle(self, *args, **options) -> None:
        params = Params(
            period_days=options["period_days"],
            periods=options["periods"],
            min_periods=options["min_periods"],
            radius_m=options["radius"],
            min_reports=options["min_reports"],
        )
        if problems := params.problems():
            raise CommandError("; ".join(problems), returncode=1)
        slug = options.get("administration")
        try:
            if slug:
                admin = Administration.objects.filter(slug=slug).first()
                if admin is None:
                    raise CommandError(f"Unknown administration {slug!r}", returncode=1)
                runs = [actions.compute(None, admin, params=params)]
            else:
                runs = actions.compute_all(None, params=params)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from exc
        for run in runs:
            self.stdout.write(
                f"{run.administration.slug}: {run.hotspots.count()} hotspots from "
                f"{run.points} located reports ({run.first_day} to {run.last_day}, "
                f"{run.seconds:.2f} s)"
            )
