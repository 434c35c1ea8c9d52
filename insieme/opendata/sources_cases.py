"""The cases' open datasets. `cases/` takes no new module (it is being split, not grown), so
open data declares them here, reading the cases as any read-side module does.

- public-reports: the reports their filers made public, one row each, as the public pages show
  them: the place coarsened to the grid, the text only where the service's policy allows, after
  redaction; never who filed them or how to reach them.
- requests-monthly: every request (public or not) counted per service and month of filing:
  received, resolved, resolved within the service level, and the median days to resolve; small
  counts suppressed across services and months.
"""

from __future__ import annotations

import statistics
import zoneinfo
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case, Status
from insieme.catalog.models import Service
from insieme.core.registry import Column, Dataset

MONTHS = 24


def public_report_rows(administration):
    zone = zoneinfo.ZoneInfo(administration.timezone)
    codes = dict(Service.objects.filter(administration=administration).values_list("pk", "code"))
    cases = (
        Case.objects.filter(administration=administration, is_public=True)
        .order_by("pk")
        .values_list(
            "pk",
            "reference",
            "service_id",
            "status",
            "channel",
            "submitted_at",
            "resolved_at",
            "lat",
            "lon",
            "public_description",
        )
    )
    for row in cases.iterator(chunk_size=5000):
        pk, ref, service_id, status, channel, submitted, resolved, lat, lon, text = row
        yield {
            "reference": ref,
            "service": codes.get(service_id),
            "status": status,
            "channel": channel,
            "submitted_on": submitted.astimezone(zone).date(),
            "resolved_on": resolved.astimezone(zone).date() if resolved else None,
            "lat": lat,
            "lon": lon,
            "description": text,
            "_id": pk,
            # The public description was redacted with the filer's names when it was filed
            # (as the public page shows it); the publisher redacts it again without them.
            "_service_id": service_id,
        }


def monthly_rows(administration):
    zone = zoneinfo.ZoneInfo(administration.timezone)
    now = timezone.now().astimezone(zone)
    first = (now.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    codes = dict(Service.objects.filter(administration=administration).values_list("pk", "code"))
    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"received": 0, "resolved": 0, "on_time": 0, "days": []}
    )
    cases = Case.objects.filter(administration=administration, submitted_at__gte=first).values_list(
        "service_id", "submitted_at", "resolved_at", "resolve_due_at", "status"
    )
    for service_id, submitted, resolved, due, status in cases.iterator(chunk_size=10000):
        if status == Status.DUPLICATE:
            continue
        group = groups[(codes.get(service_id, ""), submitted.astimezone(zone).strftime("%Y-%m"))]
        group["received"] += 1
        if resolved is not None:
            group["resolved"] += 1
            group["days"].append((resolved - submitted).total_seconds() / 86400)
            if due is None or resolved <= due:
                group["on_time"] += 1
    for (service, month), g in sorted(groups.items()):
        yield {
            "service": service,
            "month": month,
            "received": g["received"],
            "resolved": g["resolved"],
            "resolved_on_time": g["on_time"],
            "median_days_to_resolve": round(statistics.median(g["days"]), 1) if g["days"] else None,
        }


PUBLIC_REPORTS = Dataset(
    key="public-reports",
    title=_("Public reports"),
    description=_(
        "Reports of problems that their filers chose to make public, one per row, as the "
        "public pages show them: service, state, channel, days filed and resolved, the place "
        "moved to the centre of its 250 m square, and the description where the service "
        "allows it, with personal data redacted. Who filed a report is never published."
    ),
    rows=public_report_rows,
    kind="records",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("reports"), _("public services"), _("Open311")),
    columns=(
        Column("reference", "string", _("The report's public reference.")),
        Column("service", "string", _("The service's code.")),
        Column("status", "string", _("The report's state.")),
        Column("channel", "string", _("Channel it was filed through.")),
        Column("submitted_on", "date", _("Day it was filed.")),
        Column("resolved_on", "date", _("Day it was resolved, if it was.")),
        Column("lat", "number", _("Latitude of the centre of its grid square."), role="lat"),
        Column("lon", "number", _("Longitude of the centre of its grid square."), role="lon"),
        Column("description", "string", _("Its description, redacted."), role="text"),
    ),
)

MONTHLY = Dataset(
    key="requests-monthly",
    title=_("Requests per service and month"),
    description=_(
        "Every request, public or not, counted per service and month of filing: received, "
        "resolved, resolved within the service level, and the median days to resolve. Counts "
        "under the administration's threshold are left empty, with the other counts that "
        "would let a reader work them out from the totals per service and per month."
    ),
    rows=monthly_rows,
    kind="aggregate",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("service levels"), _("performance"), _("requests")),
    margins=(("service",), ("month",)),
    columns=(
        Column("service", "string", _("The service's code.")),
        Column("month", "string", _("Month of filing (YYYY-MM).")),
        Column("received", "integer", _("Requests received."), role="count"),
        Column("resolved", "integer", _("Of those, resolved."), "part", "received"),
        Column(
            "resolved_on_time",
            "integer",
            _("Of those, resolved within the service level."),
            "part",
            "resolved",
        ),
        Column(
            "median_days_to_resolve",
            "number",
            _("Median days from filing to resolution."),
            "statistic",
            "resolved",
        ),
    ),
)

DATASETS = (PUBLIC_REPORTS, MONTHLY)
