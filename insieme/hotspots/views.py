"""The staff page of hotspots, /staff/<administration>/hotspots/: a sentence saying what it
shows, the filters, a map (Leaflet, drawn by hotspots/hotspots-map.js from the JSON the page
carries; nothing is lost without JavaScript) and the same hotspots in a table; and its CSV.

Reading needs `hotspots:hotspot:read` in the administration (404 outside the person's
administrations, 403 without the permission). A region sees the hotspots of the
administrations it hosts where the person holds the permission too.
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from insieme.core.access import get_administration_for_user
from insieme.core.csvsafe import neutralise
from insieme.core.permissions import Perm
from insieme.hotspots import board
from insieme.hotspots.forms import HotspotFilterForm


def _improve_url(admin) -> str:
    return reverse("improvements:staff_new", args=[admin.slug])


def _prepare(request: HttpRequest, admin_slug: str):
    admin = get_administration_for_user(request.user, admin_slug, Perm.HOTSPOT_READ)
    scope = board.scope_of(request.user, admin)
    form = HotspotFilterForm(
        request.GET or None,
        services=board.services_of(scope),
        departments=board.departments_of(scope),
    )
    bad = form.is_bound and not form.is_valid()
    shown = board.build(request.user, board.latest_runs(scope), form.values(), _improve_url)
    return admin, scope, form, shown, 400 if bad else 200


def _map_data(shown: board.Board) -> list[dict]:
    """What the map draws: a circle per hotspot (centre, radius, a label), nothing else."""
    return [
        {
            "lat": row.hotspot.lat,
            "lon": row.hotspot.lon,
            "radius": row.hotspot.radius_m,
            "label": _("%(place)s: %(n)d reports")
            % {"place": row.hotspot.street or row.administration.name, "n": row.reports},
            "growing": row.hotspot.growing,
        }
        for row in shown.rows
    ]


@login_required
@require_GET
def hotspot_map(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin, scope, form, shown, status = _prepare(request, admin_slug)
    return render(
        request,
        "hotspots/staff/map.html",
        {
            "administration": admin,
            "scope": scope,
            "form": form,
            "board": shown,
            "run": shown.run,
            "map_data": _map_data(shown),
            "query": form.query(),
            "tile_url": settings.INSIEME_TILE_URL,
            "tile_attribution": settings.INSIEME_TILE_ATTRIBUTION,
        },
        status=status,
    )


@login_required
@require_GET
def hotspot_csv(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin, _scope, form, shown, status = _prepare(request, admin_slug)
    if status != 200:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hotspots-{admin.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "administration",
            "hotspot",
            "latitude",
            "longitude",
            "radius_m",
            "street",
            "reports",
            *(f"reports_from_{first.isoformat()}" for first in shown.columns),
            "periods_with_cluster",
            "periods",
            "first_seen",
            "last_seen",
            "trend_reports_per_period",
            "growing",
            "services",
        ]
    )
    for row in shown.rows:
        h = row.hotspot
        writer.writerow(
            [
                neutralise(row.administration.slug),
                h.rank,
                h.lat,
                h.lon,
                h.radius_m,
                neutralise(h.street),
                row.reports,
                *("" if n is None else n for n in row.cells),
                h.periods_present,
                len(h.counts),
                h.first_seen.isoformat(),
                h.last_seen.isoformat(),
                h.slope,
                int(h.growing),
                neutralise("; ".join(row.services)),
            ]
        )
    return response
