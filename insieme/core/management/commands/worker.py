"""`insieme worker`: the Celery worker for background tasks, with the periodic jobs (beat)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insieme.ops import multiproc


class Command(BaseCommand):
    help = (
        "Run background tasks from the broker (INSIEME_BROKER_URL) and the periodic jobs, such as "
        "the SLA tick. Without a broker, tasks run inside the web process and nothing is needed."
    )
    requires_system_checks = []  # run in handle(), with the deployment checks in production

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=2, help="Tasks run at once (processes)."
        )
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="Do not run the periodic jobs here (run exactly one worker with them).",
        )

    def handle(self, *args, concurrency, loglevel, no_beat, **options):
        # The start-up checks (insieme.ops.checks) stop here on anything unsafe or missing.
        if not options.get("skip_checks"):
            self.check(include_deployment_checks=settings.PRODUCTION)
        if not settings.CELERY_BROKER_URL:
            self.stdout.write(
                "No broker configured (INSIEME_BROKER_URL): background tasks run inside the web "
                "process once each write commits, and no worker is needed. For the periodic SLA "
                "job without a broker, run `insieme sla_tick` from cron every few minutes."
            )
            return
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1")
        # The task counters of this worker's processes, under METRICS_DIR/worker, which /metrics
        # adds up (insieme.ops.multiproc); set before anything imports prometheus_client.
        multiproc.prepare("worker", wipe=False)
        from insieme.celery import app

        # Without gossip, mingle and worker heartbeats: they are for the events monitor and
        # add broker traffic, and with the Redis broker their reconnection after an outage
        # has failed in ways that stop the worker (found by `make faulttest`). Workers still
        # share the queue; run them under a supervisor that restarts one that ends (compose's
        # restart policy, systemd's Restart=, or `make prod-local`).
        argv = [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if not no_beat:
            schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
            Path(schedule).parent.mkdir(parents=True, exist_ok=True)
            argv += ["--beat", f"--schedule={schedule}"]
        app.worker_main(argv=argv)
