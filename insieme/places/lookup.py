"""Reading the street register: address search, reverse lookup (the address nearest a point),
resolving a written address for the filing form, and street tiles for the map.

The register is public data, so these read across administrations without permission checks;
`insieme.places.access` turns an administration slug into an administration or a 404.

Search goes through the word index: the longest typed word is looked up by prefix with a range
seek on (administration, word); the few streets found are then checked against the other words
in Python. Typos fall back to the closest words of the administration's vocabulary (difflib).
Reverse lookup seeks the point's grid cell and the eight around it.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _
from shapely.geometry import LineString, MultiLineString, Point, shape

from insieme.core.geo import distance_m, grid_cell
from insieme.core.models import Administration
from insieme.places.models import GRID_METRES, Address, Register, Street, StreetWord
from insieme.places.text import (
    HouseNumber,
    fold,
    format_house_number,
    name_words,
    prefix_range,
    query_words,
    split_address,
)

SEARCH_LIMIT = 8
# Words most street names share ("Via", "Piazza"): poor leads for the index.
GENERIC = frozenset(
    [
        "via",
        "viale",
        "piazza",
        "piazzale",
        "piazzetta",
        "corso",
        "largo",
        "vicolo",
        "strada",
        "salita",
        "borgo",
        "contrada",
        "localita",
        "frazione",
        "lungolago",
        "lungomare",
        "provinciale",
        "statale",
        "comunale",
        "vicinale",
        "san",
        "santa",
        "santo",
        "sant",
    ]
)
STREET_CANDIDATES = 400
NEAREST_ADDRESS_M = 80.0  # within the point's cell and the eight around (100 m cells)
NEAREST_STREET_M = 50.0
FUZZY_CUTOFF = 0.75
SUGGESTIONS = 5
TILE_MIN_ZOOM, TILE_MAX_ZOOM, ADDRESS_TILE_ZOOM = 10, 16, 17


@dataclass
class Found:
    """A place in the register: an address, or a street (no number)."""

    kind: str  # "address" or "street"
    street: str
    number: str
    lat: float
    lon: float
    administration: str  # slug
    administration_name: str
    distance: float | None = None

    @property
    def label(self) -> str:
        return f"{self.street} {self.number}" if self.number else self.street

    def as_json(self) -> dict:
        data = {
            "kind": self.kind,
            "label": self.label,
            "street": self.street,
            "number": self.number,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "administration": self.administration,
            "administration_name": self.administration_name,
        }
        if self.distance is not None:
            data["distance"] = round(self.distance)
        return data


@dataclass(frozen=True)
class StreetRow:
    """What search needs of a street (no geometry: decoding lines is the expensive part)."""

    pk: int
    name: str
    rank: int
    administration_id: int
    admin_slug: str
    admin_name: str
    admin_brand: str

    @property
    def admin_display(self) -> str:
        return self.admin_brand or self.admin_name


STREET_ROW = (
    "id",
    "name",
    "rank",
    "administration_id",
    "administration__slug",
    "administration__name",
    "administration__brand_name",
)


@dataclass
class StreetMatch:
    street: StreetRow
    exact: int  # query words equal to a word of the name
    fuzzy: int  # query words matched only approximately
    extra: int  # words of the name the query did not mention

    def sort_key(self):
        return (self.fuzzy, -self.exact, self.extra, self.street.rank, self.street.name)


# --- the vocabulary and word matching ----------------------------------------------------


def register_stamp() -> str:
    """Changes whenever any register is imported (keys caches and ETags)."""
    rows = sorted(Register.objects.values_list("administration_id", "version"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def _vocabulary(admin_id: int | None) -> list[str]:
    key = f"places:vocab:{admin_id}:{register_stamp()}"
    words = cache.get(key)
    if words is None:
        qs = StreetWord.objects.all()
        if admin_id is not None:
            qs = qs.filter(administration_id=admin_id)
        words = sorted(set(qs.values_list("word", flat=True)))
        cache.set(key, words, 3600)
    return words


@lru_cache(maxsize=65536)
def _street_words(name: str) -> tuple[str, ...]:
    return tuple(name_words(name))


def match_streets(words: list[str], admin: Administration | None) -> list[StreetMatch]:
    """Streets whose name holds every query word (by prefix, or spelt closely), best first.
    One query: the longest word's prefix range on the word index, joined to the streets."""
    if not words:
        return []
    # The most selective word leads: the longest one that is not the generic part of a name.
    anchor = max(enumerate(words), key=lambda iw: (iw[1] not in GENERIC, len(iw[1]), iw[0]))[1]
    index = StreetWord.objects.all()
    if admin is not None:
        index = index.filter(administration=admin)
    low, high = prefix_range(anchor)
    in_range = {"word__gte": low, **({"word__lt": high} if high else {})}

    def streets(word_filter) -> list:
        # The word index drives (a range seek on street_word_idx), then the streets by key.
        ids = index.filter(**word_filter).values("street_id")
        return list(Street.objects.filter(pk__in=ids).values_list(*STREET_ROW)[:STREET_CANDIDATES])

    rows = streets(in_range)
    fuzzy_anchor = False
    if not rows and len(anchor) >= 3:
        close = difflib.get_close_matches(
            anchor, _vocabulary(admin.pk if admin else None), n=4, cutoff=FUZZY_CUTOFF
        )
        if close:
            fuzzy_anchor = True
            rows = streets({"word__in": close})
    candidates = [(StreetRow(*row), _street_words(row[1])) for row in rows]
    found = _matching(words, candidates, fuzzy=False)
    if not found:  # nothing by prefix: allow close spellings of the other words
        found = _matching(words, candidates, fuzzy=True)
    if fuzzy_anchor:
        for match in found:
            match.fuzzy = max(match.fuzzy, 1)
    found.sort(key=StreetMatch.sort_key)
    return found


def _matching(words: list[str], candidates, fuzzy: bool) -> list[StreetMatch]:
    found = []
    for street, street_words in candidates:
        exact = approximate = 0
        for word in words:
            if word in street_words:
                exact += 1
            elif any(w.startswith(word) for w in street_words):
                pass
            elif fuzzy and len(word) >= 3 and any(_close(word, w) for w in street_words):
                approximate += 1
            else:
                break
        else:
            found.append(StreetMatch(street, exact, approximate, len(street_words) - exact))
    return found


def _close(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= FUZZY_CUTOFF + 0.05


# --- points of streets ---------------------------------------------------------------------


def _admins(ids) -> dict[int, tuple[str, str]]:
    """{administration id: (slug, display name)} for the few administrations of some results."""
    return {
        a.pk: (a.slug, a.display_name)
        for a in Administration.objects.filter(pk__in=set(ids)).only(
            "id", "slug", "name", "brand_name"
        )
    }


def _line(geometry):
    if not geometry:
        return None
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return geom if isinstance(geom, LineString | MultiLineString) and not geom.is_empty else None


def street_point(street_id: int) -> tuple[float, float] | None:
    """(lat, lon) where a street is shown when no number is given: its middle house number, or
    the middle of its line."""
    numbers = list(
        Address.objects.filter(street_id=street_id)
        .order_by("number", "exponent")
        .values_list("lat", "lon")
    )
    if numbers:
        return numbers[len(numbers) // 2]
    geometry = Street.objects.filter(pk=street_id).values_list("geometry", flat=True).first()
    line = _line(geometry)
    if line is None:
        return None
    middle = line.interpolate(0.5, normalized=True)
    return middle.y, middle.x


def _found_street(street: StreetRow) -> Found | None:
    point = street_point(street.pk)
    if point is None:
        return None
    return Found(
        "street", street.name, "", point[0], point[1], street.admin_slug, street.admin_display
    )


# --- search --------------------------------------------------------------------------------


def _numbers_like(house: HouseNumber) -> Q:
    """The typed number, and the numbers it begins (typing '12' offers 12, 12/A, 120-129)."""
    n = house.number
    q = Q(number=n)
    if not house.exponent:
        q |= Q(number__gte=n * 10, number__lte=n * 10 + 9)
        q |= Q(number__gte=n * 100, number__lte=n * 100 + 99)
    return q


def search(text: str, admin: Administration | None = None, limit: int = SEARCH_LIMIT) -> list:
    """Places in the register for what a person typed: 'via garibaldi 12', 'p.za roma',
    'c.so vittorio 3/a'. Addresses when a number was typed, streets otherwise."""
    street_text, house = split_address(text)
    words = query_words(street_text)
    matches = match_streets(words, admin)
    results: list[Found] = []
    if house is not None:
        # "Strada provinciale 12": the number may be part of the name.
        number_word = str(house.number)
        named = [m for m in matches if not m.fuzzy and number_word in _street_words(m.street.name)]
        results += [f for f in map(_found_street, (m.street for m in named)) if f is not None]
    if house is None:
        for match in matches[: limit * 2]:
            if (found := _found_street(match.street)) is not None:
                results.append(found)
            if len(results) >= limit:
                break
        return results
    streets = {m.street.pk: m.street for m in matches[:20]}
    if not streets:
        return results
    rows = (
        Address.objects.filter(street_id__in=list(streets))
        .filter(_numbers_like(house))
        .values_list("street_id", "number", "exponent", "lat", "lon")[:200]
    )
    order = {pk: i for i, pk in enumerate(streets)}
    typed = house.exponent.lower()

    def rank(row):
        street_id, number, exponent, _lat, _lon = row
        return (
            number != house.number,
            not exponent.lower().startswith(typed),
            order[street_id],
            len(str(number)),
            number,
            exponent,
        )

    for street_id, number, exponent, lat, lon in sorted(rows, key=rank):
        if len(results) >= limit:
            break
        street = streets[street_id]
        label = format_house_number(number, exponent)
        results.append(
            Found("address", street.name, label, lat, lon, street.admin_slug, street.admin_display)
        )
    return results


# --- reverse lookup ------------------------------------------------------------------------


def nearest_address(lat: float, lon: float, admin: Administration | None = None) -> Found | None:
    row, col = grid_cell(lat, lon, GRID_METRES)
    qs = Address.objects.filter(
        cell_row__in=(row - 1, row, row + 1), cell_col__in=(col - 1, col, col + 1)
    )
    if admin is not None:
        qs = qs.filter(administration=admin)
    best, best_d = None, NEAREST_ADDRESS_M
    for candidate in qs.values_list("street_id", "number", "exponent", "lat", "lon"):
        d = distance_m(lat, lon, candidate[3], candidate[4])
        if d <= best_d:
            best, best_d = candidate, d
    if best is None:
        return None
    street_id, number, exponent, a_lat, a_lon = best
    name, admin_id = Street.objects.filter(pk=street_id).values_list("name", "administration_id")[0]
    slug, admin_name = _admins([admin_id])[admin_id]
    label = format_house_number(number, exponent)
    return Found("address", name, label, a_lat, a_lon, slug, admin_name, best_d)


def nearest_street(lat: float, lon: float, admin: Administration | None = None) -> Found | None:
    dlat = NEAREST_STREET_M / 111_320.0
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    qs = Street.objects.filter(
        min_lat__lte=lat + dlat,
        max_lat__gte=lat - dlat,
        min_lon__lte=lon + dlon,
        max_lon__gte=lon - dlon,
    )
    if admin is not None:
        qs = qs.filter(administration=admin)
    scale = math.cos(math.radians(lat))
    here = Point(lon * scale, lat)
    best, best_d = None, NEAREST_STREET_M
    for name, admin_id, geometry in qs.values_list("name", "administration_id", "geometry")[:500]:
        line = _line(geometry)
        if line is None:
            continue
        parts = [line] if isinstance(line, LineString) else list(line.geoms)
        for part in parts:
            local = LineString([(x * scale, y) for x, y, *_z in part.coords])
            d = local.distance(here) * 111_320.0
            if d <= best_d:
                best, best_d = (name, admin_id), d
    if best is None:
        return None
    slug, admin_name = _admins([best[1]])[best[1]]
    return Found("street", best[0], "", lat, lon, slug, admin_name, best_d)


def nearest(lat: float, lon: float, admin: Administration | None = None) -> Found | None:
    """The address nearest the point within NEAREST_ADDRESS_M, else the street within
    NEAREST_STREET_M, else None ("no address nearby")."""
    return nearest_address(lat, lon, admin) or nearest_street(lat, lon, admin)


# --- resolving a written address (the filing form without JavaScript) ---------------------


@dataclass
class AddressProblem(Exception):
    message: str
    suggestions: list[str] = field(default_factory=list)
    kind: str = "street"  # street (unknown), ambiguous, number (missing or unknown)

    def __str__(self) -> str:
        return self.message


def has_register(admin: Administration) -> bool:
    return Address.objects.filter(administration=admin).exists()


def _nearest_numbers(street: StreetRow, house: HouseNumber) -> list[str]:
    rows = list(Address.objects.filter(street_id=street.pk).values_list("number", "exponent"))
    rows.sort(key=lambda r: (abs(r[0] - house.number), r[0], r[1]))
    picked = sorted(rows[:SUGGESTIONS])
    return [format_house_number(n, e) for n, e in picked]


def resolve(admin: Administration, text: str) -> Found:
    """The register's place for an address written in a form ('Via Roma 12'), or
    AddressProblem saying what is wrong (unknown street, street ambiguous, number missing,
    unknown number with the nearest numbers suggested)."""
    street_text, house = split_address(text)
    words = query_words(street_text)
    where = admin.display_name
    if not words:
        raise AddressProblem(_("Write the name of the street and the house number."))
    matches = [m for m in match_streets(words, admin) if m.fuzzy == 0]
    if house is not None and not matches:
        named = [m for m in match_streets([*words, str(house.number)], admin) if m.fuzzy == 0]
        if named:  # "Strada provinciale 12": the number is part of the name
            matches, house = named, None
    if not matches:
        close = [m.street.name for m in match_streets(words, admin)[:SUGGESTIONS]]
        if close:
            raise AddressProblem(
                _("There is no street “%(street)s” in %(admin)s. Did you mean: %(names)s?")
                % {"street": street_text, "admin": where, "names": ", ".join(close)},
                close,
            )
        raise AddressProblem(
            _(
                "There is no street “%(street)s” in %(admin)s. Check the name as it is written "
                "on the street sign."
            )
            % {"street": street_text, "admin": where}
        )
    candidates = [m for m in matches if m.extra == 0] or matches
    names = sorted({m.street.name for m in candidates[: SUGGESTIONS * 2]})
    if len(names) > 1:
        raise AddressProblem(
            _("Several streets match “%(street)s”: %(names)s. Write the full name.")
            % {"street": street_text, "names": ", ".join(names[:SUGGESTIONS])},
            names[:SUGGESTIONS],
            kind="ambiguous",
        )
    # One name, perhaps several streets of it (in different localities): any holding the number.
    streets = [m.street for m in candidates]
    street = streets[0]
    numbered = Address.objects.filter(street_id__in=[s.pk for s in streets])
    if house is None:
        if numbered.exists():
            low = numbered.order_by("number").values_list("number", flat=True).first()
            high = numbered.order_by("-number").values_list("number", flat=True).first()
            raise AddressProblem(
                _(
                    "Add the house number nearest to the place: %(street)s has numbers "
                    "%(low)d to %(high)d."
                )
                % {"street": street.name, "low": low, "high": high},
                kind="number",
            )
        found = _found_street(street)
        if found is None:
            raise AddressProblem(
                _("%(street)s is in the register without a position: write a house number.")
                % {"street": street.name},
                kind="number",
            )
        return found
    if not numbered.exists():  # a street the register knows without numbers: its middle
        found = _found_street(street)
        if found is not None:
            found.number = str(house)
            return found
    by_id = {s.pk: s for s in streets}
    for street_id, exponent, lat, lon in (
        numbered.filter(number=house.number)
        .order_by("id")
        .values_list("street_id", "exponent", "lat", "lon")
    ):
        if exponent.lower() == house.exponent.lower():
            found_street = by_id[street_id]
            label = format_house_number(house.number, exponent)
            return Found(
                "address",
                found_street.name,
                label,
                lat,
                lon,
                found_street.admin_slug,
                found_street.admin_display,
            )
    nearest_numbers = _nearest_numbers(street, house)
    raise AddressProblem(
        _("%(street)s has no number %(number)s. The nearest numbers are: %(numbers)s.")
        % {"street": street.name, "number": str(house), "numbers": ", ".join(nearest_numbers)},
        [f"{street.name} {n}" for n in nearest_numbers],
        kind="number",
    )


def resolve_any(text: str) -> Found:
    """`resolve` over every administration with a register (the public map, where the place
    decides the administration). 'Via Roma 12, Montalto' names the municipality when the same
    address is in several."""
    admins = list(
        Administration.objects.filter(street_register__address_count__gt=0).order_by("name")
    )
    head, sep, tail = text.rpartition(",")
    if sep and fold(tail) and not any(c.isdigit() for c in tail):
        named = [a for a in admins if fold(tail) in (fold(a.name), fold(a.display_name))]
        named = named or [
            a for a in admins if fold(tail) in fold(a.name) or fold(tail) in fold(a.display_name)
        ]
        if named:
            admins, text = named, head
    if len(admins) == 1:
        return resolve(admins[0], text)
    found, problems = [], []
    for admin in admins:
        try:
            found.append(resolve(admin, text))
        except AddressProblem as problem:
            problems.append(problem)
    if len(found) == 1:
        return found[0]
    if found:
        where = ", ".join(f"{f.label} ({f.administration_name})" for f in found)
        raise AddressProblem(
            _(
                "This address is in several municipalities: %(places)s. Add the municipality "
                "after a comma, e.g. “%(example)s”."
            )
            % {"places": where, "example": f"{found[0].label}, {found[0].administration_name}"},
            kind="ambiguous",
        )
    specific = [p for p in problems if p.kind != "street"]
    if len(specific) == 1:
        raise specific[0]
    raise AddressProblem(
        _("No street of the register matches “%(address)s”.") % {"address": text.strip()}
    )


# --- tiles for the map ---------------------------------------------------------------------


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the web-map tile z/x/y."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def _rank_for_zoom(z: int) -> int:
    return 1 if z <= 12 else 2 if z == 13 else 3


def _rounded(geometry, digits: int) -> dict:
    def line(coords):
        out = []
        for x, y, *_z in coords:
            point = [round(x, digits), round(y, digits)]
            if not out or out[-1] != point:
                out.append(point)
        return out

    if isinstance(geometry, LineString):
        return {"type": "LineString", "coordinates": line(geometry.coords)}
    return {"type": "MultiLineString", "coordinates": [line(p.coords) for p in geometry.geoms]}


def street_tile(z: int, x: int, y: int) -> dict:
    """A GeoJSON FeatureCollection of the streets crossing tile z/x/y: whole lines (so that a
    name can follow its street), simplified to about half a pixel at that zoom; main roads only
    at low zoom. At ADDRESS_TILE_ZOOM: the house numbers in the tile instead."""
    west, south, east, north = tile_bounds(z, x, y)
    if z == ADDRESS_TILE_ZOOM:
        rows = Address.objects.filter(
            lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east
        ).values_list("id", "number", "exponent", "lat", "lon")[:5000]
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": pk,
                    "properties": {"n": format_house_number(number, exponent)},
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                }
                for pk, number, exponent, lat, lon in rows
            ],
        }
    streets = (
        Street.objects.filter(
            min_lat__lte=north,
            max_lat__gte=south,
            min_lon__lte=east,
            max_lon__gte=west,
            rank__lte=_rank_for_zoom(z),
            geometry__isnull=False,
        )
        .order_by("rank", "-length_m", "id")
        .only("id", "name", "rank", "geometry", "derived")[:5000]
    )
    tolerance = 360 / (256 * 2**z) / 2
    digits = 5 if z >= 14 else 4
    features = []
    for street in streets:
        line = _line(street.geometry)
        if line is None:
            continue
        if z < TILE_MAX_ZOOM:
            line = line.simplify(tolerance, preserve_topology=False)
            if line.is_empty or line.length == 0:
                continue
        features.append(
            {
                "type": "Feature",
                "id": street.pk,
                "properties": {"name": street.name, "rank": street.rank},
                "geometry": _rounded(line, digits),
            }
        )
    return {"type": "FeatureCollection", "features": features}
