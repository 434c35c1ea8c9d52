"""`insieme demo`: run every registered demo seed once, in order, inside one transaction, then
report the logins and write the ground truth.

Seeds are registered by each app's AppConfig (insieme.core.registry.demo_seeds); they share one
DemoContext. A second run finds the region present and changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core import dbstats, progress
from insieme.core import demo as core_demo
from insieme.core.models import (
    Administration,
    AuditEntry,
    Membership,
    PartnerMember,
    PartnerOrganisation,
    User,
    today_in,
)
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed, demo_seeds
from insieme.demo.context import DemoContext, make_context
from insieme.demo.hashers import DEMO_HASHER

DEFAULT_SEED = 2026
DEFAULT_REQUESTS = 5000
# Shared by every demo account and printed with the logins: the demo is public by design.
DEMO_PASSWORD = "Valdoro-Insieme-2026!"  # noqa: S105


LOGIN_ROLE_ORDER = [
    Role.ADMINISTRATOR,
    Role.SERVICE_MANAGER,
    Role.SUPERVISOR,
    Role.OFFICER,
    Role.DATA_STEWARD,
]


@dataclass
class Login:
    administration: str
    role: str
    name: str
    email: str


@dataclass
class DemoResult:
    created: bool
    seconds: float = 0.0
    seed: int | None = None
    requests: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    api_key: str = ""
    api_key_administration: str = ""
    api_key_scopes: list[str] = field(default_factory=list)
    totp_key: str = ""  # administrators' authenticator key, as an app takes it
    messages: list[str] = field(default_factory=list)
    ground_truth_path: Path | None = None


def default_ground_truth_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "ground-truth.json"


def is_loaded() -> bool:
    """The demo region exists (whether this run or an earlier one made it)."""
    return Administration.objects.filter(slug=core_demo.REGION_SLUG).exists()


def ordered_seeds() -> list[DemoSeed]:
    return sorted(demo_seeds, key=lambda s: (s.order, s.key))


@contextlib.contextmanager
def light_hashing() -> Iterator[None]:
    """Hash demo passwords with light Argon2 parameters when Argon2 is the configured hasher
    (see insieme.demo.hashers for why this is safe); leave any other configuration alone."""
    hashers = list(settings.PASSWORD_HASHERS)
    if not hashers or not hashers[0].endswith("Argon2PasswordHasher"):
        yield
        return
    with override_settings(PASSWORD_HASHERS=[DEMO_HASHER, *hashers]):
        yield


def run_seeds(ctx: DemoContext) -> None:
    """Every registered seed, in order, all or nothing."""
    seeds = ordered_seeds()
    with light_hashing(), transaction.atomic():
        for number, seed in enumerate(seeds, 1):
            progress.note(f"demo: {seed.key} ({number}/{len(seeds)})")
            seed.run(ctx)


def write_ground_truth(ctx: DemoContext, path: Path, logins: list[Login]) -> None:
    """What the generator planted, for measuring detection and indicators against (JSON)."""
    payload = {
        "seed": ctx.seed,
        "generated_on": ctx.today.isoformat(),
        "requests": {
            "requested": ctx.requests,
            "created": ctx.ground_truth.get("cases", {}).get("created", 0),
        },
        "logins": [
            {"administration": x.administration, "role": x.role, "email": x.email} for x in logins
        ],
        **ctx.ground_truth,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True, default=str))


def demo_administrations() -> list[Administration]:
    """The region first, then the administrations it hosts, by name."""
    region = Administration.objects.filter(slug=core_demo.REGION_SLUG).first()
    if region is None:
        return []
    return [region, *Administration.objects.filter(parent=region).order_by("name")]


def collect_logins() -> list[Login]:
    """One person per role per demo administration, one citizen and one partner member."""
    admins = demo_administrations()
    rows = (
        Membership.objects.filter(administration__in=admins, is_active=True)
        .select_related("user", "administration")
        .order_by("pk")
    )
    first: dict[tuple[int, str], Membership] = {}
    for m in rows:
        first.setdefault((m.administration_id, m.role), m)
    logins = [
        Login(
            a.name,
            str(Role(role).label),
            first[(a.pk, role)].user.full_name,
            first[(a.pk, role)].user.email,
        )
        for a in admins
        for role in LOGIN_ROLE_ORDER
        if (a.pk, role) in first
    ]
    citizen = User.objects.filter(email__endswith="@" + core_demo.CITIZEN_DOMAIN).order_by("pk")
    if c := citizen.first():
        logins.append(Login("", "Citizen", c.full_name, c.email))
    member = (
        PartnerMember.objects.filter(
            organisation__administration__in=admins, is_representative=True
        )
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    if member:
        logins.append(
            Login(member.organisation.name, "Partner", member.user.full_name, member.user.email)
        )
    return logins


def count_contents() -> dict[str, int]:
    """What the demo region holds now (a few COUNT queries)."""
    from insieme.catalog.models import Provision, Regulation, Service, ServiceTemplate, Trace

    admins = demo_administrations()
    ids = [a.pk for a in admins]
    all_ids = [
        *ids,
        *Administration.objects.filter(children__in=admins).values_list("pk", flat=True),
    ]
    services = Service.objects.filter(administration_id__in=ids)
    return {
        "administrations": len(set(all_ids)),
        "departments": sum(a.departments.count() for a in admins),
        "staff": Membership.objects.filter(administration_id__in=ids).count(),
        "citizens": User.objects.filter(email__endswith="@" + core_demo.CITIZEN_DOMAIN).count(),
        "partners": PartnerOrganisation.objects.filter(administration_id__in=ids).count(),
        "regulations": Regulation.objects.filter(administration_id__in=all_ids).count(),
        "provisions": Provision.objects.filter(regulation__administration_id__in=all_ids).count(),
        "templates": ServiceTemplate.objects.filter(owner_id__in=ids).count(),
        "services": services.count(),
        "services_on_templates": services.filter(template__isnull=False).count(),
        "traces": Trace.objects.filter(service__administration_id__in=ids).count(),
        "audit_entries": AuditEntry.objects.count(),
    }


def _finish(result: DemoResult) -> DemoResult:
    result.counts = count_contents()
    result.logins = collect_logins()
    from insieme.core.twofactor import secret_text

    device = TOTPDevice.objects.filter(
        name=core_demo.DEMO_DEVICE_NAME, confirmed=True, user__memberships__role=Role.ADMINISTRATOR
    ).first()
    result.totp_key = secret_text(device) if device else ""
    found = core_demo.find_demo_api_key()
    if found:
        result.api_key, key = found
        result.api_key_administration = key.administration.name
        result.api_key_scopes = list(key.scopes)
    return result


def load_demo(
    seed: int = DEFAULT_SEED, requests: int = DEFAULT_REQUESTS, ground_truth: Path | None = None
) -> DemoResult:
    """Load the demo region unless it is there; either way, report what it holds."""
    started = time.perf_counter()
    if is_loaded():
        return _finish(DemoResult(created=False))
    ctx = make_context(seed, requests, today_in(None), DEMO_PASSWORD)
    run_seeds(ctx)
    progress.note("demo: planner statistics")
    dbstats.refresh(after_bulk_load=True)
    path = ground_truth or default_ground_truth_path()
    result = DemoResult(
        created=True, seed=seed, requests=requests, messages=ctx.messages, ground_truth_path=path
    )
    _finish(result)
    write_ground_truth(ctx, path, result.logins)
    result.seconds = time.perf_counter() - started
    return result
