"""Boundaries as GeoJSON checked with shapely (no system GIS libraries needed)."""

from __future__ import annotations

import json
import math
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


class GeometryError(ValueError):
    pass


def parse_boundary(geojson: dict | str) -> BaseGeometry:
    """A Polygon or MultiPolygon (bare geometry, Feature or one-feature FeatureCollection)."""
    if isinstance(geojson, str):
        try:
            geojson = json.loads(geojson)
        except json.JSONDecodeError as exc:
            raise GeometryError(f"Not valid JSON: {exc.msg}") from exc
    if not isinstance(geojson, dict):
        raise GeometryError("A GeoJSON object is required.")
    if geojson.get("type") == "FeatureCollection":
        features = geojson.get("features") or []
        if len(features) != 1:
            raise GeometryError("A FeatureCollection must hold exactly one feature.")
        geojson = features[0]
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError("The boundary must be a Polygon or MultiPolygon.")
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise GeometryError(f"Invalid coordinates: {exc}") from exc
    if geom.is_empty or not geom.is_valid:
        raise GeometryError("The polygon is empty or crosses itself.")
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeometryError("Coordinates must be longitude, latitude in degrees.")
    return geom


@lru_cache(maxsize=256)
def _cached(text: str) -> BaseGeometry:
    return parse_boundary(json.loads(text))


def contains(boundary: dict | None, lat: float, lon: float) -> bool:
    """True when the point lies inside (or on) the boundary; no boundary means no restriction."""
    if not boundary:
        return True
    geom = _cached(json.dumps(boundary, sort_keys=True))
    return geom.covers(Point(lon, lat))


_DEG_LAT_M = 111_320.0


def grid_cell(lat: float, lon: float, metres: float) -> tuple[int, int]:
    """(row, column) of the grid cell of about `metres` holding the point, for nearby search
    through an ordinary index: a point's neighbours are in its cell and the cells around it.
    Columns shrink with latitude; their width is fixed per row band, so neighbours agree on it."""
    row = math.floor(lat * _DEG_LAT_M / metres)
    band_lat = (row + 0.5) * metres / _DEG_LAT_M
    metres_per_deg_lon = _DEG_LAT_M * max(math.cos(math.radians(band_lat)), 0.01)
    col = math.floor(lon * metres_per_deg_lon / metres)
    return row, col


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two points (equirectangular: exact enough within a town)."""
    dy = (lat2 - lat1) * _DEG_LAT_M
    dx = (lon2 - lon1) * _DEG_LAT_M * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)
