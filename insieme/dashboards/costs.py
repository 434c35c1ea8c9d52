"""Cost and burden: the Standard Cost Model as the Scorecard measures it.

- Cost per case by channel is the Scorecard's S1 indicator (cases-s1-cost-per-case in
  insieme.cases.indicators): the minutes of staff time logged in the period (each entry
  prefilled from the service's cost model, staff minutes per channel) times the service's hourly
  cost, divided by the cases they were logged on, per channel of the time entry; the saving
  compares each channel with the counter.
- The burden per service is the Scorecard's S3 indicator (cases-s3-burden) over the period's
  cases instead of the last 365 days: citizens' hours are the service's citizen minutes times
  (cases + information-request loops, each loop a new pass over the form); staff hours are the
  minutes logged on those cases, and their cost is those minutes at the service's hourly cost.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, FloatField, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import Channel, TimeLog
from insieme.catalog.models import Service
from insieme.core.figures import figure
from insieme.dashboards import rollups
from insieme.dashboards.common import number, ratio
from insieme.dashboards.models import LoggedDay
from insieme.dashboards.panels import Panel, PanelData


def spoken(label: str) -> str:
    """A channel's name inside a sentence: "web", "counter", but "API"."""
    return label if label.isupper() else label.lower()


def _euros(minutes_field: str, cost_field: str) -> Sum:
    """Minutes × hourly cost, summed in the database (÷ 60 afterwards), as the Scorecard's."""
    return Sum(
        ExpressionWrapper(F(minutes_field) * F(cost_field), output_field=FloatField()),
        default=0.0,
    )


def _cost_counted(filters) -> dict[str, tuple]:
    """One query of the time logs: per channel, the cases, the minutes and their cost."""
    return {
        r["channel"]: (r["cases"], r["logged"] or 0, float(r["cost"] or 0) / 60.0)
        for r in TimeLog.objects.filter(
            filters.case_q("case__"), created_at__gte=filters.start, created_at__lt=filters.end
        )
        .values("channel")
        .annotate(
            cases=Count("case_id", distinct=True),
            logged=Sum("minutes"),
            cost=_euros("minutes", "case__service__hourly_cost"),
        )
        .order_by()
    }


def _cost_rolled(filters) -> dict[str, tuple]:
    """The same from the rollup of logged time (LoggedDay), per channel and service (a case has
    one service, so its cases add up), priced at each service's hourly cost as it is now."""
    found = list(
        LoggedDay.objects.filter(
            filters.case_q(), day__gte=filters.first_day, day__lte=filters.last_day
        )
        .values("logged_via", "service_id")
        .annotate(cases=Count("case_id", distinct=True), logged=Sum("minutes"))
        .order_by()
    )
    costs = dict(
        Service.objects.filter(pk__in={r["service_id"] for r in found}).values_list(
            "pk", "hourly_cost"
        )
    )
    by_channel: dict[str, list] = {}
    for r in found:
        cases, minutes, euros = by_channel.setdefault(r["logged_via"], [0, 0, Decimal(0)])
        hourly = costs.get(r["service_id"])
        by_channel[r["logged_via"]] = [
            cases + r["cases"],
            minutes + r["logged"],
            euros + (Decimal(r["logged"]) * Decimal(hourly) if hourly is not None else 0),
        ]
    return {
        channel: (cases, minutes, float(euros) / 60.0)
        for channel, (cases, minutes, euros) in by_channel.items()
    }


def cost_by_channel(filters) -> PanelData:
    """The time logged in the period per channel, its cases and its cost."""
    found = (_cost_rolled if filters.rolled else _cost_counted)(filters)
    counter = found.get(Channel.COUNTER)
    counter_cost = ratio(counter[2], counter[0]) if counter else None
    rows = []
    for channel in Channel.values:
        cases, minutes, euros = found.get(channel, (0, 0, 0.0))
        per_case = ratio(euros, cases)
        saving = counter_cost - per_case if per_case is not None and counter_cost else None
        rows.append(
            [str(Channel(channel).label), cases, minutes, number(ratio(minutes, cases))]
            + [number(euros, 2), number(per_case, 2), number(saving, 2)]
        )
    cases = sum(c for c, _m, _e in found.values())
    minutes = sum(m for _c, m, _e in found.values())
    euros = sum(e for _c, _m, e in found.values())
    rows.append(
        [_("All channels"), cases, minutes, number(ratio(minutes, cases))]
        + [number(euros, 2), number(ratio(euros, cases), 2), None]
    )
    if cases:
        priced = [r for r in rows[:-1] if r[5] is not None]
        dearest = max(priced, key=lambda r: (r[5], r[0]))
        sentence = _(
            "Staff time logged in the period on %(n)s cases cost %(e)s EUR, %(c)s EUR per case; "
            "the dearest channel per case is %(channel)s (%(d)s EUR)."
        ) % {
            "n": cases,
            "e": figure(euros, 2),
            "c": figure(ratio(euros, cases), 2),
            "channel": spoken(dearest[0]),
            "d": figure(dearest[5], 2),
        }
        cheaper = [r for r in priced if r[6] is not None and r[6] > 0]
        if cheaper:
            best = max(cheaper, key=lambda r: (r[6], r[0]))
            sentence += " " + _(
                "Against the counter (%(k)s EUR per case), %(channel)s saves %(s)s EUR per case."
            ) % {
                "k": figure(counter_cost, 2),
                "channel": spoken(best[0]),
                "s": figure(best[6], 2),
            }
    else:
        sentence = _("No staff time was logged in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Channel"),
            _("Cases with logged time"),
            _("Minutes logged"),
            _("Minutes per case"),
            _("Cost (EUR)"),
            _("Cost per case (EUR)"),
            _("Saved per case against the counter (EUR)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows[:-1]],
            "series": [{"name": _("Cost per case (EUR)"), "data": [r[5] for r in rows[:-1]]}],
            "unit": "",
        },
    )


SERVICE_FIELDS = (
    "service_id",
    "service__name",
    "administration__name",
    "service__citizen_minutes",
    "service__hourly_cost",
)


def _burden_counted(filters) -> list[dict]:
    return list(
        filters.cases()
        .filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
        .values(*SERVICE_FIELDS)
        .annotate(cases=Count("id"), loops=Sum("info_requests"), staff=Sum("staff_minutes"))
        .order_by()
    )


def _burden_rolled(filters) -> list[dict]:
    sums = rollups.by_service(
        filters, "cases", cases=Sum("filed"), loops=Sum("loops"), staff=Sum("staff_minutes")
    )
    services = Service.objects.filter(pk__in=list(sums)).values(
        "pk", "name", "administration__name", "citizen_minutes", "hourly_cost"
    )
    return [
        {
            "service_id": s["pk"],
            "service__name": s["name"],
            "administration__name": s["administration__name"],
            "service__citizen_minutes": s["citizen_minutes"],
            "service__hourly_cost": s["hourly_cost"],
            **{k: sums[s["pk"]][k] for k in ("cases", "loops", "staff")},
        }
        for s in services
    ]


def burden(filters) -> PanelData:
    """The period's cases per service, with their information-request loops and the staff
    minutes logged on them: one query of the cases, or two (the rollups, then the services)."""
    found = _burden_rolled(filters) if filters.rolled else _burden_counted(filters)
    rows = []
    for r in found:
        loops, staff = r["loops"] or 0, r["staff"] or 0
        citizens = (r["service__citizen_minutes"] or 0) * (r["cases"] + loops) / 60.0
        cost = staff * float(r["service__hourly_cost"] or 0) / 60.0
        rows.append(
            [r["service__name"], r["administration__name"], r["cases"], loops]
            + [number(citizens), number(staff / 60.0), number(citizens + staff / 60.0)]
            + [number(cost, 2), number(ratio(cost, r["cases"]), 2)]
        )
    rows.sort(key=lambda r: (-r[6], r[1], r[0]))
    citizens = sum(
        (r["service__citizen_minutes"] or 0) * (r["cases"] + (r["loops"] or 0)) for r in found
    )
    staff = sum(r["staff"] or 0 for r in found)
    if rows:
        heaviest = max(rows, key=lambda r: (r[4], r[0]))
        sentence = _(
            "The period's %(n)s cases took citizens about %(c)s hours and staff %(s)s hours "
            "(%(e)s EUR of staff time); %(service)s weighs most on citizens (%(h)s hours)."
        ) % {
            "n": sum(r[2] for r in rows),
            "c": figure(citizens / 60.0, 1),
            "s": figure(staff / 60.0, 1),
            "e": figure(sum(r[7] for r in rows), 2),
            "service": heaviest[0],
            "h": figure(heaviest[4], 1),
        }
    else:
        sentence = _("No requests in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases"),
            _("Information-request loops"),
            _("Citizen hours"),
            _("Staff hours"),
            _("Total hours"),
            _("Staff cost (EUR)"),
            _("Staff cost per case (EUR)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "stack": True,
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Citizen hours"), "data": [r[4] for r in rows]},
                {"name": _("Staff hours"), "data": [r[5] for r in rows]},
            ],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="cost-per-case",
        order=110,
        title=gettext_lazy("Cost per case by channel"),
        definition=gettext_lazy(
            "As the Scorecard's “Cost per case by channel” (Standard Cost Model): the minutes of "
            "staff time logged in the period (each entry prefilled from the service's minutes per "
            "channel), times the service's hourly cost, divided by the cases they were logged on, "
            "per channel; the saving compares each channel's cost per case with the counter's. "
            "Cases with no time logged in the period are left out. The filters select the cases "
            "the time was logged on."
        ),
        compute=cost_by_channel,
    ),
    Panel(
        key="burden",
        order=120,
        title=gettext_lazy("Administrative burden and staff cost per service"),
        definition=gettext_lazy(
            "As the Scorecard's “Administrative burden per year”, over the cases filed in the "
            "period instead of the last 365 days: citizens' hours are the service's citizen "
            "minutes times (cases + information-request loops, each loop a new pass over the "
            "form); staff hours are all the minutes logged on those cases, whenever logged; "
            "their cost is those minutes at the service's hourly cost."
        ),
        compute=burden,
    ),
]
