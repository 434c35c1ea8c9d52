"""The one write path of the street register: validate, write in a transaction, audit.

`import_register` takes what a parser read (insieme.places.parsers) and upserts it into an
administration's register: streets by official code (or by name when the source has none, so an
OpenStreetMap extract adds lines to the streets an ANNCSU export named), addresses by official
code (or by street, number and exponent). A second import of the same file changes nothing;
`replace=True` also removes what the file no longer holds. The command line, the demo and the
tests all call it; it writes with bulk inserts and one audit entry per import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import LineString, MultiLineString, box
from shapely.ops import linemerge

from insieme.core import audit
from insieme.core.geo import GeometryError, distance_m, grid_cell, parse_boundary
from insieme.core.models import Administration
from insieme.places.models import GRID_METRES, Address, Register, Street, StreetWord
from insieme.places.parsers import ParsedAddress, ParsedRegister, ParsedStreet, guess_rank
from insieme.places.text import fold, name_words

BATCH = 2000
# A derived line (drawn through house numbers) breaks where two numbers lie further apart.
DERIVED_GAP_M = 400.0


@dataclass
class ImportResult:
    register: Register
    format: str
    streets_created: int = 0
    streets_updated: int = 0
    streets_unchanged: int = 0
    streets_deleted: int = 0
    addresses_created: int = 0
    addresses_updated: int = 0
    addresses_unchanged: int = 0
    addresses_deleted: int = 0
    derived_lines: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    skipped: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.streets_created
            + self.streets_updated
            + self.streets_deleted
            + self.addresses_created
            + self.addresses_updated
            + self.addresses_deleted
            + self.derived_lines
        )

    def summary(self) -> dict:
        return {
            "format": self.format,
            "streets": {
                "created": self.streets_created,
                "updated": self.streets_updated,
                "unchanged": self.streets_unchanged,
                "deleted": self.streets_deleted,
            },
            "addresses": {
                "created": self.addresses_created,
                "updated": self.addresses_updated,
                "unchanged": self.addresses_unchanged,
                "deleted": self.addresses_deleted,
            },
            "derived_lines": self.derived_lines,
            "rejected_lines": self.error_count,
            "skipped": dict(self.skipped),
        }


def _outside(admin: Administration, points: list[tuple[float, float]]) -> list[bool]:
    """For each (lat, lon): does it lie outside the boundary? (vectorised: big files)."""
    if not admin.boundary or not points:
        return [False] * len(points)
    try:
        geom = parse_boundary(admin.boundary)
    except GeometryError:
        return [False] * len(points)
    lats = np.fromiter((p[0] for p in points), float, len(points))
    lons = np.fromiter((p[1] for p in points), float, len(points))
    return list(~shapely.intersects_xy(geom, lons, lats))


def _boundary_box(admin: Administration):
    if not admin.boundary:
        return None
    try:
        return box(*parse_boundary(admin.boundary).bounds)
    except GeometryError:
        return None


def _validate(admin: Administration, parsed: ParsedRegister) -> tuple[list, list]:
    """Streets and addresses that may be written; the others become line-numbered errors."""
    outside = _outside(admin, [(a.lat, a.lon) for a in parsed.addresses])
    area = _boundary_box(admin)
    where = admin.display_name
    streets: list[ParsedStreet] = []
    for street in parsed.streets.values():
        if street.lines and area is not None:
            geom = MultiLineString(street.lines)
            if not geom.intersects(area):
                parsed.error(street.line, f"the line of {street.name} lies outside {where}")
                street.lines = []
        streets.append(street)
    addresses: list[ParsedAddress] = []
    by_code: dict[str, int] = {}
    by_number: dict[tuple, int] = {}
    for a, out in zip(parsed.addresses, outside, strict=True):
        if out:
            parsed.error(a.line, f"{a.lat}, {a.lon} is outside the boundary of {where}")
            continue
        if a.code:
            if a.code in by_code:
                parsed.error(a.line, f"address code {a.code} also on line {by_code[a.code]}")
                continue
            by_code[a.code] = a.line
        key = (a.street_key, a.number, a.exponent.lower())
        if key in by_number:
            parsed.error(a.line, f"the same house number is also on line {by_number[key]}")
            continue
        by_number[key] = a.line
        addresses.append(a)
    return streets, addresses


def _line_geometry(lines: list[list[tuple[float, float]]]) -> dict | None:
    if not lines:
        return None
    merged = linemerge(MultiLineString(lines)) if len(lines) > 1 else LineString(lines[0])
    if merged.geom_type == "LineString":
        return {"type": "LineString", "coordinates": [list(c) for c in merged.coords]}
    return {
        "type": "MultiLineString",
        "coordinates": [[list(c) for c in part.coords] for part in merged.geoms],
    }


def _parts(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "LineString":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _measure(geometry: dict | None) -> dict:
    """Bounding box and length in metres of a stored line."""
    if not geometry:
        return dict(min_lat=None, min_lon=None, max_lat=None, max_lon=None, length_m=0.0)
    parts = _parts(geometry)
    lons = [p[0] for part in parts for p in part]
    lats = [p[1] for part in parts for p in part]
    length = sum(
        distance_m(a[1], a[0], b[1], b[0])
        for part in parts
        for a, b in zip(part, part[1:], strict=False)
    )
    return dict(
        min_lat=min(lats),
        min_lon=min(lons),
        max_lat=max(lats),
        max_lon=max(lons),
        length_m=round(length, 1),
    )


STREET_FIELDS = [
    "name",
    "folded",
    "code",
    "locality",
    "rank",
    "geometry",
    "derived",
    "length_m",
    "min_lat",
    "min_lon",
    "max_lat",
    "max_lon",
]


def _street_values(parsed: ParsedStreet, current: Street | None) -> dict:
    geometry = _line_geometry(parsed.lines)
    derived = False
    if geometry is None and current is not None:
        geometry, derived = current.geometry, current.derived  # the file has no line: keep ours
    values = {
        "name": parsed.name[:200],
        "folded": fold(parsed.name)[:200],
        "code": parsed.code or (current.code if current else ""),
        "locality": (parsed.locality or (current.locality if current else ""))[:120],
        "rank": parsed.rank or guess_rank(parsed.name),
        "geometry": geometry,
        "derived": derived,
    }
    values.update(_measure(geometry))
    return values


def _write_streets(admin, streets: list[ParsedStreet], result: ImportResult) -> dict[str, int]:
    """Upsert the streets; returns {parsed street key: street id}."""
    existing = list(Street.objects.filter(administration=admin).order_by("id"))
    by_code = {s.code: s for s in existing if s.code}
    by_name: dict[str, Street] = {}
    for s in existing:
        by_name.setdefault(s.folded, s)
    ids: dict[str, int] = {}
    new: list[tuple[str, Street]] = []
    changed: list[Street] = []
    renamed: list[Street] = []
    for parsed in streets:
        folded = fold(parsed.name)
        current = by_code.get(parsed.code) if parsed.code else None
        if current is None:
            candidate = by_name.get(folded)
            # A street without a code is the same street as one of that name; a coded one only
            # adopts an uncoded street of its name (an older import from a source without codes).
            if candidate is not None and (not parsed.code or not candidate.code):
                current = candidate
        values = _street_values(parsed, current)
        if current is None:
            street = Street(administration=admin, **values)
            new.append((parsed.key, street))
            by_name.setdefault(folded, street)
            if street.code:
                by_code[street.code] = street
            continue
        ids[parsed.key] = current.pk
        if all(getattr(current, k) == v for k, v in values.items()):
            result.streets_unchanged += 1
            continue
        if current.folded != values["folded"]:
            renamed.append(current)
        for k, v in values.items():
            setattr(current, k, v)
        changed.append(current)
    Street.objects.bulk_create([s for _k, s in new], batch_size=BATCH)
    for key, street in new:
        ids[key] = street.pk
    Street.objects.bulk_update(changed, STREET_FIELDS, batch_size=500)
    result.streets_created += len(new)
    result.streets_updated += len(changed)
    _index_words(admin, [s for _k, s in new] + renamed)
    return ids


def _index_words(admin, streets: list[Street]) -> None:
    ids = [s.pk for s in streets]
    for i in range(0, len(ids), 500):
        StreetWord.objects.filter(street_id__in=ids[i : i + 500]).delete()
    StreetWord.objects.bulk_create(
        [
            StreetWord(administration=admin, street_id=s.pk, word=w[:60])
            for s in streets
            for w in name_words(s.name)
        ],
        batch_size=BATCH,
    )


ADDRESS_FIELDS = [
    "street_id",
    "number",
    "exponent",
    "code",
    "postcode",
    "lat",
    "lon",
    "cell_row",
    "cell_col",
]


def _insert_addresses(admin, rows: list[tuple]) -> None:
    """New addresses by COPY on PostgreSQL, executemany on SQLite: Django's bulk_create spends
    most of a big import building SQL row by row. Table and column names come from the model's
    metadata, quoted; values are parameters (or COPY's own encoding)."""
    qn = connection.ops.quote_name
    columns = ["administration_id", *(Address._meta.get_field(f).column for f in ADDRESS_FIELDS)]
    table, names = qn(Address._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((admin.pk, *row))
            if len(rows) > 10_000:  # fresh statistics, or the planner may scan past the index
                cur.execute(f"ANALYZE {table}")
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for i in range(0, len(rows), BATCH):
            cur.executemany(sql, [(admin.pk, *row) for row in rows[i : i + BATCH]])


def _write_addresses(
    admin, addresses: list[ParsedAddress], street_ids: dict[str, int], result, progress, replace
) -> None:
    """Upsert the addresses (and with `replace`, delete those the file no longer holds)."""
    rows = Address.objects.filter(administration=admin).values_list("id", *ADDRESS_FIELDS)
    current: dict[int, tuple] = {}
    by_code: dict[str, int] = {}
    by_number: dict[tuple, int] = {}
    for row in rows.iterator(chunk_size=5000):
        pk, values = row[0], row[1:]
        current[pk] = values
        if values[3]:
            by_code[values[3]] = pk
        by_number[(values[0], values[1], values[2].lower())] = pk
    seen: set[int] = set()
    new: list[tuple] = []
    changed: list[Address] = []
    for n, a in enumerate(addresses, start=1):
        if progress and n % 1000 == 0:
            progress.tick(n, "addresses checked")
        street_id = street_ids[a.street_key]
        pk = by_code.get(a.code) if a.code else None
        if pk is None:
            pk = by_number.get((street_id, a.number, a.exponent.lower()))
            if pk is not None and a.code and current[pk][3] and current[pk][3] != a.code:
                pk = None  # another coded address with this number: a new one
        if pk is not None and pk in seen:
            pk = None
        row, col = grid_cell(a.lat, a.lon, GRID_METRES)
        values = (
            street_id,
            a.number,
            a.exponent,
            a.code or (current[pk][3] if pk else ""),
            a.postcode,
            a.lat,
            a.lon,
            row,
            col,
        )
        if pk is None:
            new.append(values)
            continue
        seen.add(pk)
        if current[pk] == values:
            result.addresses_unchanged += 1
            continue
        changed.append(Address(pk=pk, **dict(zip(ADDRESS_FIELDS, values, strict=True))))
    if replace:
        stale = sorted(set(current) - seen)
        for i in range(0, len(stale), 500):
            Address.objects.filter(pk__in=stale[i : i + 500]).delete()
        result.addresses_deleted += len(stale)
    Address.objects.bulk_update(changed, ADDRESS_FIELDS, batch_size=500)
    _insert_addresses(admin, new)
    result.addresses_created += len(new)
    result.addresses_updated += len(changed)


def _delete_missing_streets(admin, street_ids: set[int], result) -> None:
    stale = sorted(
        set(Street.objects.filter(administration=admin).values_list("id", flat=True)) - street_ids
    )
    for i in range(0, len(stale), 500):
        Street.objects.filter(pk__in=stale[i : i + 500]).delete()
    result.streets_deleted += len(stale)


def derive_line(points: list[tuple[int, float, float]]) -> dict | None:
    """A street's line drawn through its house numbers, for sources that give none: numbers in
    fours (1-4, 5-8, ...) hold both sides of the street, so the middle of each group lies on it
    (in twos, or one by one, on a street of few numbers).
    `points` are (number, lat, lon); a jump longer than DERIVED_GAP_M starts a new part."""
    groups: dict[int, list[tuple[float, float]]] = defaultdict(list)
    size = 4 if len(points) >= 12 else 2 if len(points) >= 4 else 1
    for number, lat, lon in points:
        groups[(number - 1) // size].append((lat, lon))
    centres = [
        (sum(p[0] for p in g) / len(g), sum(p[1] for p in g) / len(g))
        for _k, g in sorted(groups.items())
    ]
    parts: list[list[list[float]]] = [[]]
    for lat, lon in centres:
        part = parts[-1]
        if part and distance_m(part[-1][1], part[-1][0], lat, lon) > DERIVED_GAP_M:
            parts.append(part := [])
        if not part or (round(lon, 6), round(lat, 6)) != tuple(part[-1]):
            part.append([round(lon, 6), round(lat, 6)])
    parts = [p for p in parts if len(p) >= 2]
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


def _derive_missing_lines(admin, result: ImportResult) -> None:
    streets = list(
        Street.objects.filter(administration=admin)
        .filter(Q(geometry__isnull=True) | Q(derived=True))
        .only("id", "geometry", "derived")
    )
    if not streets:
        return
    ids = [s.pk for s in streets]
    points: dict[int, list] = defaultdict(list)
    for i in range(0, len(ids), 500):
        for street_id, number, lat, lon in (
            Address.objects.filter(street_id__in=ids[i : i + 500])
            .order_by("street_id", "number", "exponent")
            .values_list("street_id", "number", "lat", "lon")
        ):
            points[street_id].append((number, lat, lon))
    changed = []
    for street in streets:
        geometry = derive_line(points.get(street.pk, []))
        if geometry == street.geometry:
            continue
        street.geometry, street.derived = geometry, geometry is not None
        for k, v in _measure(geometry).items():
            setattr(street, k, v)
        changed.append(street)
        result.derived_lines += geometry is not None
    fields = ["geometry", "derived", "length_m", "min_lat", "min_lon", "max_lat", "max_lon"]
    Street.objects.bulk_update(changed, fields, batch_size=500)


def import_register(
    actor,
    admin: Administration,
    parsed: ParsedRegister,
    *,
    replace: bool = False,
    strict: bool = False,
    source: str = "",
    attribution: str = "",
    progress=None,
) -> ImportResult:
    """Write what `parsed` holds into `admin`'s register (see the module docstring).

    Lines that cannot be written (outside the boundary, a code twice) join the parser's errors
    in the result; with `strict` any error writes nothing and raises ValidationError. A file
    with nothing to write raises ValidationError too."""
    streets, addresses = _validate(admin, parsed)
    result = ImportResult(register=None, format=parsed.format)  # type: ignore[arg-type]
    result.skipped = dict(parsed.skipped)
    if strict and parsed.error_count:
        raise ValidationError([str(e) for e in parsed.errors[:50]])
    # Addresses only name the streets they are on; keep the streets that have addresses or lines.
    used = {a.street_key for a in addresses}
    streets = [s for s in streets if s.lines or s.key in used or not parsed.addresses]
    if not streets and not addresses:
        raise ValidationError(
            [_("The file holds no street and no address that can be written.")]
            + [str(e) for e in parsed.errors[:20]]
        )
    if len(source) > 200 or len(attribution) > 300:
        raise ValidationError(_("The source or the attribution is too long."))
    with transaction.atomic():
        register, _created = Register.objects.select_for_update().get_or_create(
            administration=admin
        )
        street_ids = _write_streets(admin, streets, result)
        _write_addresses(admin, addresses, street_ids, result, progress, replace)
        if replace:
            _delete_missing_streets(admin, set(street_ids.values()), result)
        _derive_missing_lines(admin, result)
        result.register = register
        result.errors, result.error_count = list(parsed.errors), parsed.error_count
        credits_changed = (source and source != register.source) or (
            attribution and attribution != register.attribution
        )
        if not result.changed and not credits_changed and register.version:
            return result  # the same file again: nothing to record, caches stay valid
        before = audit.snapshot(register)
        register.version += 1
        register.imported_at = timezone.now()
        register.source = source or register.source or parsed.format
        register.attribution = attribution or register.attribution
        register.street_count = Street.objects.filter(administration=admin).count()
        register.address_count = Address.objects.filter(administration=admin).count()
        register.save()
        audit.record(
            actor=actor,
            action="places.register.import",
            obj=register,
            before=before,
            after={**audit.snapshot(register), "import": result.summary(), "replace": replace},
            administration=admin,
        )
    return result
