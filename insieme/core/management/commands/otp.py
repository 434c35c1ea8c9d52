"""`insieme otp code EMAIL`: the current two-step sign-in code of a demo account.

For the demo only: it answers for authenticator devices the demo created (named "demo"), whose
key is printed with the demo logins anyway, and refuses every other account.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core import twofactor
from insieme.core.demo import DEMO_DEVICE_NAME


class Command(BaseCommand):
    help = "Two-step sign-in helpers for the demo: `otp code EMAIL` prints a demo account's code."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="Print the current code of a demo account.")
        code.add_argument("email")

    def handle(self, *args, action: str, email: str, **options) -> None:
        device = (
            TOTPDevice.objects.filter(
                user__email__iexact=email.strip(), confirmed=True, name=DEMO_DEVICE_NAME
            )
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise CommandError(
                f"{email} has no demo authenticator: this command works for demo accounts only."
            )
        self.stdout.write(twofactor.current_code(device))
