"""`insieme sla_tick [--now ISO]`: one run of the SLA job, for cron users and tests."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insieme.cases.handling import sla as handling_sla
from insieme.core.tasks import parse_moment
from insieme.ops import jobs


class Command(BaseCommand):
    help = (
        "Mark open cases due soon and overdue, escalate overdue ones to their supervisors and "
        "notify, once, in this process (`insieme worker` runs it every few minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Run as if it were this moment (ISO 8601, e.g. 2026-03-01T09:00+01:00).",
        )

    def handle(self, *args, now=None, **options):
        try:
            moment = parse_moment(now) or timezone.now()
        except ValueError as exc:
            raise CommandError(f"--now: not an ISO 8601 date-time: {now!r}") from exc
        counts = handling_sla.sla_tick(now=moment)
        jobs.record_success(jobs.SLA_TICK)  # the SLA job's lag in /metrics
        self.stdout.write(
            f"SLA tick at {moment.isoformat()}: {counts['due_soon']} due soon, "
            f"{counts['overdue']} overdue"
        )
