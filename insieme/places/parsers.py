"""Reading a street register from a file: CSV (the national register ANNCSU's address export, or
any CSV with a street, a house number and coordinates) and GeoJSON (an OpenStreetMap extract:
named street lines and points or buildings with `addr:housenumber` and `addr:street`).

Parsers only read: each row becomes a street, an address, a line-numbered error or a counted
skip (an ANNCSU access without a number or without coordinates is normal there, not an error).
The rules that need the database (inside the boundary, one code once) live in
`insieme.places.actions.import_register`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from insieme.places.text import display_name, fold, parse_house_number

MAX_ERRORS = 1000  # kept with their line; more are only counted
ANNCSU_COLUMNS = {"odonimo", "civico", "progressivo_nazionale", "coord_x_comune"}

# Column (or GeoJSON property) names, folded, for each thing a row can say.
ALIASES: dict[str, tuple[str, ...]] = {
    "street": (
        "odonimo",
        "street",
        "addr_street",
        "street_name",
        "via",
        "strada",
        "nome_via",
        "denominazione",
        "toponimo",
        "name",
    ),
    "street_code": (
        "progressivo_nazionale",
        "street_code",
        "codice_via",
        "cod_via",
        "codvia",
        "codice_strada",
    ),
    "locality": ("localita", "locality", "frazione", "addr_place"),
    "number": (
        "civico",
        "number",
        "housenumber",
        "addr_housenumber",
        "house_number",
        "numero",
        "numero_civico",
    ),
    "metric": ("metrico",),
    "exponent": ("esponente", "exponent", "barrato", "suffix"),
    "specificity": ("specificita",),
    "code": ("progressivo_accesso", "code", "address_code", "codice_civico", "id", "osm_id"),
    "postcode": ("cap", "postcode", "addr_postcode", "postal_code", "zip"),
    "lat": ("coord_y_comune", "lat", "latitude", "latitudine", "y", "coord_y"),
    "lon": ("coord_x_comune", "lon", "lng", "long", "longitude", "longitudine", "x", "coord_x"),
    "municipality": ("codice_istat", "codice_comune", "istat", "municipality_code"),
    "geometry": ("wkt", "geometry", "geom", "the_geom"),
    "highway": ("highway",),
}

HIGHWAY_RANK = {
    **dict.fromkeys(
        [
            "motorway",
            "trunk",
            "primary",
            "secondary",
            "tertiary",
            "motorway_link",
            "trunk_link",
            "primary_link",
            "secondary_link",
            "tertiary_link",
        ],
        1,
    ),
    **dict.fromkeys(["residential", "unclassified", "living_street", "road"], 2),
    **dict.fromkeys(
        ["service", "pedestrian", "footway", "path", "track", "steps", "cycleway", "bridleway"],
        3,
    ),
}
_MAIN_WORDS = ("strada provinciale", "strada statale", "strada regionale", "viale", "corso")
_MAIN_WORDS += ("circonvallazione", "tangenziale", "lungolago", "lungomare")
_MINOR_WORDS = (
    "vicolo",
    "vicoletto",
    "salita",
    "scalinata",
    "calata",
    "sentiero",
    "passaggio",
    "rampa",
    "chiasso",
    "stradella",
    "strada vicinale",
    "via privata",
    "piazzetta",
    "ruga",
    "androne",
)


def guess_rank(name: str) -> int:
    """Main road, local street or lane, from the generic part of its name."""
    folded = fold(name)
    if folded.startswith(_MAIN_WORDS):
        return 1
    if folded.startswith(_MINOR_WORDS):
        return 3
    return 2


@dataclass
class ParsedStreet:
    key: str  # the official code, or "name:" and the folded name when the source has no code
    name: str
    code: str = ""
    locality: str = ""
    rank: int | None = None
    lines: list[list[tuple[float, float]]] = field(default_factory=list)  # (lon, lat)
    line: int = 0  # where the file first names it


@dataclass
class ParsedAddress:
    line: int
    street_key: str
    number: int
    exponent: str
    lat: float
    lon: float
    code: str = ""
    postcode: str = ""


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedRegister:
    format: str
    streets: dict[str, ParsedStreet] = field(default_factory=dict)
    addresses: list[ParsedAddress] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    skipped: Counter = field(default_factory=Counter)
    rows: int = 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, message))

    def street(self, key: str, name: str, line: int, **extra) -> ParsedStreet:
        street = self.streets.get(key)
        if street is None:
            street = self.streets[key] = ParsedStreet(key=key, name=name, line=line, **extra)
        else:
            for attr, value in extra.items():
                if value and not getattr(street, attr):
                    setattr(street, attr, value)
        return street


class Progress:
    """A line on the console every few seconds of a long import; `clock` is injectable."""

    def __init__(
        self,
        write: Callable[[str], None],
        every: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write, self.every, self.clock = write, every, clock
        self.last = clock()

    def tick(self, done: int, what: str) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.write(f"  … {done:,} {what}")


class ParseError(ValueError):
    """The file as a whole cannot be read (not a line of it)."""


def street_key(code: str, name: str) -> str:
    return code if code else "name:" + fold(name)


def _number(text: str) -> float | None:
    """A coordinate as registers write it: '12.345', '12,345' (decimal comma)."""
    text = (text or "").strip()
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a number") from exc
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a number")
    return value


def check_lat_lon(lat: float, lon: float) -> str | None:
    """Why a point is not a longitude/latitude in degrees, or None."""
    if abs(lat) > 90 or abs(lon) > 180:
        return (
            "coordinates must be latitude and longitude in degrees (WGS84/ETRF2000); "
            f"{lat}, {lon} look like projected metres"
        )
    return None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds what, from the header (case, accents and quotes ignored)."""
    folded = [fold(h).replace(" ", "_") for h in header]
    found: dict[str, int] = {}
    for what, names in ALIASES.items():
        for name in names:
            if name in folded:
                found[what] = folded.index(name)
                break
    return found


def parse_csv(
    data: bytes | str, *, municipality: str = "", progress: Progress | None = None
) -> ParsedRegister:
    """An ANNCSU address export (';' separated, decimal comma) or a CSV with a street column, a
    house number column and latitude/longitude columns (or a WKT line per street)."""
    text = data if isinstance(data, str) else _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t|", key=first.count)
    if first.count(delimiter) == 0:
        raise ParseError(_("The first line must name the columns, separated by ';' or ','."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_csv(reader, municipality, progress)
    except csv.Error as exc:
        raise ParseError(
            _("Line %(line)d: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc


def _read_csv(reader, municipality: str, progress: Progress | None) -> ParsedRegister:
    header = next(reader)
    cols = _columns(header)
    fmt = "anncsu" if set(fold(h).replace(" ", "_") for h in header) >= ANNCSU_COLUMNS else "csv"
    result = ParsedRegister(format=fmt)
    if "street" not in cols:
        raise ParseError(
            _("No street column: name one ODONIMO, street or via (the first line holds the names).")
        )
    has_numbers = "number" in cols or "metric" in cols
    if has_numbers and not ("lat" in cols and "lon" in cols):
        raise ParseError(
            _("No coordinate columns: name them COORD_Y_COMUNE/COORD_X_COMUNE or lat/lon.")
        )
    muni_col = cols.get("municipality")
    seen_munis: set[str] = set()

    def cell(row: list[str], what: str) -> str:
        i = cols.get(what)
        return row[i].strip() if i is not None and i < len(row) else ""

    for line_no, row in enumerate(reader, start=2):
        if not row or not any(v.strip() for v in row):
            continue
        result.rows += 1
        if progress:
            progress.tick(result.rows, "lines read")
        if len(row) < len(header):
            result.error(line_no, f"{len(row)} columns where the header names {len(header)}")
            continue
        if muni_col is not None:
            muni = cell(row, "municipality")
            if municipality and municipality not in (row[i].strip() for i in _muni_indexes(header)):
                result.skipped["other municipality"] += 1
                continue
            seen_munis.add(muni)
        name = display_name(cell(row, "street"))
        if not name:
            result.error(line_no, "the street name is empty")
            continue
        if len(name) > 200:
            result.error(line_no, "the street name is longer than 200 characters")
            continue
        code = cell(row, "street_code")[:64]
        key = street_key(code, name)
        street = result.street(key, name, line_no, code=code, locality=cell(row, "locality"))
        if "geometry" in cols and cell(row, "geometry"):
            try:
                street.lines.extend(_wkt_lines(cell(row, "geometry")))
            except ValueError as exc:
                result.error(line_no, f"the street line cannot be read: {exc}")
                continue
        if not has_numbers:
            continue
        number_text = cell(row, "number") or cell(row, "metric")
        if not number_text:
            result.skipped["no house number"] += 1
            continue
        exponent = cell(row, "exponent")
        house = parse_house_number(f"{number_text}/{exponent}" if exponent else number_text)
        if house is None:
            result.error(
                line_no, f"{(number_text + ' ' + exponent).strip()!r} is not a house number"
            )
            continue
        if cell(row, "specificity").lower().startswith("ros"):  # red numbering (Genova, Firenze)
            house = type(house)(house.number, (house.exponent + "R").lstrip("/"))
        try:
            lat, lon = _number(cell(row, "lat")), _number(cell(row, "lon"))
        except ValueError as exc:
            result.error(line_no, f"coordinates: {exc}")
            continue
        if lat is None or lon is None:
            result.skipped["no coordinates"] += 1
            continue
        problem = check_lat_lon(lat, lon)
        if problem:
            result.error(line_no, problem)
            continue
        result.addresses.append(
            ParsedAddress(
                line=line_no,
                street_key=key,
                number=house.number,
                exponent=house.exponent[:12],
                lat=round(lat, 7),
                lon=round(lon, 7),
                code=cell(row, "code")[:64],
                postcode=cell(row, "postcode")[:10],
            )
        )
    if len(seen_munis) > 1 and not municipality:
        raise ParseError(
            _(
                "The file holds %(count)d municipalities: choose one with "
                "--municipality-code (its ISTAT or cadastral code)."
            )
            % {"count": len(seen_munis)}
        )
    return result


def _muni_indexes(header: list[str]) -> list[int]:
    folded = [fold(h).replace(" ", "_") for h in header]
    return [i for i, h in enumerate(folded) if h in ALIASES["municipality"]]


def _wkt_lines(text: str) -> list[list[tuple[float, float]]]:
    text = text.strip()
    if text.startswith("{"):
        try:
            return geojson_lines(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid GeoJSON ({exc.msg})") from exc
    from shapely import wkt
    from shapely.errors import ShapelyError

    try:
        geom = wkt.loads(text)
    except (ShapelyError, ValueError) as exc:
        raise ValueError("not a WKT LINESTRING or MULTILINESTRING") from exc
    if geom.geom_type == "LineString":
        parts = [geom]
    elif geom.geom_type == "MultiLineString":
        parts = list(geom.geoms)
    else:
        raise ValueError(f"a {geom.geom_type} is not a line")
    return [_checked_line([(x, y) for x, y, *_z in part.coords]) for part in parts]


def _checked_line(coords: Iterable) -> list[tuple[float, float]]:
    line = []
    for point in coords:
        if not isinstance(point, list | tuple) or len(point) < 2:
            raise ValueError("a position must be [longitude, latitude]")
        lon, lat = point[0], point[1]
        if isinstance(lon, bool) or not isinstance(lon, int | float):
            raise ValueError("a position must hold numbers")
        if isinstance(lat, bool) or not isinstance(lat, int | float):
            raise ValueError("a position must hold numbers")
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("a position must hold numbers")
        problem = check_lat_lon(lat, lon)
        if problem:
            raise ValueError(problem)
        line.append((round(float(lon), 6), round(float(lat), 6)))
    if len(line) < 2:
        raise ValueError("a line needs at least two positions")
    return line


def geojson_lines(geometry: dict) -> list[list[tuple[float, float]]]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "LineString" and isinstance(coords, list):
        return [_checked_line(coords)]
    if kind == "MultiLineString" and isinstance(coords, list):
        return [_checked_line(part) for part in coords if isinstance(part, list)]
    raise ValueError("the geometry must be a LineString or MultiLineString")


def _properties(feature: dict) -> dict[str, str]:
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return {}
    out = {fold(str(k)).replace(" ", "_"): v for k, v in props.items()}
    if "id" in feature and "id" not in out:
        out["id"] = feature["id"]
    return {k: ("" if v is None else str(v)).strip() for k, v in out.items()}


def _prop(props: dict[str, str], what: str) -> str:
    for name in ALIASES[what]:
        if props.get(name):
            return props[name]
    return ""


def _point_of(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of a Point, or a representative point of a building outline."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Point":
        (lon, lat) = _checked_line([coords, coords])[0]
        return lat, lon
    if kind in ("Polygon", "MultiPolygon"):
        from shapely.errors import ShapelyError
        from shapely.geometry import shape

        try:
            point = shape(geometry).representative_point()
        except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            raise ValueError("the outline cannot be read") from exc
        problem = check_lat_lon(point.y, point.x)
        if problem:
            raise ValueError(problem)
        return round(point.y, 7), round(point.x, 7)
    raise ValueError("a house number needs a Point (or a building outline)")


def parse_geojson(data: bytes | str, *, progress: Progress | None = None) -> ParsedRegister:
    """A FeatureCollection of named street lines and of house-number points (OpenStreetMap's
    `name`, `highway`, `addr:street`, `addr:housenumber`, `addr:postcode`; ANNCSU's column
    names are read too). Errors name the feature by its position in the collection."""
    try:
        doc = json.loads(data if isinstance(data, str) else _decode(data))
    except json.JSONDecodeError as exc:
        raise ParseError(
            _("Not valid JSON: %(error)s (line %(line)d).") % {"error": exc.msg, "line": exc.lineno}
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ParseError(_("The file must hold a GeoJSON FeatureCollection."))
    features = doc.get("features")
    if not isinstance(features, list):
        raise ParseError(_("The FeatureCollection has no list of features."))
    result = ParsedRegister(format="geojson")
    for n, feature in enumerate(features, start=1):
        result.rows += 1
        if progress:
            progress.tick(result.rows, "features read")
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            result.error(n, "feature without a geometry")
            continue
        props = _properties(feature)
        geometry = feature["geometry"]
        number_text = _prop(props, "number")
        try:
            if number_text:
                _geojson_address(result, n, props, geometry, number_text)
            elif geometry.get("type") in ("LineString", "MultiLineString"):
                _geojson_street(result, n, props, geometry)
            else:
                result.error(n, "neither a named street line nor a house number")
        except ValueError as exc:
            result.error(n, str(exc))
    return result


def _geojson_street(result: ParsedRegister, n: int, props: dict, geometry: dict) -> None:
    name = display_name(props.get("name") or _prop(props, "street"))
    if not name:
        result.skipped["unnamed line"] += 1
        return
    if len(name) > 200:
        raise ValueError("the street name is longer than 200 characters")
    lines = geojson_lines(geometry)
    code = _prop(props, "street_code")[:64]
    rank = HIGHWAY_RANK.get(props.get("highway", ""))
    street = result.street(
        street_key(code, name), name, n, code=code, locality=_prop(props, "locality"), rank=rank
    )
    street.lines.extend(lines)


def _geojson_address(
    result: ParsedRegister, n: int, props: dict, geometry: dict, number_text: str
) -> None:
    name = display_name(props.get("addr_street") or _prop(props, "street"))
    if not name:
        raise ValueError("a house number without its street (addr:street)")
    exponent = _prop(props, "exponent")
    house = parse_house_number(f"{number_text}/{exponent}" if exponent else number_text)
    if house is None:
        raise ValueError(f"{number_text!r} is not a house number")
    lat, lon = _point_of(geometry)
    code = _prop(props, "street_code")[:64]
    key = street_key(code, name)
    result.street(key, name, n, code=code)
    result.addresses.append(
        ParsedAddress(
            line=n,
            street_key=key,
            number=house.number,
            exponent=house.exponent[:12],
            lat=lat,
            lon=lon,
            code=_prop(props, "code")[:64],
            postcode=_prop(props, "postcode")[:10],
        )
    )


def parse(
    data: bytes, fmt: str = "", *, municipality: str = "", progress: Progress | None = None
) -> ParsedRegister:
    """`fmt` "csv" or "geojson"; empty: GeoJSON when the file starts with '{'."""
    if not fmt:
        fmt = "geojson" if data.lstrip()[:1] == b"{" else "csv"
    if fmt == "geojson":
        return parse_geojson(data, progress=progress)
    if fmt == "csv":
        return parse_csv(data, municipality=municipality, progress=progress)
    raise ParseError(_("Unknown format %(format)r: csv or geojson.") % {"format": fmt})
