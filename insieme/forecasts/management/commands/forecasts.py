"""`insieme forecasts compute [--administration SLUG]`: compute the weekly demand forecasts of
one administration, or of every administration that has cases, and print the back-tested
errors (the model's and the seasonal-naive baseline's mean absolute error, requests a week)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core.models import Administration


class Command(BaseCommand):
    help = "Compute the weekly demand forecasts and their back-tested errors."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{compute}")
        compute = sub.add_parser("compute", help="Compute and store the forecasts.")
        compute.add_argument("--administration", metavar="SLUG", default="")

    def handle(self, *args, **options) -> None:
        from insieme.forecasts.actions import compute, forecastable
        from insieme.forecasts.models import Trigger

        slug = options["administration"]
        if slug:
            admin = Administration.objects.filter(slug=slug).first()
            if admin is None:
                raise CommandError(f"Unknown administration {slug!r}")
            targets = [admin]
        else:
            targets = list(forecastable())
        for admin in targets:
            run = compute(admin, trigger=Trigger.COMMAND)
            services = run.services.count()
            if run.model_mae is None:
                self.stdout.write(f"{admin.slug}: {services} services, no back test yet")
                continue
            self.stdout.write(
                f"{admin.slug}: {services} services, {run.alerts.count()} new alerts, "
                f"model MAE {run.model_mae:.2f}, seasonal-naive MAE {run.baseline_mae:.2f} "
                f"requests/week over {run.backtested} service-weeks, "
                f"interval coverage {run.coverage:.0%}, {run.seconds:.2f} s"
            )
