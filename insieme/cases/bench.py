"""Benchmarks of duplicate suggestions (insieme.cases.matching.signatures).

- ``dup_check_per_report``: median time of ``find_duplicates`` for new located reports, against a
  brute-force scan of the same data in the same run: every case of the administration held in
  memory (numpy arrays and a scipy sparse matrix of the same n-gram vectors), the same text
  similarity, distance and score computed for all of them, no spatial prefilter. The baseline does
  not even pay for reading the database, so the ratio is conservative.
- ``dup_quality_recall_top5`` / ``dup_quality_precision``: on the demo's ground truth when this
  run's ground truth lists ``duplicates`` (a sample of the demo's located public reports, each
  replayed at its filing time with ``as_of``); the same two figures with ``_synthetic`` appended
  (or without the suffix when the demo has no duplicates) on a labelled set planted by this
  benchmark in an administration of its own: originals, true duplicates written differently
  (typos, paraphrases, English for Italian, 0-150 m away, same or related service) and hard
  negatives (another problem in the same street, the same problem 1 km away).

At BENCH_SIZE=full the database holds one million located cases: when the demo loaded fewer,
synthetic ones are inserted in bulk, spread over the demo municipalities with hotspots and texts
from a small vocabulary with typos, so that density is realistic.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from insieme.cases.matching import signatures as matching
from insieme.cases.models import OPEN_STATUSES, Case, Status, grid_cell
from insieme.catalog.models import Service
from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark

SIZES = {"small": 5_000, "full": 1_000_000}
QUERIES = 200
BATCH = 10_000
SEED = 20260

STREETS = [
    "via Roma",
    "via Garibaldi",
    "piazza Mazzini",
    "via dei Mille",
    "corso Italia",
    "viale Dante",
    "via Verdi",
    "piazza del Duomo",
    "via Cavour",
    "largo Marconi",
]

# Problem -> (service code, Italian phrasings, English phrasings); "{s}" is a street. Every
# phrasing of one problem describes the same thing, so two of them at one place are duplicates.
PROBLEMS: dict[str, tuple[str, list[str], list[str]]] = {
    "pothole": (
        "buche-stradali",
        [
            "buca profonda in {s}",
            "grossa buca sull'asfalto in {s}",
            "c'è una buca pericolosa in {s}",
            "buche nell'asfalto in {s}",
        ],
        ["deep pothole in {s}", "big pothole in the asphalt", "dangerous pothole on the road"],
    ),
    "lamp": (
        "illuminazione",
        [
            "lampione spento in {s}",
            "il lampione non si accende in {s}",
            "lampioni spenti, strada al buio",
        ],
        ["streetlight off in {s}", "street lamp not working, dark at night", "the lamppost is off"],
    ),
    "traffic-light": (
        "semafori",
        [
            "semaforo guasto all'incrocio di {s}",
            "semaforo rotto in {s}",
            "il semaforo non funziona",
        ],
        ["traffic light broken at the crossing", "the traffic light is not working in {s}"],
    ),
    "bin": (
        "rifiuti-mancata-raccolta",
        [
            "bidone non svuotato in {s}",
            "mancata raccolta del bidone in {s}",
            "il bidone non è stato svuotato, è pieno",
        ],
        ["bin not emptied in {s}", "rubbish bin not collected this week, it is full"],
    ),
    "dumped-bags": (
        "abbandono-rifiuti",
        [
            "sacchi di rifiuti abbandonati in {s}",
            "rifiuti abbandonati sul marciapiede",
            "qualcuno ha abbandonato sacchi di spazzatura in {s}",
        ],
        ["bags of rubbish dumped in {s}", "garbage bags abandoned on the pavement"],
    ),
    "graffiti": (
        "graffiti",
        [
            "graffiti sul muro della scuola in {s}",
            "scritte sui muri della scuola",
            "muro della scuola imbrattato di scritte",
        ],
        ["graffiti on the school wall", "writing sprayed on the school walls"],
    ),
    "branch": (
        "verde-pubblico",
        [
            "ramo pericolante sul marciapiede in {s}",
            "ramo caduto sul marciapiede",
            "grosso ramo spezzato sul marciapiede in {s}",
        ],
        ["fallen branch on the pavement", "a broken tree branch on the sidewalk in {s}"],
    ),
    "grass": (
        "verde-pubblico",
        ["erba alta nel parco di {s}", "l'erba del parco non viene tagliata"],
        ["tall grass in the park", "the grass in the park is not cut"],
    ),
    "music": (
        "rumore",
        ["musica alta ogni notte in {s}", "rumore di musica alta di notte dal bar"],
        ["loud music every night in {s}", "noise of loud music at night from the bar"],
    ),
    "car": (
        "veicoli-abbandonati",
        ["auto abbandonata da mesi in {s}", "macchina abbandonata senza targa"],
        ["abandoned car for months in {s}", "car left abandoned without plates"],
    ),
}
# The same problem in other words: what a citizen sees rather than the thing's name, sharing
# (almost) no word with the phrasings above. Filed a few metres from the original, such a report
# can be found by its place and service only (matching.NEAR_RADIUS_M), never by its text.
REWORDINGS: dict[str, list[str]] = {
    "pothole": [
        "la macchina ha preso un colpo fortissimo qui",
        "my bike wheel got bent right here",
    ],
    "lamp": ["di sera qui non si vede niente", "pitch black here after sunset"],
    "traffic-light": [
        "all'incrocio nessuno capisce quando passare",
        "cars keep crossing on red here",
    ],
    "bin": ["nessuno è passato a ritirare questa settimana", "nobody came round this week"],
    "dumped-bags": [
        "c'è un mucchio di roba buttata vicino al portone",
        "a pile of junk by the front door",
    ],
    "graffiti": [
        "hanno disegnato sulla parete appena ridipinta",
        "someone drew all over the fresh paint",
    ],
    "branch": ["un pezzo di pianta blocca il passaggio", "part of a plant blocks the way"],
    "grass": ["sembra una giungla, nessuno viene mai", "it looks like a jungle here"],
    "music": ["non si riesce a dormire per il locale", "we cannot sleep because of the pub"],
    "car": [
        "una vettura coperta di polvere ferma da sempre",
        "a dusty old wreck that never moves",
    ],
}
SERVICE_PROBLEMS: dict[str, list[str]] = {}
for _key, (_code, _it, _en) in PROBLEMS.items():
    SERVICE_PROBLEMS.setdefault(_code, []).append(_key)
GROUPS = {
    "buche-stradali": "Strade",
    "illuminazione": "Strade",
    "semafori": "Strade",
    "veicoli-abbandonati": "Strade",
    "rifiuti-mancata-raccolta": "Rifiuti",
    "abbandono-rifiuti": "Rifiuti",
    "graffiti": "Decoro",
    "verde-pubblico": "Verde",
    "rumore": "Verde",
}


# --- text generation -------------------------------------------------------------------------


def typo(rng: random.Random, text: str, rate: float = 0.04) -> str:
    """Drop, double, swap or replace characters at about `rate` per character."""
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        c = chars[i]
        if c.isalpha() and rng.random() < rate:
            op = rng.randrange(4)
            if op == 0:
                i += 1
                continue
            if op == 1:
                out += [c, c]
            elif op == 2 and i + 1 < len(chars):
                out += [chars[i + 1], c]
                i += 2
                continue
            else:
                out.append(rng.choice("aeioulnrst"))
        else:
            out.append(c)
        i += 1
    return "".join(out)


def phrase(rng: random.Random, problem: str, *, english: bool, street: str, avoid=None) -> str:
    """A report text about `problem`; `avoid` is a phrasing not to reuse (for paraphrases)."""
    _code, italian, eng = PROBLEMS[problem]
    choices = [p for p in (eng if english else italian) if p != avoid] or italian
    return rng.choice(choices).format(s=street)


# --- geometry --------------------------------------------------------------------------------


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    dlat = north_m / matching._DEG_LAT_M
    dlon = east_m / (matching._DEG_LAT_M * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def random_offset(rng: random.Random, lat, lon, max_m: float, min_m: float = 0.0):
    radius = min_m + (max_m - min_m) * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    return offset(lat, lon, radius * math.cos(angle), radius * math.sin(angle))


class Area:
    """A municipality's boundary with hotspots; draws located points inside it."""

    def __init__(self, admin: Administration, rng: random.Random, hotspots: int = 40) -> None:
        from shapely.geometry import Point

        from insieme.core.geo import parse_boundary

        self.admin = admin
        self.geom = parse_boundary(admin.boundary)
        self._point = Point
        self.rng = rng
        self.hotspots = [self.uniform() for _ in range(hotspots)]

    def uniform(self) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.geom.bounds
        while True:
            lon, lat = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if self.geom.covers(self._point(lon, lat)):
                return lat, lon

    def draw(self) -> tuple[float, float]:
        """Half the reports near a hotspot (about 400 m spread), half anywhere."""
        if self.rng.random() < 0.5:
            lat, lon = self.rng.choice(self.hotspots)
            return offset(lat, lon, self.rng.gauss(0, 400), self.rng.gauss(0, 400))
        return self.uniform()


# --- bulk data -------------------------------------------------------------------------------


def _insert_rows(rows: list[dict]) -> None:
    """Raw executemany of Case rows (the bulk path of PERF-NOTES), defaults for other columns;
    located rows get the text signature the duplicate check reads."""
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    template = Case()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {Case._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    defaults = {
        f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields
    }
    dated = {name: Case._meta.get_field(name) for name in ("submitted_at", "updated_at")}
    prepared = []
    for row in rows:
        values = {**defaults, **row}
        if "match_grams" not in row and row.get("lat") is not None:
            values["match_grams"] = matching.case_signature(
                row.get("title", ""), row.get("description", "")
            )
        for name, field in dated.items():
            values[name] = field.get_db_prep_save(values[name], connection)
        prepared.append(tuple(values[f.attname] for f in fields))
    with connection.cursor() as cur:
        cur.executemany(sql, prepared)


def synthetic_row(rng, area, services, number, now) -> dict:
    """One located report of a year of history: hotspot-biased place, mostly Italian, typos."""
    service = rng.choice(services)
    lat, lon = area.draw()
    row, col = grid_cell(lat, lon)
    age = rng.random() * 365
    open_share = 0.8 if age < 15 else 0.1
    status = Status.SUBMITTED if rng.random() < open_share else Status.CLOSED
    problems = SERVICE_PROBLEMS.get(service.code)
    problem = rng.choice(problems) if problems else None
    english = rng.random() < 0.15
    if problem:
        text = phrase(rng, problem, english=english, street=rng.choice(STREETS))
    else:
        text = f"{service.name} in {rng.choice(STREETS)}"
    if rng.random() < 0.5:
        text = typo(rng, text)
    when = now - timedelta(days=age)
    return {
        "administration_id": area.admin.id,
        "service_id": service.id,
        "kind": service.kind,
        "reference": f"B{number:09d}",
        "status": status,
        "description": text,
        "lat": lat,
        "lon": lon,
        "cell_row": row,
        "cell_col": col,
        "submitted_at": when,
        "updated_at": when,
        "language": "en" if english else "it",
    }


def located_services(admin) -> list[Service]:
    return list(
        Service.objects.filter(administration=admin, located=True, kind="report").order_by("id")
    )


def demo_areas(rng) -> list[tuple[Area, list[Service]]]:
    out = []
    admins = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY).order_by("id")
    for admin in admins:
        services = located_services(admin)
        if admin.boundary and services:
            out.append((Area(admin, rng), services))
    return out


def fill_to(target: int, rng: random.Random, areas) -> int:
    """Insert synthetic located cases until the database holds `target` of them."""
    have = Case.objects.count()
    missing = target - have
    if missing <= 0 or not areas:
        return have
    now = timezone.now()
    weights = [len(s) for _a, s in areas]
    for start in range(0, missing, BATCH):
        rows = []
        for k in range(start, min(start + BATCH, missing)):
            area, services = rng.choices(areas, weights)[0]
            rows.append(synthetic_row(rng, area, services, k, now))
        with transaction.atomic():
            _insert_rows(rows)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return Case.objects.count()


# --- speed: matcher vs brute force -----------------------------------------------------------


class BruteForce:
    """Every case of one administration in memory; the same score computed for all of them."""

    def __init__(self, admin) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.vectorizer = HashingVectorizer(
            analyzer=lambda t: sorted(matching.features(t)),
            n_features=2**20,
            binary=True,
            norm="l2",
            alternate_sign=False,
        )
        rows = list(
            Case.objects.filter(administration=admin, lat__isnull=False).values_list(
                "id",
                "service_id",
                "lat",
                "lon",
                "title",
                "description",
                "status",
                "submitted_at",
                "is_public",
                "duplicate_of_id",
            )
        )
        self.ids = np.array([r[0] for r in rows])
        self.service = np.array([r[1] for r in rows])
        self.lat = np.array([r[2] for r in rows])
        self.lon = np.array([r[3] for r in rows])
        self.open = np.array([r[6] in OPEN_STATUSES and r[8] for r in rows])
        self.when = np.array([r[7].timestamp() for r in rows])
        # Reports merged into another case lend it their words (see matching._lift_by_merged).
        position = {pk: i for i, pk in enumerate(self.ids.tolist())}
        merged = [
            (i, position[r[9]])
            for i, r in enumerate(rows)
            if r[6] == Status.DUPLICATE and r[8] and r[9] in position
        ]
        self.merged = np.array([m for m, _t in merged], dtype=np.int64)
        self.merged_into = np.array([t for _m, t in merged], dtype=np.int64)
        texts = [f"{r[4]} {r[5]}" for r in rows]
        unique, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
        self.matrix = self.vectorizer.transform(list(unique))[inverse].tocsr()

    def find(self, service, lat, lon, text, related, limit=5) -> list[int]:
        sims = self.matrix @ self.vectorizer.transform([text]).T
        sims = np.asarray(sims.todense()).ravel()
        merged_since = (timezone.now() - timedelta(days=matching.MERGED_MAX_AGE_DAYS)).timestamp()
        recent = self.when[self.merged] >= merged_since
        np.maximum.at(sims, self.merged_into[recent], sims[self.merged[recent]])
        dy = (self.lat - lat) * matching._DEG_LAT_M
        dx = (self.lon - lon) * matching._DEG_LAT_M * np.cos(np.radians((self.lat + lat) / 2))
        dist = np.hypot(dx, dy)
        since = (timezone.now() - timedelta(days=matching.MAX_AGE_DAYS)).timestamp()
        same = self.service == service.id
        ok = (
            self.open
            & (self.when >= since)
            & np.isin(self.service, related)
            & (dist <= matching.RADIUS_M)
        )
        proximity = np.clip(1 - dist / matching.RADIUS_M, 0, 1)
        score = sims * (0.70 + 0.15 * proximity + 0.15 * np.where(same, 1.0, 0.5))
        near = same & (dist <= matching.NEAR_RADIUS_M)
        score = np.where(near, np.maximum(score, matching.NEAR_SCORE), score)
        score[~ok] = -1
        best = np.argsort(-score, kind="stable")[:limit]
        return [int(self.ids[i]) for i in best if score[i] >= matching.THRESHOLD]


def make_queries(rng, area, services, count) -> list[tuple]:
    out = []
    for _ in range(count):
        service = rng.choice(services)
        lat, lon = area.draw()
        problems = SERVICE_PROBLEMS.get(service.code)
        problem = rng.choice(problems) if problems else None
        street = rng.choice(STREETS)
        text = (
            phrase(rng, problem, english=rng.random() < 0.2, street=street)
            if problem
            else (f"{service.name} {street}")
        )
        out.append((service, lat, lon, typo(rng, text)))
    return out


def bench_speed(size: str, rng: random.Random) -> list[BenchLine]:
    areas = demo_areas(rng)
    n = fill_to(SIZES[size], rng, areas)
    area, services = max(
        areas, key=lambda a: Case.objects.filter(administration=a[0].admin).count()
    )
    queries = make_queries(rng, area, services, QUERIES)
    started = time.perf_counter()
    brute = BruteForce(area.admin)
    print(
        f"  dup_check: brute-force arrays for {len(brute.ids)} cases built in "
        f"{time.perf_counter() - started:.1f} s (not timed)"
    )
    related = {s.id: sorted(matching.related_service_ids(s)) for s in services}
    fast, slow, agree, suggested = [], [], 0, 0
    for service, lat, lon, text in queries:
        matching.clear_caches()  # each check pays for its own text analysis
        t0 = time.perf_counter()
        found = matching.find_duplicates(service, lat, lon, text)
        fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        expected = brute.find(service, lat, lon, text, related[service.id])
        slow.append(time.perf_counter() - t0)
        ids = [m.case.pk for m in found]
        agree += ids[:1] == expected[:1]
        suggested += len(ids)
    print(
        f"  dup_check: top suggestion equal to brute force's in {agree}/{len(queries)} queries; "
        f"{suggested / len(queries):.2f} suggestions per query; {len(brute.ids)} cases of "
        f"{area.admin.slug} scanned by the baseline"
    )
    return [
        BenchLine(
            "dup_check_per_report",
            statistics.median(fast) * 1e3,
            "ms",
            n,
            statistics.median(slow) * 1e3,
        )
    ]


# --- quality: planted labelled set -----------------------------------------------------------


def labelled_admin() -> tuple[Administration, dict[str, Service]]:
    """An administration of its own, with one located service per service code of PROBLEMS."""
    from insieme.catalog import actions as catalog_actions
    from insieme.core import actions as core_actions

    admin = core_actions.create_administration(
        None, name="Comune di Banco Prova", slug="bench-dup", kind=Administration.Kind.MUNICIPALITY
    )
    services = {
        code: catalog_actions.create_service(
            None,
            admin,
            code=code,
            name=code.replace("-", " "),
            group=GROUPS[code],
            channels=["web"],
            located=True,
            kind="report",
        )
        for code in GROUPS
    }
    return admin, services


def plant(rng, admin, services, groups: int) -> list[tuple]:
    """Insert originals and distractors; return queries (service, lat, lon, text, expected_id,
    kind). Kinds: "reworded" (a true duplicate written differently, 0-150 m away, same or related
    service), "other-problem" and "far" (hard negatives: another problem in the same street, the
    same problem 1 km away); then, for the rule that a report of the same service a few metres
    away is the same problem whatever its words: "near" (a true duplicate 3-4 m away in other
    words, see REWORDINGS), "near-other-service" (another service's problem 3-4 m away) and
    "reworded-25-40m" (the same service in other words 25-40 m away: too far for that rule)."""
    now = timezone.now()
    codes = sorted(PROBLEMS)
    group_of = {key: GROUPS[code] for key, (code, _it, _en) in PROBLEMS.items()}
    rows, plans = [], []
    for g in range(groups):
        lat, lon = offset(44.0, 12.0, 3000.0 * (g // 20), 3000.0 * (g % 20))
        problem = rng.choice(codes)
        others = [c for c in codes if c != problem]
        same_group = [c for c in others if group_of[c] == group_of[problem]]
        street = rng.choice(STREETS)
        other = rng.choice(same_group or others)
        third = rng.choice([c for c in others if c != other])
        original = phrase(rng, problem, english=False, street=street)
        d1 = random_offset(rng, lat, lon, 150, 30)
        d2 = offset(lat, lon, 1000, 0)
        for kind, code, (p_lat, p_lon), text in (
            ("original", problem, (lat, lon), original),
            ("street", other, d1, phrase(rng, other, english=False, street=street)),
            ("far", problem, d2, phrase(rng, problem, english=False, street=street)),
        ):
            service = services[PROBLEMS[code][0]]
            row, col = grid_cell(p_lat, p_lon)
            when = now - timedelta(days=rng.uniform(1, 60))
            rows.append(
                {
                    "administration_id": admin.id,
                    "service_id": service.id,
                    "kind": "report",
                    "reference": f"L{g:05d}{kind[0]}",
                    "status": Status.SUBMITTED,
                    "description": text,
                    "lat": p_lat,
                    "lon": p_lon,
                    "cell_row": row,
                    "cell_col": col,
                    "submitted_at": when,
                    "updated_at": when,
                }
            )
        plans.append((g, problem, third, street, original, lat, lon))
    with transaction.atomic():
        _insert_rows(rows)
    ids = dict(Case.objects.filter(administration=admin).values_list("reference", "id"))
    queries = []
    for g, problem, third, street, original, lat, lon in plans:
        expected = ids[f"L{g:05d}o"]
        code = PROBLEMS[problem][0]
        related = [c for c in GROUPS if GROUPS[c] == GROUPS[code] and c != code]
        service = services[rng.choice(related) if related and rng.random() < 0.2 else code]
        english = rng.random() < 0.35
        text = phrase(
            rng, problem, english=english, street=street, avoid=None if english else original
        )
        if rng.random() < 0.6:
            text = typo(rng, text)
        queries.append((service, *random_offset(rng, lat, lon, 150), text, expected, "reworded"))
        q_lat, q_lon = random_offset(rng, lat, lon, 100)
        queries.append(
            (
                services[PROBLEMS[third][0]],
                q_lat,
                q_lon,
                phrase(rng, third, english=rng.random() < 0.3, street=street),
                None,
                "other-problem",
            )
        )
        q_lat, q_lon = offset(lat, lon, -1000, 0)
        queries.append((services[code], q_lat, q_lon, typo(rng, original), None, "far"))
    # Drawn after the others, so that the queries above stay what they were.
    for g, problem, _third, street, _original, lat, lon in plans:
        expected = ids[f"L{g:05d}o"]
        code = PROBLEMS[problem][0]
        reworded = rng.choice(REWORDINGS[problem])
        queries.append(
            (services[code], *random_offset(rng, lat, lon, 4.0, 3.0), reworded, expected, "near")
        )
        elsewhere = rng.choice([k for k in codes if PROBLEMS[k][0] != code])
        queries.append(
            (
                services[PROBLEMS[elsewhere][0]],
                *random_offset(rng, lat, lon, 4.0, 3.0),
                phrase(rng, elsewhere, english=rng.random() < 0.3, street=street),
                None,
                "near-other-service",
            )
        )
        queries.append(
            (
                services[code],
                *random_offset(rng, lat, lon, 40.0, 25.0),
                rng.choice(REWORDINGS[problem]),
                None,
                "reworded-25-40m",
            )
        )
    return queries


def bench_quality(size: str, rng: random.Random) -> list[BenchLine]:
    admin, services = labelled_admin()
    queries = plant(rng, admin, services, 150 if size == "small" else 400)
    by_kind: dict[str, list[int]] = {}  # kind -> [queries, positives, found, suggested, correct]
    for service, lat, lon, text, expected, kind in queries:
        ids = [m.case.pk for m in matching.find_duplicates(service, lat, lon, text)]
        tally = by_kind.setdefault(kind, [0, 0, 0, 0, 0])
        tally[0] += 1
        tally[3] += len(ids)
        if expected is not None:
            tally[1] += 1
            tally[2] += expected in ids
            tally[4] += ids.count(expected)
    total = [sum(t[i] for t in by_kind.values()) for i in range(5)]
    _n, positives, found, suggested, correct = total
    recall = found / positives
    precision = correct / suggested if suggested else 1.0
    print(
        f"  dup_quality_*{'' if not demo_duplicates() else '_synthetic'} measured on a SYNTHETIC "
        f"labelled set planted by this benchmark "
        f"({positives} true duplicates, {len(queries) - positives} hard-negative reports: "
        f"other problem in the same street, same problem 1 km away, another service's problem "
        f"3-4 m away, the same service in other words 25-40 m away)"
    )
    for kind, (n, pos, hit, sugg, good) in by_kind.items():
        print(
            f"    {kind}: {n} queries, "
            + (f"recall {hit / pos:.3f}, " if pos else "")
            + f"{sugg} suggestions, {sugg - good} wrong"
        )
    near = by_kind.get("near", [0, 0, 0, 0, 0])
    return [
        BenchLine("dup_quality_recall_top5", recall, "share", len(queries)),
        BenchLine("dup_quality_precision", precision, "share", len(queries)),
        BenchLine(
            "dup_quality_near_recall_top5", near[2] / near[1] if near[1] else 0.0, "share", near[0]
        ),
    ]


# --- quality: the demo's ground truth ----------------------------------------------------------


def demo_duplicates() -> list[list]:
    """[duplicate reference, original reference, administration slug] from this run's ground
    truth (INSIEME_GROUND_TRUTH, else the demo's default file); empty when it has none."""
    from insieme.demo.generator import default_ground_truth_path

    path = Path(os.environ.get("INSIEME_GROUND_TRUTH") or default_ground_truth_path())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    pairs = data.get("duplicates") or []
    return [p for p in pairs if isinstance(p, list | tuple) and len(p) == 3]


def bench_demo_quality(pairs: list[list], rng: random.Random, queries: int) -> list[BenchLine]:
    """Replay the check for a random sample of the demo's located public reports, each at the
    moment it was filed (as_of): recall = labelled duplicates whose original is in the top 5;
    precision = suggestions that report the same problem (the original, or any report whose
    labels lead to the same first report); every suggestion for a report that duplicates
    nothing counts as wrong."""
    slugs = sorted({slug for _d, _o, slug in pairs})
    ref_id = {
        (slug, ref): pk
        for pk, ref, slug in Case.objects.filter(administration__slug__in=slugs).values_list(
            "id", "reference", "administration__slug"
        )
    }
    original = {
        ref_id[(slug, d)]: ref_id[(slug, o)]
        for d, o, slug in pairs
        if (slug, d) in ref_id and (slug, o) in ref_id
    }
    sample_ids = list(
        Case.objects.filter(administration__slug__in=slugs, lat__isnull=False, is_public=True)
        .order_by("id")  # the same sample whichever plan the database picks
        .values_list("id", flat=True)
    )
    sample_ids = sorted(rng.sample(sample_ids, min(queries, len(sample_ids))))

    def problem(pk: int) -> int:
        """The first report of the problem `pk` reports (labels may chain: a report whose
        original had closed points at a later report of the same problem, itself labelled)."""
        for _ in range(100):
            if pk not in original:
                break
            pk = original[pk]
        return pk

    services: dict[int, Service] = {}
    positives = found = suggested = correct = 0
    for case in Case.objects.filter(id__in=sample_ids).order_by("id").iterator(chunk_size=500):
        if case.service_id not in services:
            services[case.service_id] = Service.objects.get(pk=case.service_id)
        matches = matching.find_duplicates(
            services[case.service_id],
            case.lat,
            case.lon,
            f"{case.title} {case.description}",
            exclude_id=case.pk,
            as_of=case.submitted_at,
        )
        ids = [m.case.pk for m in matches]
        suggested += len(ids)
        mine = original.get(case.pk)
        if mine is not None:
            positives += 1
            found += mine in ids
            correct += sum(1 for i in ids if problem(i) == problem(mine))
    recall = found / positives if positives else 0.0
    precision = correct / suggested if suggested else 1.0
    print(
        f"  dup_quality measured on the DEMO's ground truth: {len(sample_ids)} located reports "
        f"replayed at their filing time, {positives} of them labelled duplicates "
        f"({len(original)} labelled pairs in all)"
    )
    return [
        BenchLine("dup_quality_recall_top5", recall, "share", len(sample_ids)),
        BenchLine("dup_quality_precision", precision, "share", len(sample_ids)),
    ]


def bench_demo_load(size: str) -> list[BenchLine]:
    """The demo's bulk case load (residents, cases, lifecycle events, followers, ratings,
    handling) against a raw executemany of the same rows, both rolled back; goal: within 5
    times. The case rows' own raw insert is printed beside it."""
    from insieme.cases.demo import bulk_load_timing

    n = 5_000 if size == "small" else 1_000_000
    # Another seed: its residents and cases sit beside the loaded ones, then are rolled back.
    t = bulk_load_timing(n, seed=SEED + 1)
    print(
        f"  demo_load_cases: {t.rows} rows ({t.case_rows} cases) generated and inserted in "
        f"{t.demo_seconds:.1f} s; the same rows by raw executemany {t.raw_seconds:.1f} s, of "
        f"which the case rows {t.raw_case_seconds:.1f} s (ratio against those alone "
        f"{t.demo_seconds / t.raw_case_seconds:.2f})"
    )
    return [BenchLine("demo_load_cases", t.demo_seconds, "s", n, t.raw_seconds)]


def run(size: str) -> list[BenchLine]:
    rng = random.Random(SEED)
    lines = bench_demo_load(size)
    lines += bench_speed(size, rng)
    pairs = demo_duplicates()
    if pairs:
        lines += bench_demo_quality(pairs, rng, 4000 if size == "small" else 1000)
        for line in bench_quality(size, rng):
            line.name += "_synthetic"
            lines.append(line)
    else:
        lines += bench_quality(size, rng)
    return lines


BENCHMARK = Benchmark(key="cases.duplicates", run=run, app="cases")
