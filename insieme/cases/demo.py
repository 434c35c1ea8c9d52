"""Demo seed of the cases app (order 30): a year of reports and applications ending today.

`insieme demo --requests N` fills the municipalities' published services with N cases shaped like
real traffic: seasonality per service, weekday and hour patterns, hotspots, six channels (counter,
phone and e-mail filed by staff on the citizen's behalf, consent noted), Italian and English text
with typos, some personal data inside free text, valid answers, statuses over time with SLA
breaches and information requests, events, followers ("me too"), ratings skewed by speed, time on
the form per channel, and real duplicates of earlier open reports (recorded in the ground truth:
planted ones, filed under the original's service or a related one of the same catalogue group and
describing the original's problem, and natural ones, the same problem of the same service reported
again within 150 m while the first report is still open; originals are always public reports).

CASE HANDLING (issue 4), from a random stream of its own (`Generator.hrng`): every case goes to
its service's department and to an officer or supervisor of it (`Staffing`): about a fifth of them
take three shares of new cases and, over the last OVERLOAD_DAYS, work five times slower, so their
open cases pile up past capacity (each case beyond it a supervisor's recorded override); nobody
else keeps more than capacity - 1 open cases (the rest wait unassigned in the queue), and in some
municipalities one officer never uses the platform (staff adoption). About 4% of the handled cases
are handed off to another department, a third of them sent back with a reason, the rest accepted
(the case moves there), answered after a log-normal number of hours. Information requests name a
field of the service's form, a document, or a need the form has no field for ("other:<name>"),
and pause the SLA clock. Handled cases log time near the cost model's minutes for their channel.
Open cases past their due date are marked overdue and escalated (an Escalation and an "escalated"
event), those due within a day marked due soon. The ground truth's "handling" section holds the
counts the handling indicators must reproduce. Response templates (a few per service) are the
only rows written through the ORM, after the bulk load.

BULK PATH. This is the one writer of cases that does not go through their actions: rows are
generated in Python (deterministic from the seed) and inserted with `executemany` with ids assigned
up front, inside the demo's one transaction. It STREAMS: residents are inserted first; then, per
municipality, the case times are drawn and counted per local year, the references are reserved
with `allocate_references` per administration and year, and the cases are generated in time order
(numbered as they come) and written CHUNK at a time with their events, followers, ratings,
hand-offs, time logs and escalations, so memory stays flat whatever --requests is. Grid cells come from `grid_cell`, SLA due dates from
`due_date` with a precomputed holiday set. The audit chain gets ONE entry per bulk load
("case.demo_bulk_load", with the counts) instead of one per case: an audit entry costs a hash
chained on the previous one, and a million of them would dominate the load.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import random
import time
import zoneinfo
from bisect import bisect_left, bisect_right
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn
from stdnum.it import codicefiscale as stdnum_codicefiscale

from insieme.cases import demo_text as T
from insieme.cases.lifecycle import allocate_references, format_reference
from insieme.cases.matching.signatures import case_signature
from insieme.cases.models import (
    Case,
    CaseEvent,
    Escalation,
    Follower,
    Handoff,
    Rating,
    ResponseTemplate,
    Status,
    TimeLog,
    grid_cell,
)
from insieme.cases.redact import redact
from insieme.catalog.models import Service, ServiceKind
from insieme.catalog.sla import _add_working_days, holidays_of
from insieme.core import audit, progress
from insieme.core.models import User
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.places.demo import sample_points as street_register_points

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

BATCH = 10_000
CHUNK = 10_000  # cases generated, finished and inserted together before they are dropped
ROME = zoneinfo.ZoneInfo("Europe/Rome")
UTC = dt.UTC
DAY = 86_400.0
HOUR = 3_600.0
RESIDENT_DOMAIN = "residenti.example"

CHANNEL_SHARE = {"web": 45, "app": 25, "api": 5, "counter": 10, "phone": 10, "email": 5}
ASSISTED = {"counter", "phone", "email"}
# Median seconds on the form and the spread (log-normal sigma); the API sends no form time.
FORM_SECONDS = {
    "web": (240, 0.5),
    "app": (150, 0.5),
    "counter": (420, 0.4),
    "phone": (360, 0.4),
    "email": (600, 0.5),
}
WEEKDAY = (1.25, 1.15, 1.1, 1.05, 1.0, 0.7, 0.55)
HOURS = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 2.6, 2.8, 2.4, 2.0) + (
    1.8,
    1.6,
    1.5,
    1.6,
    1.8,
    2.2,
    2.4,
    2.2,
    1.8,
    1.4,
    0.9,
    0.5,
)
OFFICE_HOURS = (0,) * 8 + (1.5, 2.5, 2.6, 2.4, 1.6, 0.3, 0.8, 1.5, 1.4, 0.8) + (0,) * 6
OFFICE_CUM = tuple(accumulate(OFFICE_HOURS))
HOURS_24 = range(24)
DUPLICATE_SHARE = 0.065
PII_SHARE = 0.04
ENGLISH_SHARE = 0.12
HOTSPOT_SHARE = 0.25
# Days after which the municipality closes an unanswered information request.
INFO_TIMEOUT_DAYS = 30
# Case handling (issue 4): who carries the cases, hand-offs, SLA breaches, logged time.
OVERLOADED_SHARE = 0.2  # of the people who carry cases: given more cases than they can carry
OVERLOADED_WEIGHT = 3.0  # ... three times a colleague's share of new cases
OVERLOADED_SLOWDOWN = 5.0  # ... so their cases of the last weeks take five times as long
OVERLOAD_DAYS = 60  # ... and pile up
NON_ADOPTER_CHANCE = 0.5  # per municipality: one officer who does not work on the platform
HANDOFF_SHARE = 0.04
RETURNED_SHARE = 1 / 3
HANDOFF_ANSWER_HOURS = (16.0, 0.9)  # median hours to accept or send back, log-normal sigma
DUE_SOON_SECONDS = 24 * HOUR  # as actions.DUE_SOON
TICK_DELAY = 600.0  # the SLA job runs every few minutes: escalation this long after the due date
# Information requests name a form field, a document, or a need the form has no field for.
OTHER_NEEDS = {
    ServiceKind.APPLICATION: ("isee_aggiornato", "iban"),
    "report": ("foto", "numero_civico"),
}
HANDOFF_REASONS = (
    "Competenza di un altro ufficio.",
    "Serve il parere tecnico dell'ufficio.",
    "Riguarda un'area gestita da un altro settore.",
)
RETURN_REASONS = (
    "Non è di nostra competenza: resta al vostro ufficio.",
    "Mancano i dati per procedere: completare prima di inoltrare.",
)
OVERRIDE_REASON = "Unica persona formata per questo servizio: assegnata oltre la capacità."


# --- small helpers ---------------------------------------------------------------------------


def _typos(rng: random.Random, text: str) -> str:
    """One to three slips of the keyboard (swap, drop, double) in about a third of texts."""
    if rng.random() > 0.33 or len(text) < 8:
        return text
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(chars) - 2)
        op = rng.random()
        if op < 0.4:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op < 0.75:
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def _codice_fiscale(rng: random.Random) -> str:
    letters = "ABCDEFGHILMNOPRSTUVZ"
    return (
        "".join(rng.choice(letters) for _ in range(6))
        + f"{rng.randint(40, 99):02d}"
        + rng.choice("ABCDEHLMPRST")
        + f"{rng.randint(1, 71):02d}"
        + rng.choice("ABCDEFGHILM")
        + f"{rng.randint(100, 999)}"
        + rng.choice(letters)
    )


def _pii(rng: random.Random, language: str, filer: str = "") -> tuple[str, str, str]:
    """(phrase with personal data, its kinds, the name it gives). The name is the filer's
    own when they have an account (`filer`); an anonymous filer's is made up here (and stored
    as the name they gave)."""
    first, last = rng.choice(T.PII_FIRST), rng.choice(T.PII_LAST)
    name = filer or f"{first} {last}"
    values = {
        "name": name,
        "phone": f"3{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@mail.example",
        "cf": _codice_fiscale(rng),
    }
    phrase = rng.choice(T.PII_IT if language == "it" else T.PII_EN)
    kinds = [k for k in ("name", "phone", "email", "cf") if "{" + k + "}" in phrase]
    return phrase.format(**values), "+".join(kinds), name


def _more_pii(rng: random.Random, language: str, first: str, last: str) -> tuple[str, str]:
    """(a second phrase with personal data of the kinds the redaction checks with the
    identifier's own check digit or a cue, its kind). `rng` is the case's own, so that the
    demo's main random stream (and so all the rest of the data) does not depend on it."""
    kind = rng.choice(("iban", "card", "birth_date", "obfuscated_email", "cf_spaced"))
    if kind == "iban":
        bban = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + "".join(
            rng.choice("0123456789") for _ in range(22)
        )
        number = "IT" + stdnum_iban.calc_check_digits("IT00" + bban) + bban
        value = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    elif kind == "card":
        body = rng.choice("45") + "".join(rng.choice("0123456789") for _ in range(14))
        number = body + stdnum_luhn.calc_check_digit(body)
        value = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    elif kind == "birth_date":
        value = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2004)}"
    elif kind == "obfuscated_email":
        value = f"{first.lower()}.{last.lower()} (at) mail (dot) example"
    else:
        # A day that every month has, so that the code's birth date is a real one.
        body = _codice_fiscale(rng)[:9] + f"{rng.randint(1, 28):02d}" + _codice_fiscale(rng)[11:15]
        number = body + stdnum_codicefiscale.calc_check_digit(body)
        value = f"{number[:3]} {number[3:6]} {number[6:11]} {number[11:]}".lower()
    phrases = T.PII_MORE_IT if language == "it" else T.PII_MORE_EN
    return phrases[kind].format(value=value), kind


@lru_cache(maxsize=4096)
def _public_address(address: str, names: tuple[str, ...]) -> str:
    """An address as the public reads it (the demo's addresses repeat: computed once each)."""
    return redact(address, names)


@lru_cache(maxsize=256)
def _public_event_text(text: str) -> str:
    """A timeline text as the public reads it. The demo's staff write from a few fixed phrases
    that name nobody, so each is redacted once, without names."""
    return redact(text)


def _inside(poly: list[tuple[float, float]], lon: float, lat: float) -> bool:
    """Ray casting; `poly` is a closed ring of (lon, lat)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres (exact enough below a few kilometres)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000.0 * math.hypot(x, y)


def _offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320.0
    dlon = metres * math.sin(bearing) / (111_320.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


# --- the plan of one administration ------------------------------------------------------------


@dataclass
class ServiceInfo:
    service: Service
    weight_by_month: tuple[float, ...]
    attributes: list[Any]
    related: list[int] = field(default_factory=list)
    index: int = 0
    # Channels the service offers, with cumulative CHANNEL_SHARE weights (precomputed per service).
    channels: tuple[str, ...] = ("web",)
    channel_cum: tuple[float, ...] = (1.0,)
    answer_specs: list[tuple[str, str, bool, list[str]]] = field(default_factory=list)
    request_codes: tuple[str, ...] = ()
    request_cum: tuple[float, ...] = ()


@dataclass
class Place:
    street: str
    lat: float
    lon: float


@dataclass
class AdminPlan:
    admin: Any
    ring: list[tuple[float, float]]
    services: list[ServiceInfo]
    holidays: frozenset
    places: list[Place]
    hotspots: list[Place]
    officers: list[int]
    members: list[Any] = field(default_factory=list)  # officers' and supervisors' memberships
    staffing: Staffing | None = None


def _ring(admin) -> list[tuple[float, float]]:
    boundary = admin.boundary or {}
    coords = boundary.get("coordinates") or []
    return [tuple(p) for p in coords[0]] if coords else []


def _random_point(rng: random.Random, ring) -> tuple[float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    # Cities cluster: draw towards the middle of the territory (mean of two uniforms).
    for _ in range(1000):
        lon = (rng.uniform(min(xs), max(xs)) + rng.uniform(min(xs), max(xs))) / 2
        lat = (rng.uniform(min(ys), max(ys)) + rng.uniform(min(ys), max(ys))) / 2
        if _inside(ring, lon, lat):
            return lat, lon
    raise ValueError("boundary too thin to place points")


def _plan_admin(rng: random.Random, admin, officers: list[int]) -> AdminPlan | None:
    services = list(
        Service.objects.filter(administration=admin, status=Service.Status.PUBLISHED)
        .prefetch_related("attributes")
        .order_by("code")
    )
    ring = _ring(admin)
    if not services or not ring:
        return None
    infos = [
        ServiceInfo(
            s,
            tuple(
                T.VOLUME.get(s.code, T.DEFAULT_VOLUME) * m for m in T.SEASONS.get(s.code, T.FLAT)
            ),
            [a for a in s.attributes.all() if a.variable],
        )
        for s in services
    ]
    index = {info.service.code: i for i, info in enumerate(infos)}
    for i, info in enumerate(infos):
        info.index = i
        info.answer_specs = _answer_specs(info.attributes)
        info.request_codes, info.request_cum = _request_fields(info)
        info.related = [index[c] for c in T.RELATED.get(info.service.code, ()) if c in index]
        offered = list(info.service.channels or [])
        info.channels = tuple(c for c in CHANNEL_SHARE if c in offered) or ("web",)
        info.channel_cum = tuple(accumulate(CHANNEL_SHARE[c] for c in info.channels))
    register = street_register_points(admin)
    if register:  # reports lie at the street register's house numbers (insieme.places.demo)
        places = [
            Place(f"{street} {number}", lat, lon)
            for street, number, lat, lon in (rng.choice(register) for _ in range(600))
        ]
        hotspots = [Place(street, lat, lon) for street, _n, lat, lon in rng.sample(register, 4)]
    else:
        streets = T.STREETS.get(admin.slug, T.DEFAULT_STREETS)
        places = []
        for i in range(600):
            lat, lon = _random_point(rng, ring)
            places.append(Place(f"{streets[i % len(streets)]} {rng.randint(1, 120)}", lat, lon))
        hotspots = [
            Place(streets[i], *_random_point(rng, ring)) for i in rng.sample(range(len(streets)), 4)
        ]
    return AdminPlan(admin, ring, infos, holidays_of(admin), places, hotspots, officers)


# --- who carries the cases ----------------------------------------------------------------


@dataclass
class Officer:
    """An officer or supervisor of a municipality, as the demo's assignment sees them."""

    user_id: int
    capacity: int
    department_id: int | None
    weight: float = 1.0  # share of new cases of the department
    overloaded: bool = False
    limit: int = 0  # the most open cases the demo leaves with them at the end of the year
    load: int = 0  # open cases assigned to them at the end of the year
    email: str = ""


class Staffing:
    """The officers and supervisors of one municipality by department: who gets a new case
    (skewed: about a fifth of them are overloaded, taking three shares and working slower), who
    keeps the open ones (nobody past capacity but the overloaded, each beyond it recorded as a
    supervisor's override), and, in some municipalities, one officer who never uses the platform."""

    def __init__(self, rng: random.Random, members: list[Any], services: list[ServiceInfo]):
        self.people: dict[int, Officer] = {}
        self.supervisors: dict[int | None, list[int]] = {}
        for m in sorted(members, key=lambda m: (m.user_id, -m.capacity)):
            if m.user_id not in self.people:  # one person, one load: the larger capacity
                self.people[m.user_id] = Officer(m.user_id, m.capacity, m.department_id)
                self.people[m.user_id].email = getattr(m.user, "email", "")
            if m.role == Role.SUPERVISOR:
                self.supervisors.setdefault(m.department_id, []).append(m.user_id)
        volume: Counter = Counter()
        for info in services:
            volume[info.service.department_id] += sum(info.weight_by_month)
        teams: dict[int | None, list[Officer]] = {}
        for officer in self.people.values():
            teams.setdefault(officer.department_id, []).append(officer)
        busy = sorted((d for d in teams if volume[d] > 0), key=lambda d: -volume[d])
        wanted = round(OVERLOADED_SHARE * len(self.people))
        rounds = 0
        while wanted > 0 and busy and rounds < 5:
            for d in busy:
                free = [o for o in teams[d] if not o.overloaded and o.capacity > 0]
                if free and wanted > 0:
                    chosen = rng.choice(free)
                    chosen.overloaded, chosen.weight = True, OVERLOADED_WEIGHT
                    wanted -= 1
            rounds += 1
        if rng.random() < NON_ADOPTER_CHANCE:
            shared = [
                o
                for d in busy
                for o in teams[d]
                if not o.overloaded
                and len([p for p in teams[d] if p.weight > 0]) >= 2
                and o.user_id not in self.supervisors.get(d, [])
            ]
            if shared:
                rng.choice(shared).weight = 0.0
        for officer in self.people.values():
            if officer.overloaded:
                stretch = max(officer.capacity + 1, officer.capacity * rng.uniform(1.15, 1.5))
                officer.limit = math.ceil(stretch)
            else:
                officer.limit = max(0, officer.capacity - 1)
        self.pools: dict[int | None, tuple[list[Officer], list[float]]] = {}
        for d, team in teams.items():
            active = [o for o in team if o.weight > 0]
            if active:
                self.pools[d] = (active, list(accumulate(o.weight for o in active)))

    def pick(self, rng: random.Random, department_id) -> Officer | None:
        pool = self.pools.get(department_id)
        return rng.choices(pool[0], cum_weights=pool[1])[0] if pool else None

    def keep_open(self, first: Officer | None, department_id) -> tuple[Officer | None, bool]:
        """(who carries an open case at the end of the year, whether it took an override)."""
        if first is not None and first.load < first.limit:
            first.load += 1
            return first, first.load > first.capacity
        best = None
        for o in self.pools.get(department_id, ((), ()))[0]:
            if (
                not o.overloaded
                and o.load < o.limit
                and (best is None or o.load * best.capacity < best.load * o.capacity)
            ):
                best = o
        if best is not None:
            best.load += 1
        return best, False

    def others(self, department_id) -> list[int | None]:
        return sorted((d for d in self.pools if d != department_id), key=lambda d: d or 0)


def _request_fields(info: ServiceInfo) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """What information requests of this service name, with cumulative weights: its form fields
    (the first ones most often), a document, and needs its form has no field for."""
    codes, weights = [], []
    for i, spec in enumerate(info.answer_specs):
        codes.append(spec[0])
        weights.append(4.0 if i == 0 else 2.0 if i == 1 else 1.0)
    total = sum(weights) or 1.0
    codes.append("document")
    weights.append(total * (0.2 if info.service.kind == ServiceKind.APPLICATION else 0.1))
    for name in OTHER_NEEDS.get(info.service.kind, OTHER_NEEDS["report"]):
        codes.append("other:" + name)
        weights.append(total * 0.08)
    return tuple(codes), tuple(accumulate(weights))


# --- generation ----------------------------------------------------------------------------


@dataclass
class Truth:
    """What the ground truth needs, kept while the rows themselves stream to the database."""

    duplicates: list[list] = field(default_factory=list)  # [duplicate ref, original ref, slug]
    pii: list[list] = field(default_factory=list)  # [reference, slug, kinds]
    by_status: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    by_language: Counter = field(default_factory=Counter)
    duplicates_marked: int = 0
    # Case handling: counts the issue-4 indicators must reproduce (see _truth).
    handling: Counter = field(default_factory=Counter)
    recent: Counter = field(default_factory=Counter)  # the same, of the last 90 days only


class _DueDates:
    """SLA due dates (as epoch seconds) with a cache per service, local date and day type."""

    def __init__(self, holidays: frozenset, start: float | None = None) -> None:
        self.holidays = holidays
        self.cache: dict[tuple[dt.date, int], dt.date] = {}
        # The working days (as ordinals) from a little before `start` to well after its year:
        # the n-th working day after a date is then one bisection, not a walk over the calendar
        # (dates outside it take the walk, catalog.sla's own).
        self.working: list[int] = []
        if start is not None:
            first = dt.datetime.fromtimestamp(start, ROME).date().toordinal() - 10
            self.working = [
                o
                for o in range(first, first + 800)
                if dt.date.fromordinal(o).weekday() < 5 and dt.date.fromordinal(o) not in holidays
            ]

    def _add(self, day: dt.date, days: int) -> dt.date:
        working, o = self.working, day.toordinal()
        if working and working[0] <= o:
            i = bisect_left(working, o) if days == 0 else bisect_right(working, o) + days - 1
            if i < len(working):
                return dt.date.fromordinal(working[i])
        return _add_working_days(day, days, self.holidays)

    def due(self, start: float, days: int, day_type: str) -> float:
        if day_type != "working":
            return start + days * DAY
        local = dt.datetime.fromtimestamp(start, ROME)
        key = (local.date(), days)
        target = self.cache.get(key)
        if target is None:
            target = self._add(local.date(), days)
            self.cache[key] = target
        naive = dt.datetime.combine(target, local.time().replace(tzinfo=None))
        return naive.replace(tzinfo=ROME).timestamp()


def _answer_specs(attributes) -> list[tuple[str, str, bool, list[str]]]:
    """(code, datatype, required, value keys) per variable attribute, computed once per service."""
    return [
        (
            a.code,
            a.datatype,
            a.required,
            [v["key"] for v in (a.values or []) if isinstance(v, dict) and "key" in v],
        )
        for a in attributes
    ]


def _answers(rng: random.Random, specs, place: str, when: float) -> dict:
    out: dict[str, Any] = {}
    for code, datatype, required, keys in specs:
        if not required and rng.random() < 0.4:
            continue
        if datatype == "string":
            out[code] = place if "indirizzo" in code or "via" in code else "vedi descrizione"
        elif datatype == "text":
            out[code] = "Dettagli nella descrizione."
        elif datatype == "number":
            out[code] = str(rng.randint(1, 40))
        elif datatype == "datetime":
            moment = dt.datetime.fromtimestamp(when - rng.uniform(1, 30) * DAY, ROME)
            out[code] = moment.replace(second=0, microsecond=0).isoformat()
        elif datatype == "singlevaluelist" and keys:
            out[code] = rng.choice(keys)
        elif datatype == "multivaluelist" and keys:
            out[code] = sorted(rng.sample(keys, rng.randint(1, min(2, len(keys)))))
    return out


def _times(rng, plan: AdminPlan, n: int, start: float) -> list[tuple[float, int]]:
    """n (submitted epoch, service index) pairs over 365 days, in time order."""
    cells, weights = [], []
    for day in range(365):
        moment = dt.datetime.fromtimestamp(start + day * DAY, ROME)
        d = moment.date()
        boost = 1.0
        # Waste piles up right after holidays (Christmas, Easter Monday, Ferragosto).
        if any((d - h).days in (1, 2, 3) for h in plan.holidays if abs((d - h).days) < 4):
            boost = 1.8
        for s, info in enumerate(plan.services):
            w = info.weight_by_month[d.month - 1] * WEEKDAY[d.weekday()]
            if "rifiuti" in info.service.code:
                w *= boost
            cells.append((day, s))
            weights.append(w)
    picks = rng.choices(cells, weights=weights, k=n)
    hours = rng.choices(range(24), weights=HOURS, k=n)
    out = [
        (start + day * DAY + hour * HOUR + rng.random() * HOUR, s)
        for (day, s), hour in zip(picks, hours, strict=True)
    ]
    out.sort()  # the rest relies on time order (reference numbers, duplicates of earlier cases)
    return out


def _year_counts(times: list[tuple[float, int]]) -> tuple[list[tuple[int, float]], Counter]:
    """([(local year, epoch where the next year starts)], cases per local year) of sorted times."""
    if not times:
        return [], Counter()
    year = dt.datetime.fromtimestamp(times[0][0], ROME).year
    spans, counts, lo = [], Counter(), 0
    while lo < len(times):
        ends = local_midnight(dt.date(year + 1, 1, 1))
        hi = bisect_left(times, (ends, -1), lo)
        counts[year] = hi - lo
        spans.append((year, ends))
        lo, year = hi, year + 1
    return spans, counts


NATURAL_RADIUS_M = 150.0


def _same_group(a: ServiceInfo, b: ServiceInfo) -> bool:
    return a.index == b.index or bool(a.service.group) and a.service.group == b.service.group


def _public_located(info: ServiceInfo) -> bool:
    return info.service.located and info.service.kind != ServiceKind.APPLICATION


def _natural_original(families: dict[tuple, list[dict]], key: tuple, row: dict) -> dict | None:
    """The first report of `row`'s problem (same service and issue, the root when that report is
    itself a duplicate) still open when `row` is filed and within NATURAL_RADIUS_M of it, or None.

    `families` holds the located public reports by (service, issue, grid row, grid column) in
    filing order; the 3×3 cells around `row` cover the radius. Reports closed before `row` was
    filed are dropped on the way: cases are generated in time order, so they never match again.
    """
    t0, lat, lon = row["_t0"], row["lat"], row["lon"]
    r, c = grid_cell(lat, lon)
    best = None
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            bucket = families.get((*key, r + dr, c + dc))
            if not bucket:
                continue
            alive = [cand for cand in bucket if cand["_open_until"] > t0]
            if len(alive) != len(bucket):
                bucket[:] = alive
            for cand in alive:  # oldest first: the first one near enough is the earliest here
                if best is not None and cand["_t0"] >= best["_t0"]:
                    break
                if cand["_t0"] < t0 and distance_m(cand["lat"], cand["lon"], lat, lon) <= (
                    NATURAL_RADIUS_M
                ):
                    best = cand
                    break
    if best is not None and best["_root"] is not None and best["_root"]["_open_until"] > t0:
        return best["_root"]  # a duplicate points at the report everybody else points at
    return best


def _sweep(families: dict[tuple, list[dict]], now: float) -> None:
    for key in list(families):
        alive = [cand for cand in families[key] if cand["_open_until"] > now]
        if alive:
            families[key] = alive
        else:
            del families[key]


class Generator:
    """Generates the cases of each municipality in time order and hands them over in chunks.

    `flush` is called with every CHUNK cases (and at the end); it receives the case rows (dicts
    keyed by attname), the event, follower and rating rows (tuples in the column order of
    EVENT_COLUMNS, FOLLOWER_COLUMNS and RATING_COLUMNS) and the handling rows (see `finish`). Nothing but the ground truth and a small
    window of recent originals (for planting duplicates) outlives a chunk.
    """

    def __init__(
        self,
        seed: int,
        now: float,
        next_ids: dict[str, int],
        flush=None,
        recent_from: float | None = None,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(f"insieme-cases-{seed}")
        # Followers are drawn from their own stream, so that the cases do not depend on chunking.
        self.after_rng = random.Random(f"insieme-cases-after-{seed}")
        # Handling (assignees, hand-offs, fields asked for) from a third stream: adding it left
        # the cases themselves as they were.
        self.hrng = random.Random(f"insieme-cases-handling-{seed}")
        # The indicators' 90-day windows start at local midnight 89 days before today: the
        # caller says when that is, for 89 × 24 hours from today's midnight is an hour off it
        # whenever the clocks changed in between (a demo loaded on 7 December counted one
        # information request of 9 September in the indicator and not in the truth).
        self.recent_from = now - 89 * DAY if recent_from is None else recent_from
        self.staffings: list[tuple[str, Staffing]] = []
        self.now = now
        self.ids = dict(next_ids)
        self.truth = Truth()
        self.residents: list[tuple[int, str, str, str]] = []  # id, name, email, language
        self.pending: list[dict] = []
        self.flush_rows = flush
        self.dbtime = _db_time()
        # Texts repeat (the same complaint about the same street, without a typo): each distinct
        # text is analysed once per load; half the signatures of a million cases come from here.
        self.signature = lru_cache(maxsize=1 << 16)(case_signature)

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # people

    def make_residents(self, count: int, known: list[Any]) -> list[dict]:
        """Known citizens (the demo logins) first, then generated residents who file reports;
        returns the user rows of the generated ones."""
        from insieme.core.demo import FIRST_NAMES, SURNAMES

        rng = self.rng
        users = []
        for user in known:
            self.residents.append(
                (user.pk, user.full_name, user.email, user.preferred_language or "it")
            )
        joined = dt.datetime.fromtimestamp(self.now - 400 * DAY, UTC)
        for i in range(count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            lang = "en" if rng.random() < ENGLISH_SHARE else "it"
            uid = self.next_id("user")
            # The seed in the address keeps two seeds' residents apart (the load benchmark
            # generates a second population beside the loaded one).
            email = f"residente{i + 1}.s{self.seed}@{RESIDENT_DOMAIN}"
            users.append(
                {
                    "id": uid,
                    "email": email,
                    "full_name": name,
                    "preferred_language": lang,
                    "password": "!demo-resident",  # unusable: these people do not log in
                    "date_joined": joined,
                    "email_verified_at": joined,
                }
            )
            self.residents.append((uid, name, email, lang))
        return users

    def pick_resident(self) -> tuple[int, str, str, str]:
        # A few people report a lot: a skewed pick (the demo logins are the first ones).
        n = len(self.residents)
        return self.residents[min(n - 1, int(n * self.rng.random() ** 2.2))]

    # cases

    def admin_cases(self, plan: AdminPlan, n: int, start: float, allocate) -> None:
        """Generate n cases of one administration in time order. `allocate(admin_id, year,
        count)` reserves the reference numbers (returns the first) before any case is made."""
        rng = self.rng
        due = _DueDates(plan.holidays, start)
        plan.staffing = Staffing(self.hrng, plan.members, plan.services)
        self.staffings.append((plan.admin.slug, plan.staffing))
        # Who never uses the platform neither acts on cases nor files them for citizens.
        absent = {o.user_id for o in plan.staffing.people.values() if o.weight == 0}
        plan.officers = [u for u in plan.officers if u not in absent] or plan.officers
        # Located public reports that were not planted as duplicates, newest last (slim copies),
        # and the open ones by text family (service whose issues the text comes from, issue)
        # and grid cell.
        recent: list[dict] = []
        families: dict[tuple, list[dict]] = {}
        swept = 0
        admin = plan.admin
        times = _times(rng, plan, n, start)
        spans, counts = _year_counts(times)
        numbers = {year: allocate(admin.pk, year, counts[year]) for year, _e in spans}
        span = iter(spans)
        year, ends = next(span, (0, math.inf))
        services = plan.services
        for when, s in times:
            while when >= ends:
                year, ends = next(span)
            info = services[s]
            original = None
            if info.service.located and recent and rng.random() < DUPLICATE_SHARE:
                original = self._original_for(recent, when)
                if original is not None:
                    # Filed under the original's service, or now and then under a related one
                    # of the same catalogue group (still describing the original's problem).
                    info = services[original["_service_index"]]
                    if rng.random() >= 0.8:
                        related = [
                            services[i]
                            for i in info.related
                            if _same_group(services[i], info) and _public_located(services[i])
                        ]
                        info = rng.choice(related) if related else info
            reference = format_reference(year, numbers[year])
            numbers[year] += 1
            row = self._case(plan, info, when, due, original, reference)
            self.pending.append(row)
            if row["lat"] is not None and row["is_public"]:
                # Located public reports stay findable while open, planted duplicates too (they
                # describe their original's problem, near it): a later report of the problem
                # must point at the same first report whichever of them it happens to meet.
                text_index = original["_service_index"] if original is not None else info.index
                entry = {
                    "id": row["id"],
                    "reference": reference,
                    "lat": row["lat"],
                    "lon": row["lon"],
                    "language": row["language"],
                    "_street": row["_street"],
                    "_issue": row["_issue"],
                    "_variant": row["_variant"],
                    "_service_index": text_index,
                    "_t0": row["_t0"],
                    "_open_until": row["_open_until"],
                    "_root": None,
                }
                key = (text_index, row["_issue"])
                if original is not None:
                    root = original["_root"]
                    entry["_root"] = (
                        root if root is not None and root["_open_until"] > when else (original)
                    )
                else:
                    # A natural duplicate: the same problem reported again nearby while the
                    # first report is still open (labelled in the ground truth; staff did not
                    # handle it). Reports are kept as long as they are open, so that the labels
                    # are complete however many reports arrive meanwhile.
                    root = _natural_original(families, key, row)
                    if root is not None:
                        row["_original"] = entry["_root"] = root
                    recent.append(entry)  # originals for planted duplicates: not duplicates
                families.setdefault((*key, *grid_cell(row["lat"], row["lon"])), []).append(entry)
                if len(recent) > 400:  # recent reports only
                    del recent[:100]
                swept += 1
                if swept % 20_000 == 0:  # forget closed reports in cells nobody reported in since
                    _sweep(families, row["_t0"])
            if len(self.pending) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        """Finish the pending cases and hand them over; then forget them."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        events, followers, ratings, handling = self.finish(rows)
        if self.flush_rows is not None:
            self.flush_rows(rows, events, followers, ratings, handling)

    def _original_for(self, recent: list[dict], when: float) -> dict | None:
        """A recent report still open at `when` (the first report of its problem when that one
        is open too: a duplicate points at the report everybody else points at)."""
        for _ in range(6):
            cand = self.rng.choice(recent[-150:])
            if cand["_t0"] < when - 600 and cand["_open_until"] > when:
                root = cand["_root"]
                return root if root is not None and root["_open_until"] > when else cand
        return None

    def _case(
        self,
        plan: AdminPlan,
        info: ServiceInfo,
        t0: float,
        due: _DueDates,
        original: dict | None,
        reference: str,
    ) -> dict:
        rng = self.rng
        svc = info.service
        cid = self.next_id("case")
        channel = rng.choices(info.channels, cum_weights=info.channel_cum)[0]
        weekday = dt.datetime.fromtimestamp(t0, ROME).weekday()
        if channel in ("counter", "phone") and weekday >= 5:
            channel = "web"
        if channel in ("counter", "phone") and original is None:
            # Offices: re-time the filing into opening hours of the same day.
            local = dt.datetime.fromtimestamp(t0, ROME)
            hour = rng.choices(HOURS_24, cum_weights=OFFICE_CUM)[0]
            t0 = local.replace(hour=hour, minute=rng.randint(0, 59)).timestamp()
        language = "en" if rng.random() < ENGLISH_SHARE else "it"
        anonymous = svc.anonymous_allowed and channel in ("web", "app") and rng.random() < 0.15
        submitter = None if anonymous else self.pick_resident()
        if submitter is not None and rng.random() < 0.7:
            language = submitter[3]
        # Place.
        lat = lon = None
        street, hotspot = "", False
        if svc.located:
            if original is not None:
                for _ in range(10):
                    lat, lon = _offset(
                        original["lat"],
                        original["lon"],
                        rng.uniform(0, 140),
                        rng.uniform(0, 2 * math.pi),
                    )
                    if _inside(plan.ring, lon, lat):
                        break
                else:
                    lat, lon = original["lat"], original["lon"]
                street = original["_street"]
            else:
                if rng.random() < HOTSPOT_SHARE:
                    place, spread, hotspot = rng.choice(plan.hotspots), 60.0, True
                else:
                    place, spread = rng.choice(plan.places), 15.0
                lat, lon = _offset(
                    place.lat, place.lon, rng.uniform(0, spread), rng.uniform(0, 2 * math.pi)
                )
                if not _inside(plan.ring, lon, lat):
                    lat, lon = place.lat, place.lon
                street = place.street
        # Text.
        # A duplicate describes the original's problem, whatever service it is filed under.
        text_svc = svc if original is None else plan.services[original["_service_index"]].service
        issues = T.ISSUES.get(text_svc.code)
        if original is not None:
            issue_no = original["_issue"]
        else:
            issue_no = rng.randrange(len(issues)) if issues else 0
        phrasings = issues[issue_no] if issues else T.GENERIC_ISSUE
        if original is not None:
            # Same problem in other words: the other phrasing, sometimes the other language.
            if rng.random() < 0.25:
                language = "en" if original["language"] == "it" else "it"
            variant = 1 - original["_variant"] if language == original["language"] else 0
        else:
            variant = rng.randrange(2)
        template = phrasings[0 if language == "it" else 1][variant]
        text = template.format(place=street or plan.admin.name, service=text_svc.name)
        title = text.split(",")[0][:120]
        description = _typos(rng, text)
        contact_name = submitter[1] if submitter else ""
        if rng.random() < PII_SHARE:
            phrase, kinds, given = _pii(rng, language, contact_name)
            contact_name = given
            description += phrase
            own = random.Random(f"{self.seed}:{reference}")  # noqa: S311 - demo data
            if own.random() < 0.6:
                parts = given.split()
                phrase, kind = _more_pii(own, language, parts[0], parts[-1])
                description += phrase
                kinds += "+" + kind
            self.truth.pii.append([reference, plan.admin.slug, kinds])
        address = f"{street}, {plan.admin.name}" if street else ""
        # What the public reads (insieme.cases.redact): the filer's name is the one to mask.
        names = (contact_name,) if contact_name else ()
        # Who filed it.
        filed_by = rng.choice(plan.officers) if channel in ASSISTED and plan.officers else None
        form = FORM_SECONDS.get(channel)
        form_seconds = int(_lognormal(rng, *form)) + 20 if form else None
        # Lifecycle.
        ack_due = due.due(t0, svc.sla_acknowledge_days, svc.sla_day_type)
        res_due = due.due(t0, svc.sla_resolve_days, svc.sla_day_type)
        ack_at = t0 + _lognormal(rng, max(2.0, svc.sla_acknowledge_days * 6.0), 1.0) * HOUR
        application = svc.kind == ServiceKind.APPLICATION
        incomplete = rng.random() < (0.15 if application else 0.08)
        events: list[tuple] = [(t0, "submitted", "", "", True, "", None, submitter)]
        status = Status.SUBMITTED
        resolved_at = closed_at = first_public = None
        decision = ""
        info_requests = 0
        end = None  # the moment it stopped being open
        dup_handled = False
        rating = None
        staff = rng.choice(plan.officers) if plan.officers else None
        # Handling: the officer the case goes to (their department's share, skewed), who then
        # does the staff steps of its timeline; an overloaded officer takes longer.
        hrng = self.hrng
        department = svc.department_id
        first = plan.staffing.pick(hrng, department) if plan.staffing else None
        if first is not None:
            staff = first.user_id
        slow = 1.0
        if first is not None and first.overloaded and t0 > self.now - OVERLOAD_DAYS * DAY:
            slow = OVERLOADED_SLOWDOWN
        hevents: list[tuple] = []  # (at, kind, from, to, public, text, actor, field, data)
        paused_at, paused = None, 0.0
        reply_it = language == "it"
        if original is not None:
            handled = ack_at
            if handled < self.now:
                dup_handled = True
                status, closed_at, end = Status.DUPLICATE, handled, handled
                events.append((handled, "duplicate", "submitted", "duplicate", True, "", staff, 0))
        elif ack_at < self.now:
            status = Status.ACKNOWLEDGED
            first_public = ack_at
            events.append((ack_at, "status", "submitted", "acknowledged", True, "", staff, 0))
            work_start = ack_at
            if incomplete:
                info_requests = 1
                info_text = T.INFO_IT if reply_it else T.INFO_EN
                asked = ack_at + 60
                code = hrng.choices(info.request_codes, cum_weights=info.request_cum)[0]
                hevents.append(
                    (asked, "info_requested", "", "", True, info_text, staff, code, "{}")
                )
                answered = ack_at + _lognormal(rng, 1.5, 1.0) * DAY
                if rng.random() < 0.8 and answered < self.now:
                    ans = T.ANSWER_IT if reply_it else T.ANSWER_EN
                    events.append((answered, "info_provided", "", "", True, ans, None, submitter))
                    work_start = answered
                    # The SLA clock stood still while the citizen was asked.
                    paused = answered - asked
                    res_due += paused
                elif ack_at + INFO_TIMEOUT_DAYS * DAY < self.now:
                    closed_at = end = ack_at + INFO_TIMEOUT_DAYS * DAY
                    paused = closed_at - asked
                    res_due += paused
                    events.append(
                        (closed_at, "status", "acknowledged", "closed", True, "", staff, 0)
                    )
                    status = Status.CLOSED
                else:
                    status = Status.WAITING_CITIZEN
                    paused_at = asked
            if status == Status.ACKNOWLEDGED:
                refused = rng.random() < (0.1 if application else 0.03)
                median_days = max(0.5, svc.sla_resolve_days * 0.45)
                done = work_start + _lognormal(rng, median_days, 0.75) * DAY * slow
                if done < self.now:
                    current = "acknowledged"
                    if rng.random() < 0.5:
                        mid = work_start + (done - work_start) * 0.3
                        events.append((mid, "status", current, "in_progress", True, "", staff, 0))
                        current = "in_progress"
                    target = Status.REFUSED if refused else Status.RESOLVED
                    if application:
                        # As cases.handling.actions.decide writes it: one event, the reasons its text.
                        decision = "refused" if refused else "granted"
                        reasons = T.REFUSAL_REASONS if refused else ""
                        events.append((done, "decision", current, target, True, reasons, staff, 0))
                    else:
                        if rng.random() < 0.5:
                            reply = rng.choice(T.REPLIES_IT if reply_it else T.REPLIES_EN)
                            events.append(
                                (done - 3600, "public_reply", "", "", True, reply, staff, 0)
                            )
                        text_done = T.DONE_IT if reply_it else T.DONE_EN
                        if refused:
                            # Two refusals in five say why (no new draw: the stream stays).
                            why = T.REFUSED_IT if reply_it else T.REFUSED_EN
                            text_done = why if cid % 5 < 2 else ""
                        events.append((done, "status", current, target, True, text_done, staff, 0))
                    status, end = target, done
                    if target == Status.RESOLVED:
                        resolved_at = done
                        if done + 10 * DAY < self.now and rng.random() < 0.8:
                            closed_at = done + 10 * DAY
                            events.append(
                                (closed_at, "status", "resolved", "closed", True, "", None, 0)
                            )
                            status = Status.CLOSED
                        if submitter is not None and rng.random() < 0.3:
                            at = done + _lognormal(rng, 0.8, 1.0) * DAY
                            if at < self.now:
                                fast = done <= res_due
                                score = rng.choices(
                                    (5, 4, 3, 2, 1),
                                    weights=(45, 35, 12, 5, 3) if fast else (8, 17, 30, 27, 18),
                                )[0]
                                comments = T.RATING_IT if language == "it" else T.RATING_EN
                                rating = (
                                    at,
                                    score,
                                    comments[0 if score >= 4 else 2 if score <= 2 else 1],
                                )
                                events.append((at, "rated", "", "", False, "", None, submitter))
                    else:
                        closed_at = done
                elif rng.random() < 0.6:
                    status = Status.IN_PROGRESS
                    mid = min(work_start + 3600, self.now - 60)
                    events.append(
                        (mid, "status", "acknowledged", "in_progress", True, "", staff, 0)
                    )
        handling = self._handling(
            plan,
            info,
            (cid, t0, channel, end, info_requests),
            (first, department, staff, first_public or (ack_at if dup_handled else None)),
            (res_due, paused_at),
            events,
            hevents,
        )
        row = {
            "id": cid,
            "administration_id": plan.admin.pk,
            "service_id": svc.pk,
            "kind": svc.kind,
            "reference": reference,
            "status": status,
            "is_public": not application,
            "title": title,
            "description": description,
            "public_description": redact(description, names),
            "answers": _answers(rng, info.answer_specs, street, t0),
            "lat": lat,
            "lon": lon,
            "cell_row": None,
            "cell_col": None,
            "address": address,
            "public_address": _public_address(address, names),
            "channel": channel,
            "form_seconds": form_seconds,
            "language": language,
            "submitted_by_id": submitter[0] if submitter else None,
            "filed_by_id": filed_by,
            "consent_noted": filed_by is not None,
            "contact_name": contact_name,
            "contact_email": submitter[2] if submitter else "",
            "duplicate_of_id": original["id"] if dup_handled else None,
            "complete_at_submission": not incomplete,
            "info_requests": info_requests,
            "submitted_at": t0,
            "acknowledged_at": first_public if first_public else None,
            "first_public_response_at": first_public,
            "resolved_at": resolved_at,
            "closed_at": closed_at,
            "acknowledge_due_at": ack_due,
            "resolve_due_at": res_due,
            "decision": decision,
            "decision_reasons": T.REFUSAL_REASONS if decision == "refused" else "",
            "_t0": t0,
            "_slug": plan.admin.slug,
            "_open_until": end if end is not None else math.inf,
            "_street": street,
            "_issue": issue_no,
            "_variant": variant,
            "_original": original,
            "_hotspot": hotspot,
            "_events": events,
            "_rating": rating,
            "_hevents": hevents,
            "sla_paused_at": paused_at,
            "sla_paused_seconds": int(paused),
            **handling,
        }
        if lat is not None:
            row["cell_row"], row["cell_col"] = grid_cell(lat, lon)
            row["match_grams"] = self.signature(title, description)
        if anonymous and rng.random() < 0.6:
            row["contact_email"] = f"anonimo{cid}@mail.example"
        return row

    def _handling(
        self,
        plan: AdminPlan,
        info: ServiceInfo,
        case: tuple,
        who: tuple,
        sla: tuple,
        events: list[tuple],
        hevents: list[tuple],
    ) -> dict:
        """The handling columns of one case and the rows hanging off it: its department and
        assignee, a hand-off now and then, logged time, SLA state and escalations. `events` (the
        lifecycle) and `hevents` (handling events) are amended in place."""
        cid, t0, channel, end, loops = case
        first, department, staff, handled = who
        res_due, paused_at = sla
        rng, now, staffing = self.hrng, self.now, plan.staffing
        truth = self.truth.handling
        owner = first
        assigned_at = t0 + rng.uniform(1.0, 120.0) if first is not None else None
        handoff = None
        timelogs: list[tuple] = []
        escalations: list[tuple] = []
        # A hand-off to another department; the answer comes within hours, a third are sent back.
        if handled is not None and staffing is not None and rng.random() < HANDOFF_SHARE:
            others = staffing.others(department)
            created = handled + _lognormal(rng, 3.0, 0.8) * HOUR
            if others and created < (end if end is not None else now):
                to = rng.choice(others)
                decided = created + _lognormal(rng, *HANDOFF_ANSWER_HOURS) * HOUR
                if end is not None and decided >= end:
                    decided = created + (end - created) * 0.5
                receiver = staffing.pick(rng, to)
                decider = receiver.user_id if receiver is not None else None
                hid = self.next_id("handoff")
                reason = rng.choice(HANDOFF_REASONS)
                hevents.append(
                    (created, "handoff", "", "", False, reason, staff, "")
                    + (_JSON({"handoff": hid, "to": to}),)
                )
                response = ""
                if decided >= now:
                    state, decided_at, decider = "pending", None, None
                elif rng.random() < RETURNED_SHARE:
                    state, decided_at, response = "returned", decided, rng.choice(RETURN_REASONS)
                    hevents.append(
                        (decided, "handoff_returned", "", "", False, response, decider, "")
                        + (_JSON({"handoff": hid}),)
                    )
                else:
                    state, decided_at = "accepted", decided
                    hevents.append(
                        (decided, "handoff_accepted", "", "", False, "", decider, "")
                        + (_JSON({"handoff": hid, "department": to}),)
                    )
                    if receiver is not None and staff is not None:
                        events[:] = [
                            e if e[6] != staff or e[0] <= decided else (*e[:6], decider, e[7])
                            for e in events
                        ]
                    owner, assigned_at = receiver, decided + 60 if receiver is not None else None
                handoff = (hid, cid, department, to, reason, staff, state, response, decider)
                handoff += (created, decided_at)
                truth["handoffs_" + state] += 1
                if decided_at is not None:
                    truth["handoff_hours"] += (decided_at - created) / HOUR
                    if decided_at >= self.recent_from:
                        self.truth.recent["handoffs_answered"] += 1
                        self.truth.recent["handoffs_returned"] += state == "returned"
                minutes = max(1, round(_lognormal(rng, 8.0, 0.4)))
                timelogs.append((staff, department, "handoff", minutes, created))
                if state == "accepted":
                    department = to
        # Open at the end of the year: nobody carries more than capacity, but the overloaded,
        # each case beyond it a supervisor's recorded override.
        if end is None and staffing is not None:
            kept, override = staffing.keep_open(owner, department)
            if kept is None:
                assigned_at = None
            elif override:
                boss = (staffing.supervisors.get(department) or [None])[0]
                escalations.append(
                    ("capacity_override", boss, kept.user_id, OVERRIDE_REASON, assigned_at)
                )
                hevents.append(
                    (assigned_at + 1, "assigned", "", "", False, OVERRIDE_REASON, boss, "")
                    + (_JSON({"from": None, "to": kept.user_id}),)
                )
            owner = kept
            truth["open_assigned" if kept is not None else "open_unassigned"] += 1
        assignee = owner.user_id if owner is not None else None
        # SLA: the job marks an open case overdue a few minutes after its due date (unless
        # waiting for the citizen) and escalates it; due soon within a day of it. (Closed cases
        # that were late show in their dates only: their escalations are not generated, to
        # keep the load light.)
        due_state, escalated_at = "", None
        if res_due is not None and paused_at is None:
            if end is None and res_due + TICK_DELAY < now:
                due_state, escalated_at = "overdue", res_due + TICK_DELAY
                escalations.append(("overdue", None, assignee, "", escalated_at))
                hevents.append((escalated_at, "escalated", "", "", False, "", None, "", "{}"))
                truth["overdue_open"] += 1
            elif end is None and res_due - DUE_SOON_SECONDS <= now:
                due_state = "due_soon"
                at = min(max(res_due - DUE_SOON_SECONDS, t0) + TICK_DELAY, now - 1)
                escalations.append(("due_soon", None, assignee, "", at))
                truth["due_soon"] += 1
        # Logged time: the cost model's minutes for the channel, give or take, more with
        # information requests.
        total = 0
        if handled is not None:
            standard = info.service.staff_minutes or {}
            base = float(standard.get(channel) or standard.get("web") or 10)
            minutes = min(24 * 60, max(1, round(_lognormal(rng, base, 0.35) * (1 + 0.5 * loops))))
            at = end if end is not None else min(handled + HOUR, now - 60)
            timelogs.append((assignee or staff, department, "work", minutes, at))
            total = sum(t[3] for t in timelogs)
            truth["staff_minutes"] += total
            truth["time_logs"] += len(timelogs)
        if assignee is not None:
            truth["assigned"] += 1
        return {
            "department_id": department,
            "assignee_id": assignee,
            "assigned_at": assigned_at if assignee is not None else None,
            "due_state": due_state,
            "escalated_at": escalated_at,
            "staff_minutes": total,
            "_handoff": handoff,
            "_timelogs": timelogs,
            "_escalations": escalations,
        }

    # what hangs off each case

    def finish(self, rows: list[dict]) -> tuple[list[tuple], list[tuple], list[tuple], dict]:
        """Events, followers and ratings of a chunk of cases (and their share of the ground
        truth); sets each case's updated_at. Returns (events, followers, ratings, handling) as
        tuples, handling being {"events", "handoffs", "timelogs", "escalations"}: the rows in
        the columns of HANDLING_EVENT_COLUMNS, HANDOFF_COLUMNS, TIMELOG_COLUMNS and
        ESCALATION_COLUMNS."""
        rng = self.after_rng
        residents = self.residents
        truth = self.truth
        ts = self.dbtime
        now = self.now
        next_id = self.next_id
        events: list[tuple] = []
        followers: list[tuple] = []
        ratings: list[tuple] = []
        handling: dict[str, list[tuple]] = {
            "events": [],
            "handoffs": [],
            "timelogs": [],
            "escalations": [],
        }
        hevents, handoffs = handling["events"], handling["handoffs"]
        timelogs, escalations = handling["timelogs"], handling["escalations"]
        recent_from, recent = self.recent_from, truth.recent
        for row in rows:
            cid, t0 = row["id"], row["_t0"]
            for at, kind, frm, to, public, text, actor, code, data in row["_hevents"]:
                shown = _public_event_text(text) if public else ""
                hevents.append(
                    (next_id("event"), cid, kind, actor, public, frm, to, text, ts(at), shown)
                    + (code, data)
                )
                if kind == "info_requested":
                    lacking = code.startswith("other:") or code == "document"
                    truth.handling["info_requests_form_lacks" if lacking else "info_requests"] += 1
                    if at >= recent_from:
                        recent["info_requests"] += 1
                        recent["info_requests_form_lacks"] += lacking
            if row["_handoff"] is not None:
                h = row["_handoff"]
                handoffs.append(h[:9] + (ts(h[9]), ts(h[10]) if h[10] is not None else None))
            channel = row["channel"]
            for user, department, action, minutes, at in row["_timelogs"]:
                timelogs.append(
                    (next_id("timelog"), cid, user, department, action, minutes, channel, ts(at))
                )
            for kind, actor, officer, reason, at in row["_escalations"]:
                escalations.append(
                    (next_id("escalation"), cid, kind, actor, officer, reason, ts(at))
                )
                truth.handling["escalations_" + kind] += 1
            if row["filed_by_id"]:
                truth.handling["assisted"] += 1
            last = t0
            for at, kind, frm, to, public, text, actor, who in row["_events"]:
                user = actor if actor else (who[0] if who else None)
                shown = _public_event_text(text) if public else ""
                events.append(
                    (next_id("event"), cid, kind, user, public, frm, to, text, ts(at), shown)
                )
                if at > last:
                    last = at
            row["updated_at"] = last
            truth.by_status[row["status"]] += 1
            truth.by_channel[row["channel"]] += 1
            truth.by_language[row["language"]] += 1
            if row["duplicate_of_id"]:
                truth.duplicates_marked += 1
            orig = row["_original"]
            if orig is not None:
                truth.duplicates.append([row["reference"], orig["reference"], row["_slug"]])
            submitter = row["submitted_by_id"]
            seen = {submitter} if submitter else set()
            if submitter:
                followers.append((next_id("follower"), cid, submitter, False, ts(t0)))
            if row["lat"] is not None and row["status"] != Status.DUPLICATE:
                chance = 0.35 if row["_hotspot"] else 0.1
                if rng.random() < chance:
                    until = min(row["_open_until"], now)
                    for _ in range(rng.randint(1, 6 if row["_hotspot"] else 2)):
                        user = residents[rng.randrange(len(residents))][0]
                        at = t0 + rng.random() * max(60.0, until - t0)
                        if user in seen or at >= now:
                            continue
                        seen.add(user)
                        stamp = ts(at)
                        followers.append((next_id("follower"), cid, user, True, stamp))
                        events.append(
                            (next_id("event"), cid, "followed", None, True, "", "", "", stamp, "")
                        )
            if row["_rating"] is not None:
                at, score, comment = row["_rating"]
                ratings.append((next_id("rating"), cid, submitter, score, comment, ts(at)))
        return events, followers, ratings, handling


# --- writing -----------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "id",
    "case_id",
    "kind",
    "actor_id",
    "is_public",
    "from_status",
    "to_status",
    "text",
    "created_at",
    "public_text",
)
FOLLOWER_COLUMNS = ("id", "case_id", "user_id", "me_too", "created_at")
HANDLING_EVENT_COLUMNS = (*EVENT_COLUMNS, "field_code", "data")
HANDOFF_COLUMNS = (
    "id",
    "case_id",
    "from_department_id",
    "to_department_id",
    "reason",
    "requested_by_id",
    "state",
    "response",
    "decided_by_id",
    "created_at",
    "decided_at",
)
TIMELOG_COLUMNS = (
    "id",
    "case_id",
    "user_id",
    "department_id",
    "action",
    "minutes",
    "channel",
    "created_at",
)
ESCALATION_COLUMNS = ("id", "case_id", "kind", "actor_id", "officer_id", "reason", "created_at")
RATING_COLUMNS = ("id", "case_id", "user_id", "score", "comment", "created_at")

_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 (naive UTC, as Django stores it in SQLite)


_CLOCK: list[str] = []  # "HH:MM:SS" of every second of a day, built once (5 MB)


def _sqlite_time():
    """Epoch seconds → the text Django stores for a UTC datetime in SQLite, without building a
    datetime per value (dates are cached per day, times of day looked up)."""
    days: dict[int, str] = {}
    if not _CLOCK:
        _CLOCK.extend(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
    clock = _CLOCK

    def convert(v: float) -> str:
        seconds, micro = divmod(round(v * 1_000_000), 1_000_000)
        day, rest = divmod(seconds, 86_400)
        date = days.get(day)
        if date is None:
            date = days[day] = (_EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%d ")
        if micro:
            return f"{date}{clock[rest]}.{micro:06d}"
        return date + clock[rest]

    return convert


def _db_time():
    """Epoch seconds → what the DB driver takes for a DateTimeField."""
    if connection.vendor == "sqlite":
        return _sqlite_time()
    return lambda v: dt.datetime.fromtimestamp(v, UTC)


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(v, ensure_ascii=False) gives


def _converter(f: models.Field, epoch=None):
    """Python value → what the DB driver takes, for the few field types the demo writes."""
    if isinstance(f, models.DateTimeField):
        epoch = epoch or _db_time()
        sqlite = connection.vendor == "sqlite"

        def convert(v):
            if v is None:
                return None
            if isinstance(v, float | int):
                return epoch(v)
            if sqlite:
                return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            return v

        return convert
    if isinstance(f, models.JSONField):
        return _JSON
    return None


class Table:
    """The INSERT of one model for rows given either as dicts keyed by attname (missing fields take
    their defaults) or as tuples of already converted values for `columns` (the other fields are
    appended with their defaults)."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...] | None = None) -> None:
        fields = list(model._meta.concrete_fields)
        by_name = {f.attname: f for f in fields}
        self.columns = tuple(columns) if columns else tuple(by_name)
        rest = [f for f in fields if f.attname not in self.columns]
        epoch = _db_time()

        def default(f):
            return f.get_default() if f.has_default() or not f.null else None

        self.convert = [
            (name, _converter(by_name[name], epoch), default(by_name[name]))
            for name in self.columns
        ]
        # from_dicts: every column read at C speed from the row laid over the defaults, then
        # the few that need it converted (datetimes only when set).
        self.defaults = {name: dflt for name, _conv, dflt in self.convert}
        only = self.columns[0]
        self.getter = (
            operator.itemgetter(*self.columns) if len(self.columns) > 1 else lambda r: (r[only],)
        )
        self.converted = [
            (i, conv, isinstance(by_name[name], models.DateTimeField))
            for i, (name, conv, _dflt) in enumerate(self.convert)
            if conv is not None
        ]
        tail = []
        for f in rest:
            conv, value = _converter(f, epoch), default(f)
            tail.append(conv(value) if conv else value)
        self.tail = tuple(tail)
        qn = connection.ops.quote_name
        names = [by_name[n].column for n in self.columns] + [f.column for f in rest]
        # Table and column names come from the model's metadata, quoted; values are parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            qn(model._meta.db_table),
            ", ".join(qn(c) for c in names),
            ", ".join(["%s"] * len(names)),
        )

    def from_dicts(self, rows: list[dict]) -> list[tuple]:
        defaults, getter, converted, tail = self.defaults, self.getter, self.converted, self.tail
        out = []
        for row in rows:
            values = list(getter({**defaults, **row}))
            for i, conv, skip_none in converted:
                v = values[i]
                if v is not None or not skip_none:
                    values[i] = conv(v)
            out.append(tuple(values) + tail)
        return out

    def from_tuples(self, rows: list[tuple]) -> list[tuple]:
        tail = self.tail
        return [row + tail for row in rows] if tail else rows

    def write(self, params: list[tuple]) -> int:
        """executemany in batches of BATCH (ids included); returns the count."""
        with connection.cursor() as cur:
            for i in range(0, len(params), BATCH):
                cur.executemany(self.sql, params[i : i + BATCH])
        return len(params)


def table_rows(model: type[models.Model], rows: list[dict]) -> tuple[str, list[tuple]]:
    """(INSERT statement, parameter tuples) for `rows` (dicts keyed by attname; missing fields
    take their defaults)."""
    table = Table(model)
    return table.sql, table.from_dicts(rows)


def _reset_sequences(*models_: type[models.Model]) -> None:
    """After explicit ids, PostgreSQL's sequences must move past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


def _next_ids() -> dict[str, int]:
    def nxt(model):
        top = model.objects.aggregate(m=models.Max("id"))["m"]
        return (top or 0) + 1

    return {
        "user": nxt(User),
        "case": nxt(Case),
        "event": nxt(CaseEvent),
        "follower": nxt(Follower),
        "rating": nxt(Rating),
        "handoff": nxt(Handoff),
        "timelog": nxt(TimeLog),
        "escalation": nxt(Escalation),
    }


def local_midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=ROME).timestamp()


def _plans(ctx: DemoContext, rng: random.Random, n: int) -> list[tuple[AdminPlan, int]]:
    """(plan, number of cases) per municipality with published services and a boundary."""
    plans = []
    for admin in ctx.municipalities:
        officers = [
            m.user_id
            for role in (Role.OFFICER, Role.SUPERVISOR)
            for m in ctx.staff_of(admin.slug, role)
        ]
        plan = _plan_admin(rng, admin, officers)
        if plan is not None:
            plan.members = [
                m
                for role in (Role.OFFICER, Role.SUPERVISOR)
                for m in ctx.staff_of(admin.slug, role)
            ]
            plans.append((plan, ctx.population.get(admin.slug, 1000) ** 0.8))
    total = sum(w for _p, w in plans)
    shares = [int(n * w / total) for _p, w in plans]
    if shares:
        shares[0] += n - sum(shares)
    return [(plan, count) for (plan, _w), count in zip(plans, shares, strict=True)]


@contextmanager
def _big_cache():
    """On SQLite, a page cache of 256 MiB while loading: the indexes of a million cases and five
    million events otherwise spill out of the default 2 MiB and every insert reads pages back."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def load_cases(
    ctx: DemoContext, n: int, keep: list[tuple] | None = None
) -> tuple[dict[str, int], Generator]:
    """Generate and insert n cases with their events, followers and ratings, streaming: residents
    first, then each municipality's cases in time order, CHUNK at a time. Returns the counts and
    the generator (whose `truth` holds the ground truth). With `keep`, every insert's statement
    and parameter tuples are also appended to it, in order (for `bulk_load_timing`)."""
    now = local_midnight(ctx.today)  # the year ends at the start of today: reproducible all day
    start = now - 365 * DAY
    counts = dict.fromkeys(
        ("residents", "cases", "events", "followers", "ratings")
        + ("handoffs", "time_logs", "escalations"),
        0,
    )
    with transaction.atomic(), _big_cache():
        cases = Table(Case)
        events = Table(CaseEvent, EVENT_COLUMNS)
        hevents = Table(CaseEvent, HANDLING_EVENT_COLUMNS)
        followers = Table(Follower, FOLLOWER_COLUMNS)
        ratings = Table(Rating, RATING_COLUMNS)
        handoffs = Table(Handoff, HANDOFF_COLUMNS)
        timelogs = Table(TimeLog, TIMELOG_COLUMNS)
        escalations = Table(Escalation, ESCALATION_COLUMNS)

        def put(name: str, table: Table, params: list[tuple]) -> None:
            if keep is not None:
                keep.append((table.sql, params))
            counts[name] += table.write(params)

        def write(case_rows, event_rows, follower_rows, rating_rows, handling):
            put("cases", cases, cases.from_dicts(case_rows))
            bar.advance(len(case_rows))
            put("events", events, events.from_tuples(event_rows))
            put("events", hevents, hevents.from_tuples(handling["events"]))
            put("followers", followers, followers.from_tuples(follower_rows))
            put("ratings", ratings, ratings.from_tuples(rating_rows))
            put("handoffs", handoffs, handoffs.from_tuples(handling["handoffs"]))
            put("time_logs", timelogs, timelogs.from_tuples(handling["timelogs"]))
            put("escalations", escalations, escalations.from_tuples(handling["escalations"]))

        gen = Generator(
            ctx.seed,
            now,
            _next_ids(),
            flush=write,
            recent_from=local_midnight(ctx.today - dt.timedelta(days=89)),
        )
        users = Table(User)
        put(
            "residents",
            users,
            users.from_dicts(gen.make_residents(max(20, n // 5), list(ctx.citizens))),
        )
        with progress.stage("demo: cases", total=n, unit="cases") as bar:
            for plan, count in _plans(ctx, gen.rng, n):
                gen.admin_cases(plan, count, start, allocate_references)
            gen.flush()
        _reset_sequences(User, Case, CaseEvent, Follower, Rating, Handoff, TimeLog, Escalation)
    return counts, gen


# --- the seed -----------------------------------------------------------------------------------


RESPONSE_TEMPLATES = {
    ServiceKind.APPLICATION: (
        (
            "Domanda ricevuta",
            "Gentile {name}, abbiamo ricevuto la domanda {reference} per «{service}». "
            "La istruiremo entro il {due_date}.",
            Status.ACKNOWLEDGED,
        ),
        (
            "Documenti mancanti",
            "Gentile {name}, per completare la domanda {reference} ci serve un documento: "
            "può caricarlo dalla pagina della pratica.",
            "",
        ),
    ),
    "report": (
        (
            "Presa in carico",
            "Gentile {name}, la segnalazione {reference} ({address}) è stata presa in carico: "
            "contiamo di risolverla entro il {due_date}.",
            Status.IN_PROGRESS,
        ),
        (
            "Intervento eseguito",
            "Gentile {name}, l'intervento per la segnalazione {reference} è stato eseguito. "
            "Grazie per la collaborazione.",
            Status.RESOLVED,
        ),
    ),
}
COMMON_TEMPLATE = (
    "Inoltro a un altro ufficio",
    "Gentile {name}, la pratica {reference} è stata affidata all'ufficio competente, che la "
    "seguirà da ora in poi. — {officer}, {administration}",
    "",
)


def response_templates(ctx: DemoContext) -> int:
    """Two replies per published service of each municipality and one for every service
    (a few dozen rows: the ORM in one bulk insert)."""
    rows = []
    for admin in ctx.municipalities:
        name, body, status = COMMON_TEMPLATE
        rows.append(ResponseTemplate(administration=admin, name=name, body=body, status=status))
        for service in Service.objects.filter(
            administration=admin, status=Service.Status.PUBLISHED
        ).order_by("code"):
            for name, body, status in RESPONSE_TEMPLATES.get(
                service.kind, RESPONSE_TEMPLATES["report"]
            ):
                rows.append(
                    ResponseTemplate(
                        administration=admin, service=service, name=name, body=body, status=status
                    )
                )
    ResponseTemplate.objects.bulk_create(rows)
    return len(rows)


def _people(gen: Generator) -> list[list]:
    """[administration, e-mail, capacity, open cases assigned, overloaded on purpose, never uses
    the platform] of everyone who carries cases, as loaded."""
    return [
        [slug, o.email, o.capacity, o.load, o.overloaded, o.weight == 0]
        for slug, staffing in gen.staffings
        for o in staffing.people.values()
    ]


def _truth(gen: Generator, counts: dict[str, int]) -> tuple[list, dict]:
    truth = gen.truth
    people = _people(gen)
    handling = dict(sorted(truth.handling.items()))
    handling["handoff_hours"] = round(handling.get("handoff_hours", 0.0), 3)
    summary = {
        "created": counts["cases"],
        "counts": counts,
        "by_status": dict(sorted(truth.by_status.items())),
        "by_channel": dict(sorted(truth.by_channel.items())),
        "by_language": dict(sorted(truth.by_language.items())),
        "duplicates_planted": len(truth.duplicates),
        "duplicates_marked": truth.duplicates_marked,
        # [reference, administration, kinds of personal data written into the description]
        "personal_data_in_text": truth.pii,
        # Case handling (issue 4), what its indicators must find: counts over the year, the
        # last 90 days (the indicators' window), and everyone's load against capacity now.
        "handling": {
            **handling,
            "last_90_days": dict(sorted(truth.recent.items())),
            "people": people,
            "at_or_over_capacity": sum(1 for p in people if p[2] and p[3] >= p[2]),
            "non_adopters": sum(1 for p in people if p[5]),
        },
    }
    return truth.duplicates, summary


def run(ctx: DemoContext) -> None:
    """Load ctx.requests cases unless the municipalities already have cases."""
    if ctx.requests <= 0:
        ctx.record("duplicates", [])
        return
    if Case.objects.filter(administration__in=ctx.municipalities).exists():
        ctx.say("The demo municipalities already have cases; no cases were added.")
        ctx.record("duplicates", [])
        return
    started = time.perf_counter()
    counts, gen = load_cases(ctx, ctx.requests)
    duplicates, summary = _truth(gen, counts)
    summary["handling"]["response_templates"] = response_templates(ctx)
    # One audit entry for the whole bulk load, not one per case (see the module docstring).
    audit.record(
        actor=ctx.actor,
        action="case.demo_bulk_load",
        object_type="cases.case",
        after={"seed": ctx.seed, "requested": ctx.requests, **counts},
        administration=ctx.administrations.get("region"),
    )
    ctx.record("duplicates", duplicates)
    ctx.record("cases", summary)
    seconds = time.perf_counter() - started
    ctx.say(
        f"Cases: {counts['cases']} in {seconds:.1f} s ({counts['events']} events, "
        f"{counts['followers']} followers, {counts['ratings']} ratings, "
        f"{counts['handoffs']} hand-offs, {counts['time_logs']} time logs, "
        f"{counts['escalations']} escalations, "
        f"{counts['residents']} residents, {len(duplicates)} planted duplicates)"
    )


SEED = DemoSeed(key="cases", order=30, run=run, app="cases")


# --- benchmark helper ------------------------------------------------------------------------


@dataclass
class LoadTiming:
    demo_seconds: float  # generating and inserting everything (load_cases)
    raw_seconds: float  # the driver's executemany of every row the demo inserted
    raw_case_seconds: float  # ... of the case rows alone (part of raw_seconds)
    rows: int  # rows inserted in all
    case_rows: int


def bulk_load_timing(n: int, seed: int | None = None) -> LoadTiming:
    """How long the demo takes to load n cases, against a raw insert of the same rows.

    Needs the demo region loaded with no cases (e.g. `insieme demo --requests 0`) — otherwise
    it loads the region first. Both runs happen inside transactions that are rolled back, so the
    database is left as found. The demo figure is the whole case seed: generating the rows
    (residents, text, lifecycle, duplicates, handling), allocating references, and inserting
    them. The raw figure inserts the very rows the demo inserted (residents, cases, events,
    followers, ratings, hand-offs, time logs, escalations: the same statements and parameters,
    in the same order) with the driver's executemany in one transaction — the floor for writing
    that data; the case rows' share of it is timed too.
    """
    from insieme.core.models import today_in
    from insieme.demo.context import make_context
    from insieme.demo.generator import (
        DEFAULT_SEED,
        DEMO_PASSWORD,
        is_loaded,
        light_hashing,
        ordered_seeds,
    )

    ctx = make_context(DEFAULT_SEED if seed is None else seed, n, today_in(None), DEMO_PASSWORD)
    case_sql = Table(Case).sql
    with transaction.atomic():
        if not is_loaded():
            with light_hashing():
                for seed in ordered_seeds():
                    if seed.order < SEED.order:
                        seed.run(ctx)
        else:
            _context_from_db(ctx)
        sid = transaction.savepoint()
        kept: list[tuple[str, list[tuple]]] = []
        started = time.perf_counter()
        load_cases(ctx, n, keep=kept)
        demo_seconds = time.perf_counter() - started
        transaction.savepoint_rollback(sid)
        raw = connection.connection  # the driver's own connection
        sid = transaction.savepoint()
        raw_seconds = case_seconds = 0.0
        with _big_cache():  # the same page cache as the demo load, for a fair floor
            for sql, params in kept:
                started = time.perf_counter()
                if connection.vendor == "sqlite":
                    raw.executemany(sql.replace("%s", "?"), params)
                else:
                    with raw.cursor() as cur:
                        cur.executemany(sql, params)
                took = time.perf_counter() - started
                raw_seconds += took
                case_seconds += took if sql == case_sql else 0.0
        transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    return LoadTiming(
        demo_seconds,
        raw_seconds,
        case_seconds,
        sum(len(params) for _sql, params in kept),
        sum(len(params) for sql, params in kept if sql == case_sql),
    )


def _context_from_db(ctx: DemoContext) -> None:
    """Fill what the case seed reads (municipalities, population, staff, citizens) from the DB."""
    from insieme.core import demo as core_demo
    from insieme.core.models import Administration, Membership

    region = Administration.objects.get(slug=core_demo.REGION_SLUG)
    ctx.administrations["region"] = region
    ctx.municipalities = list(Administration.objects.filter(parent=region).order_by("pk"))
    ctx.population = {s.slug: s.population for s in core_demo.ADMINISTRATIONS}
    for m in (
        Membership.objects.filter(administration__in=ctx.municipalities)
        .select_related("user")
        .order_by("pk")
    ):
        slug = next(a.slug for a in ctx.municipalities if a.pk == m.administration_id)
        ctx.staff.setdefault(slug, {}).setdefault(m.role, []).append(m)
    ctx.citizens = list(
        User.objects.filter(email__endswith="@" + core_demo.CITIZEN_DOMAIN).order_by("pk")
    )
