"""`insieme participation_spam_filter [--administration SLUG]`: train each administration's spam
filter again on its moderators' decisions (for cron, on an installation without a worker;
`insieme worker` runs the same every night)."""

from django.core.management.base import BaseCommand, CommandError

from insieme.core.models import Administration
from insieme.participation import actions


class Command(BaseCommand):
    help = "Train the spam and abuse filter of each administration on its moderators' decisions."

    def add_arguments(self, parser):
        parser.add_argument("--administration", default="", help="Only this administration.")

    def handle(self, *args, **options):
        admins = Administration.objects.order_by("pk")
        if options["administration"]:
            admins = admins.filter(slug=options["administration"])
            if not admins.exists():
                raise CommandError(f"No administration {options['administration']!r}.")
        for admin in admins:
            row = actions.retrain_spam_filter(None, admin)
            if row is None:
                self.stdout.write(f"{admin.slug}: too few decisions yet, nothing is held")
            else:
                self.stdout.write(
                    f"{admin.slug}: trained on {row.positives} spam or abuse and "
                    f"{row.negatives} fine comments; threshold {row.threshold:.2f}, "
                    f"held-out precision {row.precision:.2f}, recall {row.recall:.2f}"
                )
