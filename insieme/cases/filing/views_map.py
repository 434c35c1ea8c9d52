"""Find a service on the map: /services/map/.

The citizen points at a place (map click, arrow keys, or latitude and longitude typed in; without
JavaScript the same GET form works). The page then names the administration serving that place,
lists its published located services (each linking to its filing form with the place carried
over) and the open public reports within 500 m. Only public data is shown: reference, service,
status, date and a redacted excerpt of each report; never who filed it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from insieme.cases.filing.forms import latitude_field, longitude_field
from insieme.cases.matching.signatures import distance_m
from insieme.cases.models import GRID_METRES, OPEN_STATUSES, Case, grid_cell
from insieme.cases.redact import localise
from insieme.catalog.forms import style_widgets
from insieme.catalog.models import Service, ServiceKind
from insieme.core.geo import GeometryError, contains, parse_boundary
from insieme.core.models import Administration
from insieme.core.safe_input import CheckedInputMixin
from insieme.places import lookup as places_lookup
from insieme.places.models import Register

NEARBY_RADIUS_M = 500.0
NEARBY_LIMIT = 20
NEARBY_CANDIDATES = 400  # newest first; a safety bound for extreme hotspots
EXCERPT_CHARS = 160
# Grid cells either side of the point's cell that can hold a point within the radius.
_CELLS = math.ceil(NEARBY_RADIUS_M / GRID_METRES)


class MapSearchForm(CheckedInputMixin, forms.Form):
    lat = latitude_field()
    lon = longitude_field()
    address = forms.CharField(
        label=gettext_lazy("Address or description of the place (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=gettext_lazy("Carried over to the form you choose, for the staff to read."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("lat") is None and data.get("lon") is None and data.get("address"):
            try:  # no point: the address, if the street register knows it
                found = places_lookup.resolve_any(data["address"])
            except places_lookup.AddressProblem as problem:
                if Register.objects.filter(address_count__gt=0).exists():
                    self.add_error("address", str(problem))
                    return data
            else:
                data["lat"], data["lon"], data["address"] = found.lat, found.lon, found.label
                return data
        if data.get("lat") is None or data.get("lon") is None:
            raise forms.ValidationError(
                _(
                    "Give both latitude and longitude: point at the place on the map, or write "
                    "them. An address alone cannot be placed on the map yet."
                ),
                code="location",
            )
        return data


@dataclass
class Nearby:
    reference: str
    admin_slug: str
    service: str
    status: str
    is_open: bool
    submitted_at: object
    excerpt: str
    distance: int
    lat: float
    lon: float


def _served_administrations() -> list[Administration]:
    """Administrations with a boundary and at least one published located service."""
    admins = (
        Administration.objects.filter(
            services__status=Service.Status.PUBLISHED, services__located=True
        )
        .exclude(boundary__isnull=True)
        .distinct()
        .order_by("name")
    )
    return [a for a in admins if a.boundary]


def _boundaries(admins: list[Administration]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": a.display_name}, "geometry": a.boundary}
            for a in admins
        ],
    }


def _depth(admin_id: int, parents: dict[int, int | None]) -> int:
    depth, node, seen = 0, parents.get(admin_id), {admin_id}
    while node is not None and node not in seen:
        seen.add(node)
        depth += 1
        node = parents.get(node)
    return depth


def _area(admin: Administration) -> float:
    try:
        return parse_boundary(admin.boundary).area
    except GeometryError:
        return math.inf


def administration_at(admins: list[Administration], lat: float, lon: float):
    """The most specific of `admins` whose boundary covers the point: the one hosted deepest
    (a municipality rather than the region hosting it), then the smallest; None outside all."""
    found = []
    for admin in admins:
        try:
            if contains(admin.boundary, lat, lon):
                found.append(admin)
        except GeometryError:  # a stored boundary shapely cannot read: it serves no point
            continue
    if len(found) <= 1:
        return found[0] if found else None
    parents = dict(Administration.objects.values_list("id", "parent_id"))
    return min(found, key=lambda a: (-_depth(a.pk, parents), _area(a), a.name))


def _service_groups(admin: Administration, query: str) -> list[dict]:
    services = Service.objects.filter(
        administration=admin, status=Service.Status.PUBLISHED, located=True
    ).order_by("group", "name")
    groups = []
    for group, items in itertools.groupby(services, key=lambda s: s.group):
        rows = []
        for s in items:
            on_web = "web" in s.channels or "app" in s.channels
            if on_web:
                url = reverse("case_file", args=[admin.slug, s.code]) + "?" + query
            else:
                url = reverse("catalogue_service", args=[admin.slug, s.code])
            rows.append({"service": s, "url": url, "on_web": on_web})
        groups.append({"name": group or _("Other services"), "services": rows})
    return groups


def nearby_reports(lat: float, lon: float) -> list[Nearby]:
    """Open public reports within NEARBY_RADIUS_M of the point, newest first, at most
    NEARBY_LIMIT. One query: seeks on case_cell_idx over the cells around the point, then an
    exact distance check on the rows found."""
    row, col = grid_cell(lat, lon)
    candidates = (
        Case.objects.filter(
            cell_row__in=range(row - _CELLS, row + _CELLS + 1),
            cell_col__in=range(col - _CELLS, col + _CELLS + 1),
            is_public=True,
            kind=ServiceKind.REPORT,
            status__in=sorted(OPEN_STATUSES),
            lat__isnull=False,
            lon__isnull=False,
        )
        .select_related("service", "administration")
        .only(
            "reference",
            "status",
            "public_description",
            "lat",
            "lon",
            "submitted_at",
            "service__name",
            "service__language",
            "service__translations",
            "administration__slug",
        )
        .order_by("-submitted_at", "-id")[:NEARBY_CANDIDATES]
    )
    found = []
    for case in candidates:
        distance = distance_m(lat, lon, case.lat, case.lon)
        if distance > NEARBY_RADIUS_M:
            continue
        found.append(
            Nearby(
                reference=case.reference,
                admin_slug=case.administration.slug,
                service=case.service.i18n.name,
                status=case.get_status_display(),
                is_open=case.is_open,
                submitted_at=case.submitted_at,
                excerpt=Truncator(localise(case.public_description)).chars(EXCERPT_CHARS),
                distance=round(distance),
                # as precise as the public case page shows it
                lat=round(case.lat, 3),
                lon=round(case.lon, 3),
            )
        )
        if len(found) == NEARBY_LIMIT:
            break
    return found


def _markers(reports: list[Nearby]) -> list[dict]:
    return [
        {"lat": r.lat, "lon": r.lon, "label": f"{r.reference} · {r.service} · {r.status}"}
        for r in reports
    ]


@require_GET
def services_map(request: HttpRequest) -> HttpResponse:
    admins = _served_administrations()
    searched = any(request.GET.get(k, "") != "" for k in ("lat", "lon", "address"))
    form = MapSearchForm(request.GET if searched else None)
    context = {
        "form": form,
        "searched": searched,
        "boundaries": _boundaries(admins) if admins else None,
        "administrations": admins,
        "tile_url": settings.INSIEME_TILE_URL,
        "tile_attribution": settings.INSIEME_TILE_ATTRIBUTION,
        "admin": None,
        "outside": False,
        "groups": [],
        "reports": [],
        "markers": [],
        "radius": int(NEARBY_RADIUS_M),
    }
    if not searched:
        return render(request, "cases/map/services_map.html", context)
    if not form.is_valid():
        return render(request, "cases/map/services_map.html", context, status=400)
    lat, lon = form.cleaned_data["lat"], form.cleaned_data["lon"]
    admin = administration_at(admins, lat, lon)
    if admin is None:
        context["outside"] = True
        return render(request, "cases/map/services_map.html", context)
    carried = {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
    if form.cleaned_data.get("address"):
        carried["address"] = form.cleaned_data["address"]
    reports = nearby_reports(lat, lon)
    context.update(
        admin=admin,
        groups=_service_groups(admin, urlencode(carried)),
        reports=reports,
        markers=_markers(reports),
    )
    return render(request, "cases/map/services_map.html", context)
