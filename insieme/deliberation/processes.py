"""Finding a participation process by its slug, for the command line."""

from __future__ import annotations

from django.core.management.base import CommandError


def find_process(slug: str, administration: str | None = None):
    """The process with this slug (in this administration, where given); a CommandError that
    says what to do when there is none or more than one."""
    from insieme.participation.models import Process

    found = Process.objects.filter(slug=slug).select_related("administration")
    if administration:
        found = found.filter(administration__slug=administration)
    matches = list(found[:3])
    if not matches:
        raise CommandError(
            f"No process {slug!r}" + (f" in {administration}" if administration else "")
        )
    if len(matches) > 1:
        where = ", ".join(p.administration.slug for p in matches)
        raise CommandError(f"{slug!r} names processes in {where}: add --administration SLUG")
    return matches[0]
