"""`insieme webhooks_deliver`: send the webhook deliveries that are due (first sends and retries).

For installations that run neither a Celery worker nor the in-process sender thread
(WEBHOOKS_DISPATCH = "manual"): run it from cron, or keep it running with `--loop`.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from insieme.webhooks.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, checking every --interval seconds."
        )
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        while True:
            sent = deliver_due()
            if sent or not loop:
                self.stdout.write(f"webhooks: {sent} delivery attempt(s)")
            if not loop:
                return
            time.sleep(interval)
