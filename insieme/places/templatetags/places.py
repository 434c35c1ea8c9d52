"""`{% street_map admin as streets %}`: what a map template needs to draw the street register and
search it — the tile, search and nearest-address URLs (scoped to `admin`, or every register when
None), the credit to show, and the texts the map's script announces, translated."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from insieme.places.models import Register

register = template.Library()


@register.simple_tag
def street_map(admin=None) -> dict:
    registers = Register.objects.filter(address_count__gt=0)
    if admin is not None:
        registers = registers.filter(administration=admin)
    credits = sorted({r.attribution for r in registers if r.attribution})
    query = f"?administration={admin.slug}" if admin is not None else "?"
    tiles = reverse("places_street_tile", args=[1, 2, 3]).replace("/1/2/3.", "/{z}/{x}/{y}.")
    return {
        "available": bool(registers),
        "tiles": tiles,
        "search": reverse("places_search") + query,
        "nearest": reverse("places_nearest") + query,
        "attribution": " · ".join(credits),
        "texts": {
            "results": _("%(count)s places found: use the up and down arrow keys to choose one."),
            "one_result": _("1 place found: press the down arrow key to choose it."),
            "no_results": _("No street or house number of the register matches."),
            "chosen": _("Chosen: %(place)s."),
            "nearest": _("Nearest address: %(place)s (%(distance)s m)."),
            "near_street": _("On or near %(place)s (no house number within 80 m)."),
            "nothing_near": _(
                "No address of the register nearby: describe the place in the address field."
            ),
            "results_label": _("Places matching the address"),
            "failed": _("The street register could not be reached: write the address."),
        },
    }
