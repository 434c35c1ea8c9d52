"""Benchmarks of the street register (insieme.places): a city-sized register is generated in an
administration of its own (100,000 house numbers at BENCH_SIZE=full, 10,000 at small: a grid
of streets with unique names, 50 numbers each), imported through the import action, then

- ``places_address_search``: median time of `lookup.search` for typed addresses ("via marco
  bellini 12", abbreviated or cut short now and then), against a full scan in Python of the same
  register held in memory (every address checked against the words and the number, no index);
- ``places_reverse_lookup``: median time of `lookup.nearest` for points near a house, against a
  full scan in Python computing the distance to every address;
- ``places_import``: seconds to import the register (bulk inserts), without a baseline.

The baselines do not even pay for reading the database, so their ratios are conservative. Both
sides must agree on the answer; the run stops if they do not.
"""

from __future__ import annotations

import math
import random
import statistics
import time

from django.db import transaction

from insieme.core import actions as core_actions
from insieme.core.geo import distance_m
from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark
from insieme.places import actions, lookup
from insieme.places.parsers import ParsedAddress, ParsedRegister, ParsedStreet
from insieme.places.text import name_words, query_words, split_address

SIZES = {"small": 10_000, "full": 100_000}
NUMBERS_PER_STREET = 50
QUERIES = 200
SEED = 2027
SLUG = "bench-citta"
FIRST = [
    "Marco",
    "Luca",
    "Giulia",
    "Anna",
    "Paolo",
    "Maria",
    "Giovanni",
    "Francesca",
    "Andrea",
    "Chiara",
    "Matteo",
    "Sara",
    "Pietro",
    "Elena",
    "Stefano",
    "Laura",
    "Davide",
    "Silvia",
    "Simone",
    "Federica",
    "Roberto",
    "Valentina",
    "Alberto",
    "Cristina",
    "Massimo",
    "Alessandra",
    "Carlo",
    "Monica",
    "Franco",
    "Teresa",
    "Giorgio",
    "Lucia",
    "Enrico",
    "Rosa",
    "Sergio",
    "Marta",
    "Fabio",
    "Paola",
    "Nicola",
    "Ilaria",
]
LAST = [
    "Bellini",
    "Cattaneo",
    "Orlando",
    "Ferri",
    "Galli",
    "Conti",
    "Ricci",
    "Marini",
    "Greco",
    "Bruno",
    "Gallo",
    "Costa",
    "Fontana",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Villa",
    "Serra",
    "Vitale",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Fabbri",
    "Pellegrini",
    "Monti",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Colombo",
    "Sala",
    "Farina",
    "Cattani",
    "Negri",
    "Bianchi",
    "Russo",
    "Romano",
    "Esposito",
    "Ferrari",
    "Marchetti",
    "Testa",
    "Parisi",
    "Sorrentino",
    "Guerra",
    "Deledda",
    "Benedetti",
    "Donati",
    "Mancini",
    "Palumbo",
    "Grasso",
    "Cirillo",
    "Silvestri",
    "Messina",
    "Piras",
    "Basile",
    "Amato",
    "Riva",
]
DUG = ["Via", "Via", "Via", "Via", "Viale", "Piazza", "Corso", "Vicolo", "Largo"]
ABBREVIATED = {"Via": "v.", "Viale": "v.le", "Piazza": "p.za", "Corso": "c.so", "Largo": "l.go"}


def _names(n: int, rng: random.Random) -> list[str]:
    people = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(people)
    return [f"{rng.choice(DUG)} {people[i % len(people)]}" for i in range(n)]


def _register(n: int, lat0: float, lon0: float) -> ParsedRegister:
    """A grid of streets 80 m apart, numbers every 15 m, odd and even sides."""
    rng = random.Random(SEED)
    streets = n // NUMBERS_PER_STREET
    side = math.ceil(math.sqrt(streets))
    names = _names(streets, rng)
    kx = 111_320.0 * math.cos(math.radians(lat0))
    parsed = ParsedRegister(format="bench")
    for i in range(streets):
        row, col = divmod(i, side)
        y0, x0 = row * 80.0, col * (NUMBERS_PER_STREET // 2) * 15.0 + col * 40.0
        line = [
            (round(lon0 + x0 / kx, 6), round(lat0 + y0 / 111_320.0, 6)),
            (
                round(lon0 + (x0 + NUMBERS_PER_STREET // 2 * 15.0) / kx, 6),
                round(lat0 + y0 / 111_320.0, 6),
            ),
        ]
        code = f"bench-{i:06d}"
        parsed.streets[code] = ParsedStreet(key=code, name=names[i], code=code, lines=[line])
        for k in range(NUMBERS_PER_STREET):
            number = k + 1
            x = x0 + (k // 2) * 15.0 + 5
            y = y0 + (9 if number % 2 else -9)
            parsed.addresses.append(
                ParsedAddress(
                    line=i,
                    street_key=code,
                    number=number,
                    exponent="",
                    lat=round(lat0 + y / 111_320.0, 7),
                    lon=round(lon0 + x / kx, 7),
                    code=f"{code}-{number}",
                )
            )
    return parsed


def _typed(rng: random.Random, name: str, number: int) -> str:
    dug, rest = name.split(" ", 1)
    roll = rng.random()
    if roll < 0.3 and dug in ABBREVIATED:
        return f"{ABBREVIATED[dug]} {rest.lower()} {number}"
    if roll < 0.5:
        return f"{rest} {number}"  # no "Via"
    if roll < 0.7:
        first, last = rest.split(" ", 1)
        return f"{dug} {first} {last[: max(3, len(last) - 2)]} {number}"  # cut short
    return f"{name} {number}"


class FullScan:
    """The baseline: the register in memory, every address checked for every query."""

    def __init__(self, admin: Administration):
        from insieme.places.models import Address

        self.rows = [
            (name_words(name), number, exponent, lat, lon, name)
            for name, number, exponent, lat, lon in Address.objects.filter(
                administration=admin
            ).values_list("street__name", "number", "exponent", "lat", "lon")
        ]

    def search(self, text: str) -> list[str]:
        street_text, house = split_address(text)
        words = query_words(street_text)
        found = []
        for street_words, number, _exp, _lat, _lon, name in self.rows:
            if house is not None and number != house.number:
                continue
            if all(any(w.startswith(q) for w in street_words) for q in words):
                found.append(f"{name} {number}")
        return found

    def nearest(self, lat: float, lon: float) -> str | None:
        best, best_d = None, lookup.NEAREST_ADDRESS_M
        for _w, number, _exp, a_lat, a_lon, name in self.rows:
            d = distance_m(lat, lon, a_lat, a_lon)
            if d <= best_d:
                best, best_d = f"{name} {number}", d
        return best


def _timed(fn, args_list) -> tuple[float, list]:
    times, answers = [], []
    for args in args_list:
        started = time.perf_counter()
        answers.append(fn(*args))
        times.append(time.perf_counter() - started)
    return statistics.median(times), answers


def run(size: str) -> list[BenchLine]:
    n = SIZES.get(size, SIZES["full"])
    rng = random.Random(SEED)
    lat0, lon0 = 43.60, 12.60
    boundary = {
        "type": "Polygon",
        "coordinates": [
            [
                [lon0 - 0.01, lat0 - 0.01],
                [lon0 + 0.5, lat0 - 0.01],
                [lon0 + 0.5, lat0 + 0.5],
                [lon0 - 0.01, lat0 + 0.5],
                [lon0 - 0.01, lat0 - 0.01],
            ]
        ],
    }
    with transaction.atomic():
        admin = core_actions.create_administration(
            None,
            name="Città del benchmark",
            slug=SLUG,
            kind=Administration.Kind.MUNICIPALITY,
            boundary=boundary,
        )
    parsed = _register(n, lat0, lon0)
    started = time.perf_counter()
    result = actions.import_register(None, admin, parsed, source="bench")
    if result.error_count:
        raise AssertionError(f"bench register: {result.errors[:3]}")
    import_seconds = time.perf_counter() - started

    sample = rng.sample(parsed.addresses, QUERIES)
    names = {code: s.name for code, s in parsed.streets.items()}
    texts = [(_typed(rng, names[a.street_key], a.number),) for a in sample]
    points = [
        (a.lat + rng.uniform(-15, 15) / 111_320.0, a.lon + rng.uniform(-15, 15) / 80_000.0)
        for a in sample
    ]
    scan = FullScan(admin)

    fast, found = _timed(lambda t: [f.label for f in lookup.search(t, admin)], texts)
    slow, expected = _timed(scan.search, texts)
    for (text,), got, want in zip(texts, found, expected, strict=True):
        if not got or got[0] not in want:
            raise AssertionError(f"search {text!r}: index {got[:3]} vs full scan {want[:3]}")

    fast_r, near = _timed(lambda la, lo: lookup.nearest(la, lo, admin), points)
    slow_r, near_expected = _timed(scan.nearest, points)
    for got, want in zip(near, near_expected, strict=True):
        if (got.label if got and got.kind == "address" else None) != want:
            raise AssertionError(f"nearest: index {got} vs full scan {want}")
    print(
        f"  places: {n} house numbers on {len(parsed.streets)} streets imported in "
        f"{import_seconds:.1f} s; {QUERIES} searches and {QUERIES} reverse lookups, each "
        "checked against a full scan in Python of the register held in memory"
    )
    return [
        BenchLine("places_address_search", fast * 1e3, "ms", n, slow * 1e3),
        BenchLine("places_reverse_lookup", fast_r * 1e3, "ms", n, slow_r * 1e3),
        BenchLine("places_import", import_seconds, "s", n),
    ]


BENCHMARK = Benchmark(key="places.lookup", run=run, app="places")
