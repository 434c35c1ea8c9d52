"""insieme match_signatures: recompute the duplicate check's stored text signatures."""

import time

from django.core.management.base import BaseCommand

from insieme.cases.matching import signatures as matching
from insieme.core import progress


class Command(BaseCommand):
    help = (
        "Recompute the text signature the duplicate check stores with every located case. "
        "Run it after upgrading when the release notes say the text analysis changed; the "
        "migrations that change it run it themselves."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with progress.reporting(getattr(self.stderr, "_out", self.stderr)):
            done = matching.refresh_signatures()
        self.stdout.write(
            f"{done} case signatures recomputed in {time.monotonic() - started:.1f} s."
        )
