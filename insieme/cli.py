"""The `insieme` console script: every Django management command, plus `demo`, `serve`, `apikey`."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insieme.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings: a bad environment stops here
    except ImproperlyConfigured as exc:  # an unreadable *_FILE secret, say: one clear line
        sys.exit(f"insieme: {exc}")

    args = list(sys.argv if argv is None else ["insieme", *argv])
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
