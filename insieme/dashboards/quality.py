"""Data quality at intake (cell D2), per service, over the cases filed in the period, with the
Scorecard's definitions (insieme.cases.indicators):

- handled as filed (cases-d2-complete): of the cases staff have opened (`handled()`: past
  'submitted', not withdrawn unopened), those complete at submission with no information
  request, not moved by an accepted hand-off and not duplicates (`handled_as_filed()`);
- information requests (cases-t4-info-requests): of the same opened cases, those for which staff
  asked the citizen for something;
- duplicates (cases-d2-duplicates): of all the cases filed, those marked as duplicates or merged
  into another.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.indicators import DUPLICATE, handled, handled_as_filed
from insieme.catalog.models import Service
from insieme.dashboards import rollups
from insieme.dashboards.common import pct_text, share
from insieme.dashboards.panels import Panel, PanelData

COUNTS = ("filed", "opened", "as_filed", "asked", "duplicates")


def _rolled(filters) -> list[dict]:
    """Per service name and administration (as the cases are grouped), in that order."""
    sums = rollups.by_service(filters, "filed", **{k: Sum(k) for k in COUNTS})
    found: dict[tuple[str, str], dict] = {}
    for pk, name, admin in (
        Service.objects.filter(pk__in=list(sums))
        .order_by("administration__name", "name")
        .values_list("pk", "name", "administration__name")
    ):
        group = found.setdefault(
            (name, admin),
            {"service__name": name, "administration__name": admin, **dict.fromkeys(COUNTS, 0)},
        )
        for k in COUNTS:
            group[k] += sums[pk][k]
    return list(found.values())


def _counted(filters) -> list[dict]:
    opened = handled()
    return list(
        filters.cases()
        .filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
        .values("service__name", "administration__name")
        .annotate(
            filed=Count("id"),
            opened=Count("id", filter=opened),
            as_filed=Count("id", filter=opened & handled_as_filed()),
            asked=Count("id", filter=opened & Q(info_requests__gt=0)),
            duplicates=Count("id", filter=DUPLICATE),
        )
        .order_by("administration__name", "service__name")
    )


def data_quality(filters) -> PanelData:
    """One query (of the rollups, then one of the services' names, or of the cases): the
    period's cases per service, counted five ways."""
    found = _rolled(filters) if filters.rolled else _counted(filters)
    rows = [
        [r["service__name"], r["administration__name"], r["filed"], r["opened"], r["as_filed"]]
        + [share(r["as_filed"], r["opened"]), r["asked"], share(r["asked"], r["opened"])]
        + [r["duplicates"], share(r["duplicates"], r["filed"])]
        for r in found
    ]
    total = {k: sum(r[k] for r in found) for k in ("filed", "opened", "as_filed", "asked")}
    duplicates = sum(r["duplicates"] for r in found)
    if total["filed"]:
        sentence = _(
            "Of the %(o)s cases staff have opened, %(f)s were handled as filed (complete, in the "
            "right place, not duplicates) and staff asked the citizen for more on %(a)s; "
            "%(d)s of the %(n)s cases filed were duplicates."
        ) % {
            "o": total["opened"],
            "f": pct_text(share(total["as_filed"], total["opened"])),
            "a": pct_text(share(total["asked"], total["opened"])),
            "d": pct_text(share(duplicates, total["filed"])),
            "n": total["filed"],
        }
    else:
        sentence = _("No requests in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases filed"),
            _("Cases staff have opened"),
            _("Handled as filed"),
            _("Handled as filed (%)"),
            _("With an information request"),
            _("With an information request (%)"),
            _("Duplicates"),
            _("Duplicates (%)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Handled as filed (%)"), "data": [r[5] for r in rows]},
                {"name": _("With an information request (%)"), "data": [r[7] for r in rows]},
                {"name": _("Duplicates (%)"), "data": [r[9] for r in rows]},
            ],
            "unit": "%",
            "max": 100,
        },
    )


PANELS = [
    Panel(
        key="data-quality",
        order=150,
        title=gettext_lazy("Data quality at intake"),
        definition=gettext_lazy(
            "The cases filed in the period, per service, with the Scorecard's definitions. "
            "Handled as filed: of the cases staff have opened (past “submitted” and not withdrawn "
            "before anyone acknowledged them), those complete at submission, with no information "
            "request, not moved to another department by an accepted hand-off and not "
            "duplicates. With an information request: of the same opened cases, those for which "
            "staff asked the citizen for something. Duplicates: of all the cases filed, those "
            "marked as duplicates or merged into another."
        ),
        compute=data_quality,
    ),
]
