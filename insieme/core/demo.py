"""Demo seed of the core app (order 10): the Valdoro region, its three municipalities, the
national body that holds national legislation, departments, about forty staff in all five roles,
partner organisations, a few citizens and the demo API key.

Everything is written through `insieme.core.actions`. Names and capacities come from the seeded
random source, so the same seed gives the same region.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from insieme.core import actions
from insieme.core.models import Administration, ApiKey, Department, Membership, PartnerOrganisation
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

REGION_SLUG = "valdoro"
NATIONAL_SLUG = "italia"
CITIZEN_DOMAIN = "posta.example"
API_KEY_ADMIN = "lago-verde"
API_KEY_NAME = "Demo app (seed {seed})"
# Every scope but the two that reach personal data and internal notes: the demo key shows what an
# integrator reads by default (`insieme apikey create --all-scopes` makes a key with all of them).
API_KEY_SCOPES = ["cases:read", "cases:write", "open311:write", "opendata:read", "services:read"]
# The demo API key is derived from the seed with this public constant so that a second run
# prints the same key. It is for the demo only: real keys come from secrets.token_urlsafe.
_DEMO_KEY_SALT = b"insieme-demo-api-key"


@dataclass(frozen=True)
class AdminSpec:
    slug: str
    name: str
    kind: str
    parent: str | None
    ipa_code: str
    brand_name: str
    colours: tuple[str, str]
    population: int
    email_domain: str
    boundary: list[tuple[float, float]] | None = None
    patron: tuple[int, int, str] | None = None  # month, day, name


ADMINISTRATIONS = [
    AdminSpec(
        NATIONAL_SLUG,
        "Stato italiano — normativa nazionale",
        "national",
        None,
        "stato_it",
        "Normativa nazionale",
        ("#0066cc", "#004080"),
        58_900_000,
        "normativa.example",
    ),
    AdminSpec(
        REGION_SLUG,
        "Regione Valdoro",
        "region",
        NATIONAL_SLUG,
        "r_valdoro",
        "Regione Valdoro",
        ("#1f5f8b", "#8a5a00"),
        612_000,
        "regione.valdoro.example",
        [
            (11.95, 42.80),
            (12.55, 42.75),
            (12.85, 43.00),
            (12.80, 43.35),
            (12.30, 43.45),
            (11.98, 43.20),
            (11.95, 42.80),
        ],
    ),
    AdminSpec(
        "lago-verde",
        "Comune di Lago Verde",
        "municipality",
        REGION_SLUG,
        "c_x101",
        "Città di Lago Verde",
        ("#0b6e4f", "#08415c"),
        121_400,
        "comune.lagoverde.example",
        [
            (12.10, 43.05),
            (12.28, 43.02),
            (12.36, 43.12),
            (12.30, 43.24),
            (12.14, 43.22),
            (12.08, 43.14),
            (12.10, 43.05),
        ],
        (6, 24, "San Giovanni Battista, patrono"),
    ),
    AdminSpec(
        "montalto",
        "Comune di Montalto",
        "municipality",
        REGION_SLUG,
        "c_x102",
        "Comune di Montalto",
        ("#8c2d19", "#3d2b1f"),
        24_800,
        "comune.montalto.example",
        [
            (12.45, 43.10),
            (12.60, 43.08),
            (12.66, 43.18),
            (12.58, 43.28),
            (12.47, 43.24),
            (12.42, 43.16),
            (12.45, 43.10),
        ],
        (9, 29, "San Michele Arcangelo, patrono"),
    ),
    AdminSpec(
        "san-pietro-al-colle",
        "Comune di San Pietro al Colle",
        "municipality",
        REGION_SLUG,
        "c_x103",
        "San Pietro al Colle",
        # A primary too light for white text: the public pages darken it (see core.branding).
        ("#9b7bd0", "#2f2f4f"),
        3_050,
        "comune.sanpietroalcolle.example",
        [
            (12.30, 42.88),
            (12.40, 42.86),
            (12.44, 42.93),
            (12.38, 42.98),
            (12.31, 42.96),
            (12.30, 42.88),
        ],
        (6, 29, "Santi Pietro e Paolo, patroni"),
    ),
]

# Departments per administration: (code, name, the logical codes it answers for).
_CITY_DEPARTMENTS = [
    ("polizia-locale", "Polizia Locale", []),
    ("lavori-pubblici", "Lavori Pubblici", []),
    ("ambiente", "Ambiente e Verde", []),
    ("demografici", "Servizi Demografici", []),
    ("sociali", "Servizi Sociali", []),
    ("istruzione", "Istruzione", []),
    ("edilizia", "Edilizia e Urbanistica", []),
    ("mobilita", "Mobilità", []),
    ("urp", "URP — Ufficio Relazioni con il Pubblico", []),
    ("tributi", "Tributi", []),
]
DEPARTMENTS: dict[str, list[tuple[str, str, list[str]]]] = {
    REGION_SLUG: [
        ("ambiente", "Direzione Ambiente e Territorio", ["lavori-pubblici", "edilizia"]),
        ("sistemi-informativi", "Sistemi Informativi e Agenda Digitale", ["urp"]),
        ("politiche-sociali", "Politiche Sociali e Istruzione", ["sociali", "istruzione"]),
    ],
    "lago-verde": _CITY_DEPARTMENTS,
    "montalto": [
        ("polizia-locale", "Polizia Locale e Mobilità", ["mobilita"]),
        ("lavori-pubblici", "Lavori Pubblici e Manutenzioni", []),
        ("ambiente", "Ambiente e Verde", []),
        ("demografici", "Servizi Demografici", []),
        ("sociali", "Servizi Sociali e Istruzione", ["istruzione"]),
        ("edilizia", "Edilizia e Urbanistica", []),
        ("urp", "URP — Ufficio Relazioni con il Pubblico", []),
        ("tributi", "Tributi", []),
    ],
    "san-pietro-al-colle": [
        ("area-tecnica", "Area Tecnica", ["lavori-pubblici", "ambiente", "edilizia", "mobilita"]),
        ("area-amministrativa", "Area Amministrativa", ["demografici", "urp", "istruzione"]),
        ("polizia-locale", "Polizia Locale", []),
        ("servizi-persona", "Servizi alla Persona", ["sociali"]),
        ("ragioneria", "Ragioneria e Tributi", ["tributi"]),
    ],
}

_A, _D, _M, _S, _O = (
    Role.ADMINISTRATOR,
    Role.DATA_STEWARD,
    Role.SERVICE_MANAGER,
    Role.SUPERVISOR,
    Role.OFFICER,
)
# Staff per administration: (role, logical department, job title). 40 people in all.
STAFF: dict[str, list[tuple[str, str | None, str]]] = {
    REGION_SLUG: [
        (_A, "sistemi-informativi", "Responsabile per la transizione digitale"),
        (_D, "sistemi-informativi", "Responsabile della protezione dei dati"),
        (_M, "ambiente", "Responsabile del catalogo regionale dei servizi"),
        (_M, "politiche-sociali", "Funzionario servizi sociali regionali"),
        (_S, "ambiente", "Coordinatore servizi ambientali"),
        (_O, "politiche-sociali", "Istruttore amministrativo"),
    ],
    "lago-verde": [
        (_A, "urp", "Responsabile dei sistemi informativi"),
        (_D, "urp", "Referente protezione dati"),
        (_M, "lavori-pubblici", "Responsabile servizi al territorio"),
        (_M, "demografici", "Responsabile servizi al cittadino"),
        (_S, "lavori-pubblici", "Capo squadra manutenzioni"),
        (_S, "ambiente", "Coordinatore verde pubblico"),
        (_S, "polizia-locale", "Commissario di Polizia Locale"),
        (_O, "lavori-pubblici", "Tecnico manutenzioni stradali"),
        (_O, "lavori-pubblici", "Tecnico illuminazione pubblica"),
        (_O, "ambiente", "Istruttore ambiente"),
        (_O, "ambiente", "Giardiniere specializzato"),
        (_O, "polizia-locale", "Agente di Polizia Locale"),
        (_O, "demografici", "Ufficiale d'anagrafe"),
        (_O, "sociali", "Assistente sociale"),
        (_O, "istruzione", "Istruttore servizi scolastici"),
        (_O, "edilizia", "Istruttore tecnico edilizia"),
    ],
    "montalto": [
        (_A, "urp", "Segretario comunale"),
        (_D, "urp", "Referente protezione dati"),
        (_M, "lavori-pubblici", "Responsabile area tecnica"),
        (_S, "lavori-pubblici", "Capo operai"),
        (_S, "demografici", "Responsabile servizi demografici"),
        (_O, "lavori-pubblici", "Operaio specializzato"),
        (_O, "ambiente", "Istruttore ambiente"),
        (_O, "polizia-locale", "Agente di Polizia Locale"),
        (_O, "demografici", "Ufficiale d'anagrafe"),
        (_O, "sociali", "Istruttore servizi scolastici e sociali"),
        (_O, "tributi", "Istruttore tributi"),
    ],
    "san-pietro-al-colle": [
        (_A, "area-amministrativa", "Segretario comunale"),
        (_D, "area-amministrativa", "Referente protezione dati"),
        (_M, "area-tecnica", "Responsabile area tecnica"),
        (_S, "area-tecnica", "Coordinatore operai"),
        (_O, "area-tecnica", "Operaio"),
        (_O, "area-amministrativa", "Istruttore amministrativo"),
        (_O, "polizia-locale", "Agente di Polizia Locale"),
    ],
}

FIRST_NAMES = [
    "Giulia",
    "Marco",
    "Francesca",
    "Luca",
    "Chiara",
    "Alessandro",
    "Sara",
    "Matteo",
    "Elena",
    "Davide",
    "Martina",
    "Andrea",
    "Valentina",
    "Simone",
    "Federica",
    "Stefano",
    "Laura",
    "Giorgio",
    "Silvia",
    "Paolo",
    "Anna",
    "Roberto",
    "Ilaria",
    "Fabio",
    "Elisa",
    "Nicola",
    "Serena",
    "Massimo",
    "Beatrice",
    "Tommaso",
    "Alessia",
    "Lorenzo",
    "Monica",
    "Riccardo",
    "Cristina",
    "Emanuele",
    "Giovanna",
    "Pietro",
    "Rosa",
    "Vincenzo",
]
SURNAMES = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
    "Palumbo",
    "Sanna",
    "Farina",
    "Rizzi",
    "Monti",
]
ENGLISH_RESIDENTS = ["Emma Clarke", "Oliver Hughes", "Sophie Turner", "James Whitfield"]

PARTNERS = [
    # (administration, name, kind, tax code, website, description, member domain)
    (
        REGION_SLUG,
        "Valdoro Sostenibile ODV",
        PartnerOrganisation.Kind.NGO,
        "90012340561",
        "https://valdorosostenibile.example",
        "Volontariato per l'ambiente e il verde urbano.",
        "valdorosostenibile.example",
    ),
    (
        "lago-verde",
        "Comitato di quartiere Borgo Antico",
        PartnerOrganisation.Kind.ASSOCIATION,
        "91004560543",
        "https://borgoantico.example",
        "Associazione dei residenti del centro storico di Lago Verde.",
        "borgoantico.example",
    ),
    (
        "montalto",
        "Cooperativa sociale Il Girasole",
        PartnerOrganisation.Kind.OTHER,
        "02345670548",
        "https://ilgirasole.example",
        "Cooperativa sociale di tipo A: assistenza domiciliare e doposcuola.",
        "ilgirasole.example",
    ),
    (
        REGION_SLUG,
        "Valdoro Servizi Ambientali S.p.A.",
        PartnerOrganisation.Kind.COMPANY,
        "03456780549",
        "https://valdoroambiente.example",
        "Gestore del servizio di raccolta dei rifiuti urbani.",
        "valdoroambiente.example",
    ),
]


# --- helpers -------------------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def italian_holidays(year: int) -> list[tuple[date, str]]:
    """National public holidays of Italy in `year` (4 October is one again from 2026)."""
    fixed = [
        (1, 1, "Capodanno"),
        (1, 6, "Epifania"),
        (4, 25, "Festa della Liberazione"),
        (5, 1, "Festa del Lavoro"),
        (6, 2, "Festa della Repubblica"),
        (8, 15, "Ferragosto"),
        (10, 4, "San Francesco d'Assisi, patrono d'Italia"),
        (11, 1, "Ognissanti"),
        (12, 8, "Immacolata Concezione"),
        (12, 25, "Natale"),
        (12, 26, "Santo Stefano"),
    ]
    days = [(date(year, m, d), name) for m, d, name in fixed]
    days.append((easter_sunday(year) + timedelta(days=1), "Lunedì dell'Angelo"))
    return sorted(days)


def holidays_for(spec: AdminSpec, years: tuple[int, ...] = (2026, 2027)) -> list[tuple[date, str]]:
    """National holidays plus the patron saint's day, one name per date."""
    days = {d: n for y in years for d, n in italian_holidays(y)}
    if spec.patron:
        month, day, name = spec.patron
        for y in years:
            days.setdefault(date(y, month, day), name)
    return sorted(days.items())


def polygon(points: list[tuple[float, float]] | None) -> dict | None:
    """A GeoJSON Polygon from (longitude, latitude) points."""
    if not points:
        return None
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


def email_local(full_name: str) -> str:
    """'Nicola D'Angelo' -> 'nicola.dangelo' (ASCII, no spaces or apostrophes)."""
    text = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode().lower()
    first, _sep, last = text.partition(" ")
    return f"{first}.{re.sub(r'[^a-z]', '', last)}"


def demo_api_key(seed: int) -> str:
    """The demo's API key for `seed`: same seed, same key (demo only, see _DEMO_KEY_SALT)."""
    digest = hmac.new(_DEMO_KEY_SALT, str(seed).encode(), hashlib.sha256).hexdigest()
    return f"{actions.API_KEY_PREFIX}demo{digest[:40]}"


DEMO_DEVICE_NAME = "demo"  # `insieme otp code` answers only for devices of this name


def demo_totp_key(seed: int) -> str:
    """The authenticator key every demo administrator shares (hex, 20 bytes), from the seed."""
    return hmac.new(_DEMO_KEY_SALT, f"totp {seed}".encode(), hashlib.sha256).hexdigest()[:40]


def give_administrators_authenticators(ctx: DemoContext) -> None:
    """Administrators must sign in in two steps: each demo administrator gets an authenticator
    key, the same for all and printed with the logins (`insieme otp code EMAIL` shows the code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from insieme.core import twofactor

    key = demo_totp_key(ctx.seed)
    for by_role in ctx.staff.values():
        for membership in by_role.get(Role.ADMINISTRATOR, []):
            device = actions.start_two_factor(membership.user, name=DEMO_DEVICE_NAME, key=key)
            code = twofactor.current_code(device)
            actions.confirm_two_factor(ctx.actor, membership.user, device, code, tell_person=False)
            # Confirming used up this time step's code: a person who signs in straight after
            # `make demo` (within the same 30 s) would see the printed code refused.
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


def find_demo_api_key() -> tuple[str, ApiKey] | None:
    """(raw key, row) of the loaded demo's key, re-derived from the seed in its name."""
    for key in ApiKey.objects.filter(
        administration__slug=API_KEY_ADMIN, name__startswith="Demo app"
    ):
        match = re.search(r"seed (-?\d+)", key.name)
        if match and key.is_active:
            raw = demo_api_key(int(match.group(1)))
            if ApiKey.hash_secret(raw) == key.key_hash:
                return raw, key
    return None


class _Names:
    """Unique Italian names drawn from the seeded random source."""

    def __init__(self, ctx: DemoContext) -> None:
        self.rng = ctx.rng
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"
            if name not in self.used:
                self.used.add(name)
                return name


def _new_user(ctx: DemoContext, full_name: str, domain: str, **extra):
    extra.setdefault("preferred_language", "it")  # an Italian region; one resident prefers English
    return actions.create_user(
        ctx.actor,
        email=f"{email_local(full_name)}@{domain}",
        full_name=full_name,
        password=ctx.password,
        verified=True,
        **extra,
    )


# --- logos ---------------------------------------------------------------------------------


def demo_logo(spec: AdminSpec, size: int = 160) -> bytes:
    """A simple coat of arms drawn from the spec alone (same spec, same PNG): a shield in the
    administration's colours with a landscape after its name (a lake, a mountain, a hill)."""
    import io

    from PIL import Image, ImageDraw

    primary, secondary = spec.colours
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    s = size / 160
    shield = [(20, 12), (140, 12), (140, 84), (80, 150), (20, 84)]
    draw.polygon([(x * s, y * s) for x, y in shield], fill=primary, outline=secondary)
    draw.rectangle([20 * s, 12 * s, 140 * s, 36 * s], fill=secondary)
    white = (255, 255, 255, 255)
    if "lago" in spec.slug:
        for y in (70, 88, 106):
            for x in range(34, 126, 24):
                draw.arc([x * s, y * s, (x + 24) * s, (y + 14) * s], 180, 360, fill=white, width=4)
    elif "colle" in spec.slug:
        draw.pieslice([30 * s, 70 * s, 130 * s, 150 * s], 180, 360, fill=white)
        draw.rectangle([72 * s, 60 * s, 88 * s, 90 * s], fill=white)
        draw.polygon([(68 * s, 60 * s), (80 * s, 46 * s), (92 * s, 60 * s)], fill=white)
    elif spec.kind == Administration.Kind.REGION:
        for left in (28, 58, 88):
            draw.polygon(
                [(left * s, 110 * s), ((left + 22) * s, 56 * s), ((left + 44) * s, 110 * s)],
                fill=white,
            )
    else:
        draw.polygon([(32 * s, 118 * s), (80 * s, 48 * s), (128 * s, 118 * s)], fill=white)
        draw.polygon([(68 * s, 66 * s), (80 * s, 48 * s), (92 * s, 66 * s)], fill=secondary)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the seed ------------------------------------------------------------------------------


def create_administrations(ctx: DemoContext) -> None:
    """The national body, the region and its three municipalities, with their holidays."""
    for spec in ADMINISTRATIONS:
        admin = actions.create_administration(
            ctx.actor,
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            parent=ctx.administrations.get(spec.parent) if spec.parent else None,
            ipa_code=spec.ipa_code,
            locale="it",
            timezone="Europe/Rome",
            boundary=polygon(spec.boundary),
            brand_name=spec.brand_name,
            primary_colour=spec.colours[0],
            secondary_colour=spec.colours[1],
            feature_flags={"demo": True},
        )
        actions.set_holidays(ctx.actor, admin, holidays_for(spec))
        if spec.kind != Administration.Kind.NATIONAL:
            logo = ContentFile(demo_logo(spec), name=f"{spec.slug}.png")
            actions.set_administration_logo(ctx.actor, admin, logo)
        ctx.administrations[spec.slug] = admin
        ctx.population[spec.slug] = spec.population
        if spec.kind == Administration.Kind.MUNICIPALITY:
            ctx.municipalities.append(admin)
    ctx.administrations["national"] = ctx.administrations[NATIONAL_SLUG]
    ctx.administrations["region"] = ctx.administrations[REGION_SLUG]


def create_departments(ctx: DemoContext) -> None:
    """Departments, indexed also under the logical codes they answer for."""
    domains = {s.slug: s.email_domain for s in ADMINISTRATIONS}
    for slug, rows in DEPARTMENTS.items():
        admin = ctx.administrations[slug]
        index: dict[str, Department] = {}
        for code, name, also in rows:
            dept = actions.create_department(
                ctx.actor, admin, name=name, code=code, email=f"{code}@{domains[slug]}"
            )
            for key in [code, *also]:
                index[key] = dept
        ctx.departments[slug] = index


def create_staff(ctx: DemoContext, names: _Names) -> None:
    """About forty employees in the five roles, with capacities between 10 and 35."""
    domains = {s.slug: s.email_domain for s in ADMINISTRATIONS}
    for slug, rows in STAFF.items():
        admin = ctx.administrations[slug]
        by_role: dict[str, list[Membership]] = {}
        for role, dept_code, title in rows:
            user = _new_user(ctx, names.next(), domains[slug])
            membership = actions.add_membership(
                ctx.actor,
                admin,
                user,
                role=role,
                department=ctx.departments[slug][dept_code] if dept_code else None,
                capacity=ctx.rng.randint(10, 35),
                job_title=title,
            )
            by_role.setdefault(role, []).append(membership)
        ctx.staff[slug] = by_role


def create_partners(ctx: DemoContext, names: _Names) -> None:
    """Four partner organisations with two or three members; the first member represents it."""
    for slug, name, kind, tax_code, website, description, domain in PARTNERS:
        org = actions.create_partner(
            ctx.actor,
            ctx.administrations[slug],
            name=name,
            kind=kind,
            tax_code=tax_code,
            website=website,
            description=description,
        )
        for index in range(ctx.rng.randint(2, 3)):
            user = _new_user(ctx, names.next(), domain)
            actions.add_partner_member(ctx.actor, org, user, is_representative=index == 0)
        ctx.partners.append(org)


def create_citizens(ctx: DemoContext, names: _Names) -> None:
    """Six residents; one prefers English, one asks for larger text."""
    english = ctx.rng.choice(ENGLISH_RESIDENTS)
    for index in range(6):
        extra: dict = {}
        if index == 2:
            extra["preferred_language"] = "en"
        if index == 4:
            extra["large_text"] = True
        name = english if index == 2 else names.next()
        ctx.citizens.append(_new_user(ctx, name, CITIZEN_DOMAIN, **extra))


def create_api_key(ctx: DemoContext) -> None:
    """The demo API key, reproducible from the seed."""
    raw = demo_api_key(ctx.seed)
    actions.create_api_key(
        ctx.actor,
        ctx.administrations[API_KEY_ADMIN],
        name=API_KEY_NAME.format(seed=ctx.seed),
        scopes=API_KEY_SCOPES,
        raw_key=raw,
    )
    ctx.api_key = raw


def record_truth(ctx: DemoContext) -> None:
    ctx.record(
        "administrations",
        {
            spec.slug: {
                "name": spec.name,
                "kind": spec.kind,
                "parent": spec.parent,
                "population": spec.population,
            }
            for spec in ADMINISTRATIONS
        },
    )


def run(ctx: DemoContext) -> None:
    """Create the region, its people and partners (see the module docstring)."""
    names = _Names(ctx)
    create_administrations(ctx)
    create_departments(ctx)
    create_staff(ctx, names)
    give_administrators_authenticators(ctx)
    create_partners(ctx, names)
    create_citizens(ctx, names)
    create_api_key(ctx)
    record_truth(ctx)


SEED = DemoSeed(key="core", order=10, run=run, app="core")
