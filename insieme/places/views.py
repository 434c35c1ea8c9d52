"""The street register's public JSON endpoints, used by the maps (and open to anyone: the data
is public): street tiles as GeoJSON, address search, and the address nearest a point."""

from __future__ import annotations

import math

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_GET

from insieme.places import lookup
from insieme.places.access import get_administration_or_404

MAX_QUERY = 120
TILE_MAX_AGE = 300


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _administration(request: HttpRequest):
    slug = request.GET.get("administration", "").strip()
    return get_administration_or_404(slug) if slug else None


def _tile_ok(z: int, x: int, y: int) -> bool:
    zooms = range(lookup.TILE_MIN_ZOOM, lookup.TILE_MAX_ZOOM + 1)
    if z not in zooms and z != lookup.ADDRESS_TILE_ZOOM:
        return False
    return 0 <= x < 2**z and 0 <= y < 2**z


def _tile_etag(request: HttpRequest, z: int, x: int, y: int) -> str | None:
    if not _tile_ok(z, x, y):
        return None
    return f"{lookup.register_stamp()}-{z}-{x}-{y}"


@require_GET
@condition(etag_func=_tile_etag)
def street_tile(request: HttpRequest, z: int, x: int, y: int) -> JsonResponse:
    """GET /places/tiles/<z>/<x>/<y>.geojson — the streets crossing a web-map tile (zoom
    10-16), or the house numbers in it (zoom 17)."""
    if not _tile_ok(z, x, y):
        return _error("No such tile: zoom 10 to 17, x and y within the zoom's grid.", 404)
    key = f"places:tile:{lookup.register_stamp()}:{z}:{x}:{y}"
    data = cache.get(key)
    if data is None:
        data = lookup.street_tile(z, x, y)
        cache.set(key, data, 3600)
    response = JsonResponse(data, content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=TILE_MAX_AGE)
    return response


@require_GET
def search(request: HttpRequest) -> JsonResponse:
    """GET /places/search.json?q=via+roma+12[&administration=SLUG] — matching addresses (or
    streets, when no number is typed), best first."""
    text = request.GET.get("q", "").strip()
    if not text:
        return _error("Write what to search for in q (a street and perhaps a house number).")
    if len(text) > MAX_QUERY:
        return _error(f"Keep the search within {MAX_QUERY} characters.")
    admin = _administration(request)
    return JsonResponse({"results": [f.as_json() for f in lookup.search(text, admin)]})


def _coordinate(request: HttpRequest, name: str, limit: float) -> float | None:
    try:
        value = float(request.GET.get(name, "").replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


@require_GET
def nearest(request: HttpRequest) -> JsonResponse:
    """GET /places/nearest.json?lat=..&lon=..[&administration=SLUG] — the nearest address within
    80 m (else the nearest street within 50 m); `found` null when there is none."""
    lat, lon = _coordinate(request, "lat", 90), _coordinate(request, "lon", 180)
    if lat is None or lon is None:
        return _error("Give lat and lon in degrees (latitude -90 to 90, longitude -180 to 180).")
    admin = _administration(request)
    found = lookup.nearest(lat, lon, admin)
    return JsonResponse({"found": found.as_json() if found else None})
