"""insieme redact_public: recompute the public copies of cases' texts."""

import time

from django.core.management.base import BaseCommand

from insieme.cases import redact


class Command(BaseCommand):
    help = (
        "Recompute the redacted public copy of every case's description, address and public "
        "timeline texts. Run it after upgrading when the release notes say the redaction rules "
        "changed; the migrations that change them run it themselves."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        done = redact.refresh_public_texts()
        self.stdout.write(f"{done} public texts recomputed in {time.monotonic() - started:.1f} s.")
