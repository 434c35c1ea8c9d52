"""The cases' part of the home page: report a problem on the map, the most used services, and
recent public reports nearby.

Only public data: a public report's reference, service, status, date and redacted excerpt, as
its public page shows them; never who filed it. The aggregates are cached (POPULAR_TTL,
RECENT_TTL) so that the home page reads a fixed, small number of rows whatever the number of
cases.
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.text import Truncator

from insieme.cases.matching.signatures import distance_m
from insieme.cases.models import GRID_METRES, OPEN_STATUSES, Case, grid_cell
from insieme.cases.redact import localise
from insieme.catalog.models import Service, ServiceKind
from insieme.core.geo import GeometryError, parse_boundary
from insieme.core.models import Administration
from insieme.core.registry import HomeSection

POPULAR_DAYS = 90
POPULAR_SHOWN = 6
POPULAR_TTL = 3600
RECENT_RADIUS_M = 10_000.0
RECENT_SHOWN = 5
RECENT_CANDIDATES = 60
RECENT_TTL = 300
CENTRE_TTL = 3600
EXCERPT_CHARS = 160


def report_context(request) -> dict:
    return {}


# --- the most used services --------------------------------------------------------------------


def popular_counts(now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """(service id, cases filed in the last POPULAR_DAYS days) of the most used published
    services, most used first; cached for POPULAR_TTL seconds."""

    def compute():
        since = (now or timezone.now()) - dt.timedelta(days=POPULAR_DAYS)
        rows = (
            Case.objects.filter(submitted_at__gte=since, service__status=Service.Status.PUBLISHED)
            .values_list("service_id")
            .annotate(n=Count("id"))
            .order_by("-n", "service_id")[:POPULAR_SHOWN]
        )
        return [(service_id, n) for service_id, n in rows]

    return cache.get_or_set("home:popular-services", compute, POPULAR_TTL)


def popular_context(request) -> dict | None:
    counts = popular_counts()
    if not counts:
        return None
    services = Service.objects.filter(
        pk__in=[pk for pk, _n in counts], status=Service.Status.PUBLISHED
    ).select_related("administration")
    by_id = {s.pk: s for s in services}
    rows = [{"service": by_id[pk], "count": n} for pk, n in counts if pk in by_id]
    return {"services": rows, "days": POPULAR_DAYS} if rows else None


# --- recent public reports nearby --------------------------------------------------------------


def served_centre() -> tuple[float, float] | None:
    """(lat, lon) of the centre of the area the installation serves: the box around the
    boundaries of the administrations that publish located services (a national body's
    outline would pull it elsewhere); cached for CENTRE_TTL seconds."""

    def compute():
        bounds = []
        served = (
            Administration.objects.filter(
                services__status=Service.Status.PUBLISHED, services__located=True
            )
            .exclude(boundary__isnull=True)
            .distinct()
        )
        for boundary in served.values_list("boundary", flat=True):
            try:
                bounds.append(parse_boundary(boundary).bounds)
            except (GeometryError, ValueError, TypeError):
                continue
        if not bounds:
            return ()
        minx = min(b[0] for b in bounds)
        miny = min(b[1] for b in bounds)
        maxx = max(b[2] for b in bounds)
        maxy = max(b[3] for b in bounds)
        return ((miny + maxy) / 2, (minx + maxx) / 2)

    centre = cache.get_or_set("home:served-centre", compute, CENTRE_TTL)
    return tuple(centre) if centre else None


def user_area(user) -> tuple[float, float] | None:
    """Where a signed-in person last reported something placed (their own case), if anywhere."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Case.objects.filter(submitted_by=user, lat__isnull=False, lon__isnull=False)
        .order_by("-submitted_at")
        .values_list("lat", "lon")
        .first()
    )


def recent_public_reports(lat: float, lon: float) -> list[dict]:
    """The newest open public reports within RECENT_RADIUS_M of the point, at most RECENT_SHOWN,
    as public data only; cached for RECENT_TTL seconds per ~1 km area and language. One query:
    a seek over the grid cells around the point (case_open_cell_idx)."""
    key = f"home:recent:{translation.get_language()}:{lat:.2f}:{lon:.2f}"

    def compute():
        row, col = grid_cell(lat, lon)
        cells = math.ceil(RECENT_RADIUS_M / GRID_METRES)
        candidates = (
            Case.objects.filter(
                cell_row__range=(row - cells, row + cells),
                cell_col__range=(col - cells - 1, col + cells + 1),
                is_public=True,
                kind=ServiceKind.REPORT,
                status__in=sorted(OPEN_STATUSES),
                lat__isnull=False,
                lon__isnull=False,
            )
            .select_related("service", "administration")
            .only(
                "reference",
                "status",
                "public_description",
                "lat",
                "lon",
                "submitted_at",
                "service__name",
                "service__language",
                "service__translations",
                "administration__slug",
                "administration__name",
                "administration__brand_name",
            )
            .order_by("-submitted_at", "-id")[:RECENT_CANDIDATES]
        )
        found = []
        for case in candidates:
            if distance_m(lat, lon, case.lat, case.lon) > RECENT_RADIUS_M:
                continue
            found.append(
                {
                    "reference": case.reference,
                    "admin_slug": case.administration.slug,
                    "administration": case.administration.display_name,
                    "service": str(case.service.i18n.name),
                    "status": case.get_status_display(),
                    "submitted_at": case.submitted_at,
                    # The stored public copy, its placeholders in this cache entry's language.
                    "excerpt": Truncator(localise(case.public_description)).chars(EXCERPT_CHARS),
                }
            )
            if len(found) == RECENT_SHOWN:
                break
        return found

    return cache.get_or_set(key, compute, RECENT_TTL)


def recent_context(request) -> dict | None:
    mine = user_area(request.user)
    centre = mine or served_centre()
    if centre is None:
        return None
    reports = recent_public_reports(*centre)
    return {"reports": reports, "near_you": mine is not None, "radius_km": RECENT_RADIUS_M / 1000}


REPORT = HomeSection(
    key="cases.report",
    order=15,
    template="cases/home/_report.html",
    context=report_context,
    app="cases",
)
POPULAR = HomeSection(
    key="cases.popular",
    order=20,
    template="cases/home/_popular.html",
    context=popular_context,
    app="cases",
)
RECENT = HomeSection(
    key="cases.recent",
    order=30,
    template="cases/home/_recent.html",
    context=recent_context,
    app="cases",
)
SECTIONS = [REPORT, POPULAR, RECENT]
