"""The one write path of hotspots: compute an administration's hotspots and store them.

`compute` loads the administration's located reports of the window (duplicates marked as such
left out: they are the same problem filed twice), runs insieme.hotspots.detect, names each
hotspot's street from the street register, and stores a Run with its Hotspot rows in one
transaction with an audit entry. Older runs beyond KEEP_RUNS are deleted. Called by
`insieme hotspots compute`, the periodic job and the demo, all as the system (`actor` None) or
as a person holding `hotspots:hotspot:read`.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections import Counter

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from insieme.cases.models import Case
from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.models import Administration, today_in
from insieme.core.permissions import Perm
from insieme.hotspots.detect import Params, detect
from insieme.hotspots.models import KEEP_RUNS, Hotspot, Run
from insieme.places import lookup

POINT_FIELDS = ("lat", "lon", "submitted_at", "service_id", "department_id", "channel")


def window(admin: Administration, params: Params, today: dt.date) -> tuple[dt.date, list[float]]:
    """The first day of the window ending before `today`, and the periods' boundaries as
    timestamps (local midnights, so a period is whole days where the administration is)."""
    tz = zoneinfo.ZoneInfo(admin.timezone)
    first = today - dt.timedelta(days=params.period_days * params.periods)
    bounds = [
        dt.datetime.combine(first + dt.timedelta(days=i * params.period_days), dt.time(), tz)
        for i in range(params.periods + 1)
    ]
    return first, [b.timestamp() for b in bounds]


def located_reports(admin: Administration, start: float, end: float):
    """The rows (POINT_FIELDS) of the administration's located reports filed in [start, end)."""
    return Case.objects.filter(
        administration=admin,
        lat__isnull=False,
        lon__isnull=False,
        duplicate_of__isnull=True,
        submitted_at__gte=dt.datetime.fromtimestamp(start, dt.UTC),
        submitted_at__lt=dt.datetime.fromtimestamp(end, dt.UTC),
    ).values_list(*POINT_FIELDS)


def _street(lat: float, lon: float, admin: Administration) -> str:
    """The street nearest the point in the register (never a house number), or ""."""
    found = lookup.nearest_street(lat, lon, admin) or lookup.nearest_address(lat, lon, admin)
    return found.street[:200] if found else ""


def _order(item) -> tuple:
    (period, service, department, channel), _n = item
    return period, service, department or 0, channel


def compute(
    actor, admin: Administration, *, params: Params | None = None, today: dt.date | None = None
) -> Run:
    """Find and store the administration's hotspots over the `params.periods` periods that end
    before `today` (default: today where the administration is)."""
    require_perm(actor, Perm.HOTSPOT_READ, admin.pk)
    params = params or Params()
    if problems := params.problems():
        raise ValidationError("; ".join(problems))
    started = time.perf_counter()
    today = today or today_in(admin)
    first, bounds = window(admin, params, today)
    rows = list(located_reports(admin, bounds[0], bounds[-1]))
    lat = np.fromiter((r[0] for r in rows), float, len(rows))
    lon = np.fromiter((r[1] for r in rows), float, len(rows))
    stamps = np.fromiter((r[2].timestamp() for r in rows), float, len(rows))
    period = np.searchsorted(np.asarray(bounds), stamps, side="right") - 1
    found = detect(lat, lon, period, params)
    step = dt.timedelta(days=params.period_days)
    hotspots = []
    for rank, spot in enumerate(found.hotspots, 1):
        breakdown = Counter(
            (int(period[i]), rows[i][3], rows[i][4], rows[i][5]) for i in spot.members
        )
        hotspots.append(
            Hotspot(
                administration=admin,
                rank=rank,
                lat=round(spot.lat, 6),
                lon=round(spot.lon, 6),
                radius_m=round(spot.radius_m, 1),
                street=_street(spot.lat, spot.lon, admin),
                reports=spot.reports,
                counts=spot.counts,
                periods_present=len(spot.periods_present),
                first_seen=first + spot.periods_present[0] * step,
                last_seen=first + (spot.periods_present[-1] + 1) * step - dt.timedelta(days=1),
                slope=round(spot.slope, 3),
                growing=spot.growing,
                breakdown=[[*key, n] for key, n in sorted(breakdown.items(), key=_order)],
            )
        )
    with transaction.atomic():
        run = Run.objects.create(
            administration=admin,
            computed_at=timezone.now(),
            first_day=first,
            period_days=params.period_days,
            periods=params.periods,
            min_periods=params.min_periods,
            radius_m=params.radius_m,
            link_m=params.link_m,
            min_reports=params.min_reports,
            points=len(rows),
            clusters=found.clusters,
            seconds=round(time.perf_counter() - started, 3),
        )
        for spot in hotspots:
            spot.run = run
        Hotspot.objects.bulk_create(hotspots)
        old = Run.objects.filter(administration=admin).order_by("-computed_at", "-pk")
        Run.objects.filter(pk__in=list(old.values_list("pk", flat=True)[KEEP_RUNS:])).delete()
        audit.record(
            actor=actor or "hotspots",
            action="hotspots.run.computed",
            obj=run,
            after={
                "first_day": first.isoformat(),
                "periods": params.periods,
                "points": len(rows),
                "hotspots": len(hotspots),
            },
            administration=admin,
        )
    return run


def compute_all(actor=None, *, params: Params | None = None) -> list[Run]:
    """`compute` for every administration that has located reports."""
    ids = (
        Case.objects.filter(lat__isnull=False)
        .order_by()
        .values_list("administration_id", flat=True)
        .distinct()
    )
    return [
        compute(actor, admin, params=params)
        for admin in Administration.objects.filter(pk__in=list(ids)).order_by("pk")
    ]


def latest_run(admin: Administration) -> Run | None:
    return Run.objects.filter(administration=admin).order_by("-computed_at", "-pk").first()
