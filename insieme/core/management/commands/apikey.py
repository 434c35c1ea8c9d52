"""`insieme apikey create|list|revoke`: API keys from the command line (scripts, `make demo`).

`create` prints the raw key alone on one stdout line (everything else goes to stderr), so that
`KEY=$(insieme apikey create --name app --administration montalto)` captures exactly the key.
Without --scope the key gets the read-only scopes that expose no personal data
(DEFAULT_SCOPES); --all-scopes grants every scope.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core import actions
from insieme.core.models import Administration, ApiKey

ALL_SCOPES = [scope for scope, _label in ApiKey.SCOPES]
# Least privilege by default: reading the public catalogue and open data only.
DEFAULT_SCOPES = ["opendata:read", "services:read"]
CLI_ACTOR = "command line"


def _administration(slug: str) -> Administration:
    admin = Administration.objects.filter(slug=slug).first()
    if admin is None:
        raise CommandError(f"Unknown administration {slug!r}", returncode=1)
    return admin


def _fail(exc: ValidationError) -> CommandError:
    return CommandError("; ".join(exc.messages), returncode=1)


class Command(BaseCommand):
    help = "Create, list and revoke API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{create,list,revoke}"
        )
        create = sub.add_parser(
            "create",
            help="Create a key and print it (once) on stdout.",
            description=f"Default scopes: {', '.join(DEFAULT_SCOPES)}. "
            f"All scopes: {', '.join(ALL_SCOPES)}.",
        )
        create.add_argument("--name", required=True, help="Who or what uses the key.")
        create.add_argument("--administration", required=True, metavar="SLUG")
        scopes = create.add_mutually_exclusive_group()
        scopes.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=ALL_SCOPES,
            metavar="SCOPE",
            help="A scope to grant; repeat for several.",
        )
        scopes.add_argument("--all-scopes", action="store_true", help="Grant every scope.")
        listing = sub.add_parser("list", help="List an administration's keys.")
        listing.add_argument("--administration", required=True, metavar="SLUG")
        revoke = sub.add_parser("revoke", help="Revoke the key with this prefix.")
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args, subcommand: str, **options) -> None:
        {"create": self.create, "list": self.list, "revoke": self.revoke}[subcommand](**options)

    def create(
        self,
        *,
        name: str,
        administration: str,
        scopes: list[str] | None,
        all_scopes: bool,
        **_options,
    ) -> None:
        """Print the raw key alone on stdout; a note on stderr."""
        admin = _administration(administration)
        chosen = ALL_SCOPES if all_scopes else (scopes or DEFAULT_SCOPES)
        try:
            key, raw = actions.create_api_key(CLI_ACTOR, admin, name=name, scopes=chosen)
        except ValidationError as exc:
            raise _fail(exc) from exc
        self.stdout.write(raw)
        self.stderr.write(
            f"Created key {key.name!r} (prefix {key.prefix}) for {admin.slug} with scopes "
            f"{', '.join(key.scopes)}. It is not shown again."
        )

    def list(self, *, administration: str, **_options) -> None:
        admin = _administration(administration)
        keys = ApiKey.objects.filter(administration=admin).order_by("created_at")
        self.stdout.write("prefix\tname\tscopes\tcreated\tlast_used\trevoked")
        for key in keys:
            self.stdout.write(
                "\t".join(
                    [
                        key.prefix,
                        key.name,
                        ",".join(key.scopes),
                        key.created_at.isoformat(),
                        key.last_used_at.isoformat() if key.last_used_at else "-",
                        key.revoked_at.isoformat() if key.revoked_at else "-",
                    ]
                )
            )

    def revoke(self, *, prefix: str, **_options) -> None:
        key = ApiKey.objects.select_related("administration").filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"No API key with prefix {prefix!r}", returncode=1)
        if key.revoked_at is not None:
            self.stdout.write(
                f"Key {key.prefix} ({key.name}) was already revoked on {key.revoked_at.isoformat()}"
            )
            return
        actions.revoke_api_key(CLI_ACTOR, key)
        self.stdout.write(f"Key {key.prefix} ({key.name}) of {key.administration.slug} revoked")
