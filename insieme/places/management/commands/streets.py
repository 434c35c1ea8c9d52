"""`insieme streets import FILE --administration SLUG [--format csv|geojson]`: load a street
register (the national register ANNCSU's address CSV, an OpenStreetMap GeoJSON extract, or any
CSV of the same shape) into an administration; `insieme streets show --administration SLUG`
prints what its register holds.

Imports are idempotent (upserts by official code, or by name and number where the source has no
code); `--replace` also removes what the file no longer holds. Lines that cannot be read are
listed with their line number and left out; `--strict` writes nothing when there is any.
Progress goes to stderr every few seconds on a long file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from insieme.core.models import Administration
from insieme.places import actions
from insieme.places.models import Register
from insieme.places.parsers import ParseError, Progress, parse

CLI_ACTOR = "command line"
SHOWN_ERRORS = 50
SOURCES = {
    "anncsu": ("ANNCSU", "ANNCSU, Agenzia delle Entrate - Istat (CC BY 4.0)"),
    "geojson": ("GeoJSON", ""),
    "csv": ("CSV", ""),
}


class Command(BaseCommand):
    help = "Import or show an administration's street register."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,show}")
        imp = sub.add_parser(
            "import",
            help="Import streets and house numbers from a CSV or GeoJSON file.",
            description="CSV: ANNCSU's address export (ODONIMO, CIVICO, ESPONENTE, "
            "COORD_X_COMUNE, COORD_Y_COMUNE, PROGRESSIVO_NAZIONALE, PROGRESSIVO_ACCESSO; ';' and "
            "decimal comma) or columns street, number, lat, lon [, exponent, street_code, code, "
            "postcode, wkt]. GeoJSON: named LineStrings (OpenStreetMap ways with name and "
            "highway) and Points or building outlines with addr:housenumber and addr:street.",
        )
        imp.add_argument("file", help="The file to read ('-' for standard input).")
        imp.add_argument("--administration", required=True, metavar="SLUG")
        imp.add_argument("--format", choices=["csv", "geojson"], default="")
        imp.add_argument(
            "--municipality-code",
            default="",
            help="In a file of several municipalities (a regional ANNCSU export): the ISTAT or "
            "cadastral code of the one to import.",
        )
        imp.add_argument(
            "--replace",
            action="store_true",
            help="Also remove the streets and addresses the file no longer holds.",
        )
        imp.add_argument(
            "--strict", action="store_true", help="Write nothing if any line has an error."
        )
        imp.add_argument("--source", default="", help="Where the data comes from (shown).")
        imp.add_argument(
            "--attribution",
            default="",
            help="Credit shown on the map, e.g. '© OpenStreetMap contributors (ODbL)'.",
        )
        show = sub.add_parser("show", help="What an administration's register holds.")
        show.add_argument("--administration", required=True, metavar="SLUG")

    def handle(self, *args, **options) -> None:
        admin = Administration.objects.filter(slug=options["administration"]).first()
        if admin is None:
            raise CommandError(f"Unknown administration {options['administration']!r}")
        if options["subcommand"] == "show":
            return self._show(admin)
        return self._import(admin, options)

    def _show(self, admin: Administration) -> None:
        register = Register.objects.filter(administration=admin).first()
        if register is None:
            self.stdout.write(f"{admin.display_name} has no street register yet.")
            return
        self.stdout.write(
            f"{admin.display_name}: {register.street_count} streets, {register.address_count} "
            f"house numbers; source {register.source or '-'}; version {register.version}, "
            f"imported {register.imported_at:%Y-%m-%d %H:%M}"
        )

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {name}")
        return path.read_bytes()

    def _import(self, admin: Administration, options: dict) -> None:
        data = self._read(options["file"])
        progress = Progress(lambda line: self.stderr.write(line))
        try:
            parsed = parse(
                data,
                options["format"],
                municipality=options["municipality_code"],
                progress=progress,
            )
        except ParseError as exc:
            raise CommandError(str(exc)) from exc
        source, attribution = SOURCES.get(parsed.format, ("", ""))
        try:
            result = actions.import_register(
                CLI_ACTOR,
                admin,
                parsed,
                replace=options["replace"],
                strict=options["strict"],
                source=options["source"] or source,
                attribution=options["attribution"] or attribution,
                progress=progress,
            )
        except ValidationError as exc:
            self._errors(parsed.errors, parsed.error_count)
            raise CommandError(
                "Nothing was imported: " + "; ".join(exc.messages[:1]), returncode=1
            ) from exc
        s = result.summary()
        self._errors(result.errors, result.error_count)
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
        self.stdout.write(
            f"{admin.display_name}: streets {s['streets']['created']} new, "
            f"{s['streets']['updated']} updated, {s['streets']['unchanged']} unchanged, "
            f"{s['streets']['deleted']} removed; house numbers {s['addresses']['created']} new, "
            f"{s['addresses']['updated']} updated, {s['addresses']['unchanged']} unchanged, "
            f"{s['addresses']['deleted']} removed"
            + (f"; {result.derived_lines} lines drawn through house numbers")
            + (f"; left out: {skipped}" if skipped else "")
            + (f"; {result.error_count} lines with errors" if result.error_count else "")
            + f". The register now holds {result.register.street_count} streets and "
            f"{result.register.address_count} house numbers."
        )

    def _errors(self, errors: list, count: int) -> None:
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(f"  {error}")
        if count > SHOWN_ERRORS:
            self.stderr.write(f"  … and {count - SHOWN_ERRORS} more lines with errors")
