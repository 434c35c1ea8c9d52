"""The areas a resident chooses from when answering: a region's municipalities (those it hosts);
else a municipality's localities from its street register (the places app: the main town and
each named village); else the administration itself, one area. A round keeps the list it was
opened with, so that its results stay comparable while the register changes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from insieme.core.models import Administration
from insieme.places.models import Street

MAIN_TOWN = "town"
WHOLE = "all"


def areas_for(admin: Administration) -> list[list[str]]:
    """[[key, name], ...] as a round stores them; the main town's name is "" (named when shown,
    in the reader's language)."""
    hosted = list(Administration.objects.filter(parent=admin).order_by("name"))
    if hosted:
        return [[a.slug, a.name] for a in hosted]
    localities = sorted(
        set(
            Street.objects.filter(administration=admin)
            .exclude(locality="")
            .values_list("locality", flat=True)
        )
    )
    if localities:
        return [[MAIN_TOWN, ""]] + [[f"l{i}", name] for i, name in enumerate(localities, 1)]
    return [[WHOLE, admin.name]]


def label(admin: Administration, key: str, name: str) -> str:
    if key == MAIN_TOWN:
        return _("%(name)s, main town") % {"name": admin.name}
    return name


def labelled(round_) -> list[tuple[str, str]]:
    """[(key, label)] of a round's areas, in its order."""
    return [(key, label(round_.administration, key, name)) for key, name in round_.areas]
