"""`insieme serve`: the production server (gunicorn, DEBUG off, static files served by whitenoise)."""

from __future__ import annotations

import os
import shutil
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from insieme.ops import multiproc


def public_base_url(host: str, port: int) -> str:
    """INSIEME_BASE_URL when the environment sets it, else the address this server is started
    on (the machine's name when it listens on every interface)."""
    configured = os.environ.get("INSIEME_BASE_URL") or os.environ.get("INSIEME_SITE_URL")
    if configured:
        return configured.rstrip("/")
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the address, not binding to it
        host = socket.getfqdn()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


class Command(BaseCommand):
    help = "Run Insieme under gunicorn (the production WSGI server)."
    requires_system_checks = []  # run in handle(), with the deployment checks in production

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collecting static files (they are collected already).",
        )

    def handle(self, *args, host, port, workers, threads, no_collectstatic, **options):
        if workers < 1 or not (0 < port < 65536):
            raise CommandError("--workers must be at least 1 and --port between 1 and 65535")
        # The start-up checks (insieme.ops.checks) stop here, with their messages and exit
        # status 1, on anything unsafe or missing; the SQLite one counts these workers.
        os.environ["WEB_CONCURRENCY"] = str(workers)
        if not options.get("skip_checks"):
            self.check(include_deployment_checks=settings.PRODUCTION)
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment")
        argv = [
            gunicorn,
            "insieme.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--config",
            "python:insieme.core.gunicorn_conf",  # no Server header; keys masked in the log
            "--access-logfile",
            "-",
            # Keep idle connections open longer than a client (or a load balancer) waits
            # between requests: gunicorn's 2 s default closes them under a client about to
            # reuse one, which then sees "connection reset" (found by `make loadtest`).
            "--keep-alive",
            os.environ.get("WEB_KEEPALIVE", "75"),
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        # Links in e-mails point where this server answers, unless the deployment says where
        # the public reaches it (INSIEME_BASE_URL; needed behind a proxy).
        base_url = public_base_url(host, port)
        os.environ["INSIEME_BASE_URL"] = base_url
        # Every gunicorn worker writes its metrics under METRICS_DIR/web, emptied first; /metrics
        # adds them up with the Celery worker's (insieme.ops.multiproc).
        multiproc.prepare("web", wipe=True)
        self.stdout.write(
            f"Insieme serving on http://{host}:{port}/ (DEBUG={settings.DEBUG}, "
            f"{workers} worker(s)); links in e-mails start with {base_url}/"
        )
        self.stdout.flush()
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server
