"""`insieme participation_phases [--now ISO]`: announce the phases that began (for cron, on an
installation without a worker; `insieme worker` runs the same every hour)."""

from django.core.management.base import BaseCommand

from insieme.core.tasks import parse_moment
from insieme.participation import actions


class Command(BaseCommand):
    help = "Tell the followers of each process whose new phase began (once per phase)."

    def add_arguments(self, parser):
        parser.add_argument("--now", default="", help="An ISO date-time instead of now.")

    def handle(self, *args, **options):
        done = actions.announce_phases(parse_moment(options["now"]))
        self.stdout.write(f"{done} phase(s) announced")
