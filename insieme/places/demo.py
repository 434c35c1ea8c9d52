"""Demo seed of the street register (order 15, after the administrations, before the cases):
a believable street network with house numbers for each fictional municipality, so that the
demo's maps show streets with no tile server and its reports lie on named streets.

Deterministic from the seed. Each municipality gets a town at the point of its territory
furthest from the border: an old centre of lanes around a square, main roads leaving it (which
become provincial roads out to the villages and the border), rings of avenues, and quarters of
streets on a slightly irregular grid between the main roads; each village gets a square and a
few streets. Every street is numbered from the end nearer the centre, odd numbers on the left
and even on the right, now and then a 12/A; squares are numbered round; country roads have a
house here and there. Everything is written through `insieme.places.actions.import_register`.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

from shapely.geometry import LineString, Point, Polygon
from shapely.ops import polylabel

from insieme.core.geo import GeometryError, parse_boundary
from insieme.core.registry import DemoSeed
from insieme.places import actions
from insieme.places import demo_names as N
from insieme.places.models import Address
from insieme.places.parsers import ParsedAddress, ParsedRegister, ParsedStreet
from insieme.places.text import fold, format_house_number

SOURCE = "Insieme demo (generated street network)"
ATTRIBUTION = "Demo street register, fictional"
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class TownSpec:
    radius: float  # metres from the centre to the edge of the built-up area
    spacing: float  # between the streets of a quarter, one way
    block: float  # and the other way
    radials: int
    rings: tuple[float, ...]  # as fractions of the radius
    lanes: int
    old_centre: float  # radius of the old centre (lanes, no grid)


TOWNS = {
    "lago-verde": TownSpec(1400, 130, 230, 6, (0.36, 0.78), 12, 230),
    "montalto": TownSpec(780, 110, 200, 5, (0.55,), 8, 170),
    "san-pietro-al-colle": TownSpec(330, 95, 160, 3, (), 5, 120),
}
VILLAGE = TownSpec(270, 100, 170, 0, (), 2, 60)


def _spec_for(slug: str, population: int) -> TownSpec:
    if slug in TOWNS:
        return TOWNS[slug]
    radius = max(250.0, min(1500.0, 120 * math.sqrt(max(population, 1000) / 1000)))
    return TownSpec(radius, 110, 200, 4, (0.6,) if radius > 600 else (), 6, radius / 5)


class Frame:
    """Local metres around a point (equirectangular: exact enough within a municipality)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = _M_PER_DEG * math.cos(math.radians(lat0))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * _M_PER_DEG

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.lon0 + x / self.kx, self.lat0 + y / _M_PER_DEG


class Names:
    """Names drawn without repetition within one municipality."""

    def __init__(self, rng: random.Random, slug: str = ""):
        self.used: set[str] = set()
        self.streets = list(N.STREETS)
        rng.shuffle(self.streets)
        self.lanes = list(N.LANES)
        rng.shuffle(self.lanes)
        # The lakeside avenue only where there is a lake.
        self.rings = [r for r in N.RINGS if slug == "lago-verde" or not r.startswith("Lungolago")]
        self.squares = list(N.SQUARES)
        self.provincial = list(N.PROVINCIAL)
        rng.shuffle(self.provincial)

    def take(self, pool: list[str]) -> str | None:
        while pool:
            name = pool.pop(0)
            if name not in self.used:
                self.used.add(name)
                return name
        return None


@dataclass
class Planned:
    name: str
    line: LineString  # local metres, from the end nearer the centre
    rank: int
    kind: str  # "street", "square", "road"
    locality: str = ""


def _wavy(rng, start, angle, length, step=70.0, amplitude=None) -> list[tuple[float, float]]:
    """A road heading `angle` from `start`, gently winding."""
    amplitude = amplitude if amplitude is not None else rng.uniform(15, 45)
    wavelength = rng.uniform(500, 1100)
    phase = rng.uniform(0, 2 * math.pi)
    dx, dy = math.cos(angle), math.sin(angle)
    points = []
    steps = max(2, int(length / step) + 1)
    for i in range(steps + 1):
        d = length * i / steps
        off = amplitude * math.sin(2 * math.pi * d / wavelength + phase) * min(1.0, d / 200)
        points.append((start[0] + dx * d - dy * off, start[1] + dy * d + dx * off))
    return points


def _curve(a, b, bend: float, n: int = 16) -> list[tuple[float, float]]:
    """A quadratic curve from a to b, bent sideways by `bend` metres."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    length = math.dist(a, b) or 1.0
    cx = mx - (b[1] - a[1]) / length * bend
    cy = my + (b[0] - a[0]) / length * bend
    return [
        (
            (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * cx + t**2 * b[0],
            (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * cy + t**2 * b[1],
        )
        for t in (i / n for i in range(n + 1))
    ]


def _longest(geom) -> LineString | None:
    if geom.is_empty:
        return None
    if isinstance(geom, LineString):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, LineString)]
    return max(parts, key=lambda g: g.length) if parts else None


def _from_centre(line: LineString, centre: tuple[float, float]) -> LineString:
    start, end = line.coords[0], line.coords[-1]
    return line if math.dist(start, centre) <= math.dist(end, centre) else line.reverse()


def _quarter(rng, area, centre, spec: TownSpec, names: Names, pool, rank=2, locality=""):
    """Streets on a slightly irregular grid filling `area`."""
    planned: list[Planned] = []
    if area.is_empty:
        return planned
    theta = rng.uniform(0, math.pi)
    minx, miny, maxx, maxy = area.bounds
    reach = math.hypot(maxx - minx, maxy - miny)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    for angle, spacing in ((theta, spec.spacing), (theta + math.pi / 2, spec.block)):
        dx, dy = math.cos(angle), math.sin(angle)
        offset = -reach / 2 + rng.uniform(0, spacing)
        while offset < reach / 2:
            tilt = rng.uniform(-0.05, 0.05)
            ddx, ddy = math.cos(angle + tilt), math.sin(angle + tilt)
            ox, oy = cx - dy * offset, cy + dx * offset
            line = LineString(
                [(ox - ddx * reach, oy - ddy * reach), (ox + ddx * reach, oy + ddy * reach)]
            )
            offset += spacing * rng.uniform(0.8, 1.2)
            if rng.random() < 0.1:  # a park, a school, the railway: no street here
                continue
            part = _longest(line.intersection(area))
            if part is None or part.length < 70:
                continue
            name = names.take(pool)
            if name is None:
                return planned
            planned.append(Planned(name, _from_centre(part, centre), rank, "street", locality))
    return planned


def _square(centre, size, angle) -> LineString:
    c, s = math.cos(angle), math.sin(angle)
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    return LineString(
        [
            (centre[0] + size * (x * c - y * s), centre[1] + size * (x * s + y * c))
            for x, y in corners
        ]
    )


def _lanes(rng, centre, radius, count, names: Names, radials) -> list[Planned]:
    """The old centre: the lane along the old walls, and lanes leaving the main roads."""
    planned = []
    disc = Point(centre).buffer(radius + 25)
    start = rng.uniform(0, 2 * math.pi)
    walls = [
        (centre[0] + radius * math.cos(t), centre[1] + radius * math.sin(t))
        for t in (start + k * 0.1 for k in range(int(2 * math.pi * 0.7 / 0.1)))
    ]
    name = names.take(["Via delle Mura"])
    if name:
        planned.append(Planned(name, LineString(walls), 2, "street"))
    for _ in range(count):
        angle, _radius, points = rng.choice(radials)
        r = rng.uniform(30, radius * 0.9)
        x, y = centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)
        heading = angle + rng.choice((-1, 1)) * (math.pi / 2 + rng.uniform(-0.5, 0.5))
        line = [(x, y)]
        for _step in range(rng.randint(2, 4)):
            heading += rng.uniform(-0.6, 0.6)
            d = rng.uniform(30, 60)
            x, y = x + d * math.cos(heading), y + d * math.sin(heading)
            line.append((x, y))
        part = _longest(LineString(line).intersection(disc))
        name = names.take(names.lanes)
        if part is None or part.length < 40 or name is None:
            continue
        planned.append(Planned(name, _from_centre(part, centre), 3, "street"))
    return planned


def plan_network(rng, territory: Polygon, slug: str, population: int) -> tuple[list, list]:
    """Streets (local metres) and the built-up areas [(centre, radius)] of one municipality."""
    spec = _spec_for(slug, population)
    names = Names(rng, slug)
    inner = territory.buffer(-40)
    centre_pt = polylabel(territory, tolerance=50)
    centre = (centre_pt.x, centre_pt.y)
    planned: list[Planned] = []
    urban = [(centre, spec.radius * 1.1)]

    # The old centre: a square and its lanes.
    square = names.take(names.squares)
    planned.append(Planned(square, _square(centre, 28, rng.uniform(0, 1)), 2, "square"))

    # Main roads leaving the centre, then on as provincial roads.
    base = rng.uniform(0, 2 * math.pi)
    step = 2 * math.pi / max(spec.radials, 1)
    radials: list[tuple[float, float, list]] = []
    villages = N.VILLAGES.get(slug, [])
    for i in range(spec.radials):
        angle = base + i * step + rng.uniform(-0.2, 0.2) * step
        radius = spec.radius * rng.uniform(0.85, 1.12)
        points = _wavy(rng, centre, angle, radius, amplitude=rng.uniform(10, 30))
        radials.append((angle, radius, points))
        name = names.take(list(N.RADIALS[i:]) + list(N.RADIALS[:i])) or f"Via {i + 1}"
        line = _longest(LineString(points).intersection(inner))
        if line is not None:
            planned.append(Planned(name, _from_centre(line, centre), 1, "road"))
        if i >= len(villages) and rng.random() < 0.4:
            continue
        # Out of town: to the village on this side (if any), then on to the border.
        end = points[-1]
        out = [end]
        if i < len(villages):
            distance = spec.radius + rng.uniform(2600, 5200)
            for _try in range(12):
                v = (centre[0] + distance * math.cos(angle), centre[1] + distance * math.sin(angle))
                if territory.buffer(-VILLAGE.radius * 1.6).contains(Point(v)):
                    break
                distance *= 0.85
            else:
                v = None
            if v is not None and distance > spec.radius + 700:
                out += _curve(end, v, rng.uniform(-400, 400))[1:]
                urban.append((v, VILLAGE.radius * 1.15))
                planned += _village(rng, v, angle, villages[i], territory, names)
        tail = out[-1]
        out += _wavy(rng, tail, angle + rng.uniform(-0.3, 0.3), 30_000, step=150)[1:]
        road = _longest(LineString(out).intersection(inner))
        name = names.take(names.provincial)
        if road is not None and name is not None and road.length > 300:
            planned.append(Planned(name, _from_centre(road, centre), 1, "road"))

    if radials:
        planned += _lanes(rng, centre, spec.old_centre, spec.lanes, names, radials)

    # Rings of avenues, each in two or three arcs.
    for fraction in spec.rings:
        r0 = spec.radius * fraction
        phase = rng.uniform(0, 2 * math.pi)
        ring = [
            (
                centre[0] + r0 * (1 + 0.07 * math.sin(3 * t + phase)) * math.cos(t),
                centre[1] + r0 * (1 + 0.07 * math.sin(3 * t + phase)) * math.sin(t),
            )
            for t in (k * 2 * math.pi / 72 for k in range(73))
        ]
        cuts = sorted(rng.sample(range(72), rng.randint(2, 3)))
        for a, b in zip(cuts, cuts[1:] + [cuts[0] + 72], strict=True):
            arc = [ring[k % 72] for k in range(a, b + 1)]
            line = _longest(LineString(arc).intersection(inner))
            name = names.take(names.rings)
            if line is not None and name is not None and line.length > 150:
                planned.append(Planned(name, _from_centre(line, centre), 1, "road"))

    # Quarters between the main roads.
    old = Point(centre).buffer(spec.old_centre)
    for i, (angle, radius, points) in enumerate(radials):
        next_angle, next_radius, next_points = radials[(i + 1) % len(radials)]
        if next_angle <= angle:
            next_angle += 2 * math.pi
        edge = [
            (
                centre[0] + r * math.cos(t),
                centre[1] + r * math.sin(t),
            )
            for k in range(13)
            for t, r in [
                (
                    angle + (next_angle - angle) * k / 12,
                    radius + (next_radius - radius) * k / 12,
                )
            ]
        ]
        sector = Polygon(points + edge[1:-1] + list(reversed(next_points))).buffer(0)
        area = sector.intersection(inner).difference(old)
        planned += _quarter(rng, area, centre, spec, names, names.streets)
    return planned, urban


def _village(rng, v, angle, name: str, territory: Polygon, names: Names) -> list[Planned]:
    planned = []
    square = names.take(names.squares)
    if square:
        planned.append(
            Planned(square, _square((v[0] + 40, v[1] + 25), 20, angle), 2, "square", name)
        )
    area = Point(v).buffer(VILLAGE.radius * rng.uniform(0.85, 1.15)).intersection(territory)
    planned += _quarter(rng, area, v, VILLAGE, names, names.streets, locality=name)
    return planned[: 2 + rng.randint(3, 7)]


def _is_urban(x: float, y: float, urban) -> bool:
    return any(math.dist((x, y), c) <= r for c, r in urban)


class Walker:
    """Points and directions along a line by distance from its start (plain arithmetic:
    shapely's interpolate per house number was most of the demo's street time)."""

    def __init__(self, line: LineString):
        self.points = list(line.coords)
        self.starts = [0.0]
        for a, b in zip(self.points, self.points[1:], strict=False):
            self.starts.append(self.starts[-1] + math.dist(a, b))
        self.length = self.starts[-1]

    def at(self, s: float) -> tuple[float, float, float, float]:
        """(x, y, unit dx, unit dy) at distance s."""
        i = max(0, min(bisect.bisect_right(self.starts, s) - 1, len(self.points) - 2))
        (x0, y0), (x1, y1) = self.points[i], self.points[i + 1]
        seg = (self.starts[i + 1] - self.starts[i]) or 1.0
        t = max(0.0, min(1.0, (s - self.starts[i]) / seg))
        return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, (x1 - x0) / seg, (y1 - y0) / seg


def number_street(rng, item: Planned, urban) -> list[tuple[int, str, float, float]]:
    """House numbers along a street: (number, exponent, x, y)."""
    walk, out = Walker(item.line), []
    length = walk.length
    if item.kind == "square":  # numbered round, on the outer side
        centre = item.line.centroid
        s, n = 4.0, 1
        while s < length - 4:
            x, y, _dx, _dy = walk.at(s)
            dx, dy = x - centre.x, y - centre.y
            k = 9 / (math.hypot(dx, dy) or 1)
            out.append((n, "", x + dx * k, y + dy * k))
            n += 1
            s += rng.uniform(10, 16)
        return out
    for side, first in ((1, 1), (-1, 2)):  # odd on the left, even on the right
        s, n = rng.uniform(10, 18), first
        while s < length - 10:
            px, py, tx, ty = walk.at(s)
            urban_here = _is_urban(px, py, urban)
            if not urban_here and rng.random() < 0.93:
                s += rng.uniform(120, 400)  # country: a farm now and then
                continue
            if urban_here and rng.random() < 0.05:
                s += rng.uniform(40, 110)  # a garden, a car park
                continue
            off = rng.uniform(8, 12) * side
            x, y = px - ty * off, py + tx * off
            out.append((n, "", x, y))
            if urban_here and rng.random() < 0.03:
                out.append((n, rng.choice("AB"), x + tx * 4, y + ty * 4))
            n += 2
            s += rng.uniform(14, 26) if urban_here else rng.uniform(60, 200)
    return out


def generate(admin, seed: int, population: int = 0) -> ParsedRegister:
    """The parsed register of one municipality (what an import would read from a file)."""
    territory_ll = parse_boundary(admin.boundary)
    rng = random.Random(f"{seed}:places:{admin.slug}")
    c = territory_ll.centroid
    frame = Frame(c.x, c.y)
    rings = [territory_ll] if territory_ll.geom_type == "Polygon" else list(territory_ll.geoms)
    territory = max(
        (Polygon([frame.xy(x, y) for x, y in ring.exterior.coords]) for ring in rings),
        key=lambda p: p.area,
    )
    planned, urban = plan_network(rng, territory, admin.slug, population)
    parsed = ParsedRegister(format="demo")
    prefix = fold(admin.slug).replace(" ", "")[:12]
    for i, item in enumerate(planned, start=1):
        code = f"demo-{prefix}-{i:04d}"
        coords = [frame.lonlat(x, y) for x, y in item.line.coords]
        parsed.streets[code] = ParsedStreet(
            key=code,
            name=item.name,
            code=code,
            locality=item.locality,
            rank=item.rank,
            lines=[[(round(lon, 6), round(lat, 6)) for lon, lat in coords]],
            line=i,
        )
        for number, exponent, x, y in number_street(rng, item, urban):
            lon, lat = frame.lonlat(x, y)
            parsed.addresses.append(
                ParsedAddress(
                    line=i,
                    street_key=code,
                    number=number,
                    exponent=exponent,
                    lat=round(lat, 7),
                    lon=round(lon, 7),
                    code=f"{code}-{number}{exponent}",
                )
            )
    return parsed


def run(ctx) -> None:
    streets = addresses = 0
    for admin in ctx.municipalities:
        if not admin.boundary:
            continue
        try:
            parsed = generate(admin, ctx.seed, ctx.population.get(admin.slug, 0))
        except GeometryError:
            continue
        result = actions.import_register(
            ctx.actor, admin, parsed, source=SOURCE, attribution=ATTRIBUTION
        )
        streets += result.register.street_count
        addresses += result.register.address_count
    ctx.say(f"Street register: {streets} streets, {addresses} house numbers (generated)")


SEED = DemoSeed(key="places", order=15, run=run, app="places")


def sample_points(admin) -> list[tuple[str, str, float, float]]:
    """(street, house number, lat, lon) of every address of `admin`, in a stable order: where
    the demo's cases are placed (insieme.cases.demo), so that reports lie on named streets."""
    rows = (
        Address.objects.filter(administration=admin)
        .order_by("id")
        .values_list("street__name", "number", "exponent", "lat", "lon")
    )
    return [(street, format_house_number(n, e), lat, lon) for street, n, e, lat, lon in rows]
