"""What the hotspot page and its CSV show: the newest run of the administration and of the
administrations it hosts (a region sees its municipalities' hotspots), each hotspot with its
reports counted under the chosen filters.

Filters slice a hotspot's stored breakdown (period × service × lead department × channel);
they do not move or re-cluster it. A hotspot is shown only while its filtered reports reach
its run's `min_reports`: a filter never narrows a place down to one or two reports, which
could point at a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from insieme.catalog.models import Service
from insieme.core.access import has_perm, permissions_by_administration
from insieme.core.models import Administration, Department
from insieme.core.permissions import Perm
from insieme.hotspots.models import Hotspot, Run

MAX_DETAIL = 300  # the improvement item's "what the insight says"


def hosted_by(admin: Administration, depth: int = 6) -> list[Administration]:
    """The administrations `admin` hosts, directly or through others (a few levels deep)."""
    found: list[Administration] = []
    frontier = [admin.pk]
    for _level in range(depth):
        children = list(Administration.objects.filter(parent_id__in=frontier).order_by("name"))
        if not children:
            break
        found += children
        frontier = [c.pk for c in children]
    return found


def scope_of(user, admin: Administration) -> list[Administration]:
    """The administration and those it hosts where the user may read hotspots."""
    perms = permissions_by_administration(user)
    hosted = [a for a in hosted_by(admin) if Perm.HOTSPOT_READ in perms.get(a.pk, ())]
    return [admin, *hosted]


def latest_runs(admins: list[Administration]) -> list[Run]:
    runs = []
    for admin in admins:
        run = Run.objects.filter(administration=admin).order_by("-computed_at", "-pk").first()
        if run is not None:
            run.administration = admin
            runs.append(run)
    return runs


def services_of(admins) -> object:
    return Service.objects.filter(administration__in=admins).order_by("administration", "code")


def departments_of(admins) -> object:
    return Department.objects.filter(administration__in=admins).order_by("administration", "name")


@dataclass
class Row:
    hotspot: Hotspot
    administration: Administration
    reports: int
    counts: dict[dt.date, int]  # by the first day of each period
    services: list[str] = field(default_factory=list)
    cells: list[int | None] = field(default_factory=list)  # counts under the board's columns
    improve_url: str = ""  # "" unless the person may open an improvement item there


@dataclass
class Board:
    runs: list[Run]
    rows: list[Row]
    columns: list[dt.date]  # first days of the periods shown, oldest first

    @property
    def run(self) -> Run | None:
        return self.runs[0] if self.runs else None


def _periods_chosen(run: Run, start, end) -> list[int]:
    return [
        i
        for i, (first, last) in enumerate(run.period_bounds())
        if (start is None or last >= start) and (end is None or first <= end)
    ]


def _matches(entry: list, periods: set[int], chosen: dict) -> bool:
    period, service, department, channel, _n = entry
    return (
        period in periods
        and ("service" not in chosen or service == chosen["service"].pk)
        and ("department" not in chosen or department == chosen["department"].pk)
        and ("channel" not in chosen or channel == chosen["channel"])
    )


def detail_text(row: Row) -> str:
    """The improvement item's short description of the hotspot (at most MAX_DETAIL)."""
    h = row.hotspot
    text = _(
        "Hotspot: %(reports)d reports within %(radius)d m of %(place)s (%(admin)s), "
        "in %(present)d of %(periods)d four-week periods%(growing)s. Services: %(services)s."
    ) % {
        "reports": row.reports,
        "radius": round(h.radius_m),
        "place": h.street or f"{h.lat:.5f}, {h.lon:.5f}",
        "admin": row.administration.name,
        "present": h.periods_present,
        "periods": len(h.counts),
        "growing": _(", growing") if h.growing else "",
        "services": ", ".join(row.services) or "—",
    }
    if len(text) > MAX_DETAIL:
        text = text[: MAX_DETAIL - 1].rstrip() + "…"
    return text


def build(user, runs: list[Run], chosen: dict, improve_url) -> Board:
    """The rows of `runs`' hotspots under the filters `chosen` (HotspotFilterForm.values()).
    `improve_url(administration)` is the improvement form's address there."""
    hotspots = list(Hotspot.objects.filter(run__in=runs).order_by("run", "rank"))
    service_ids = {e[1] for h in hotspots for e in h.breakdown}
    names = {s.pk: str(s.i18n.name) for s in Service.objects.filter(pk__in=service_ids)}
    by_run = {run.pk: run for run in runs}
    columns = sorted({first for run in runs for first, _last in run.period_bounds()})
    rows = []
    for h in hotspots:
        run = by_run[h.run_id]
        wanted = set(_periods_chosen(run, chosen.get("start"), chosen.get("end")))
        entries = [e for e in h.breakdown if _matches(e, wanted, chosen)]
        reports = sum(e[4] for e in entries)
        if reports < run.min_reports:
            continue
        firsts = [first for first, _last in run.period_bounds()]
        counts = {firsts[i]: 0 for i in sorted(wanted)}
        for e in entries:
            counts[firsts[e[0]]] += e[4]
        per_service: dict[int, int] = {}
        for e in entries:
            per_service[e[1]] = per_service.get(e[1], 0) + e[4]
        services = [names.get(s, "") for s, _n in sorted(per_service.items(), key=lambda x: -x[1])]
        row = Row(h, run.administration, reports, counts, [s for s in services if s])
        row.cells = [counts.get(first) for first in columns]
        if has_perm(user, Perm.IMPROVEMENT_MANAGE, run.administration.pk):
            row.improve_url = (
                improve_url(run.administration)
                + "?"
                + urlencode({"source": "hotspot", "detail": detail_text(row)})
            )
        rows.append(row)
    rows.sort(key=lambda r: (-r.reports, r.administration.name, r.hotspot.rank))
    return Board(runs, rows, columns)
