"""Workload and fairness per team, and hand-offs between departments.

The workload is now, not over the period: the open cases assigned to each person who carries
cases, against their capacity, as on the Scorecard (insieme.cases.indicators.workload) and the
supervisors' workload page (one row per person, with their largest capacity; fairness is the
number of cases that would have to change hands for the team to carry them in proportion to
capacity, insieme.core.figures.cases_to_move; teams of one are not judged). Only the member and
department filters apply to it.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.indicators import workload
from insieme.cases.models import Handoff
from insieme.core.figures import cases_to_move
from insieme.dashboards.common import pct_text, share
from insieme.dashboards.panels import Panel, PanelData


def team_load(filters) -> PanelData:
    """Two queries (people with capacities; open assigned cases per person)."""
    people, unassigned = workload(filters.scope)
    teams: dict[tuple[str, str], list] = {}
    for p in people:
        if p.capacity:
            teams.setdefault((p.department, p.administration), []).append(p)
    if filters.department is not None:
        wanted = (filters.department.name, filters.department.administration.name)
        teams = {k: v for k, v in teams.items() if k == wanted}
    rows = []
    for (department, admin_name), members in sorted(teams.items()):
        load, capacity = sum(p.load for p in members), sum(p.capacity for p in members)
        move = cases_to_move([p.load for p in members], [p.capacity for p in members])
        judged = len(members) > 1
        rows.append(
            [department, admin_name, len(members), capacity, load, share(load, capacity)]
            + [move if judged else None]
        )
    load, capacity = sum(r[4] for r in rows), sum(r[3] for r in rows)
    moved = sum(r[6] or 0 for r in rows)
    if rows:
        fullest = max(rows, key=lambda r: (r[5] or 0, r[0]))
        sentence = _(
            "Teams carry %(n)s open cases for %(c)s places (%(p)s of capacity); evening out the "
            "load inside each team would move %(m)s cases. The fullest team is %(team)s (%(f)s)."
        ) % {
            "n": load,
            "c": capacity,
            "p": pct_text(share(load, capacity)),
            "m": moved,
            "team": fullest[0],
            "f": pct_text(fullest[5]),
        }
        if filters.department is None and unassigned:
            sentence += " " + _(
                "%(u)s open cases wait in department queues, assigned to nobody."
            ) % {"u": unassigned}
    else:
        sentence = _("Nobody with a capacity carries cases here.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Team (department)"),
            _("Administration"),
            _("People"),
            _("Capacity"),
            _("Open cases assigned"),
            _("Load against capacity (%)"),
            _("Cases to move to even out the load"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Open cases assigned"), "data": [r[4] for r in rows]},
                {"name": _("Capacity"), "data": [r[3] for r in rows]},
            ],
            "unit": "",
        },
    )


def handoffs(filters) -> PanelData:
    """One query: hand-offs asked for in the period per receiving department, by what became of
    them."""
    qs = Handoff.objects.filter(
        filters.case_q("case__"), created_at__gte=filters.start, created_at__lt=filters.end
    )
    if filters.department is not None:
        qs = qs.filter(to_department=filters.department)
    state = Handoff.State
    rows = [
        [r["to_department__name"], r["case__administration__name"], r["n"], r["ok"], r["back"]]
        + [r["pending"], share(r["back"], r["ok"] + r["back"])]
        for r in qs.values("to_department__name", "case__administration__name")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(state=state.ACCEPTED)),
            back=Count("id", filter=Q(state=state.RETURNED)),
            pending=Count("id", filter=Q(state=state.PENDING)),
        )
        .order_by("to_department__name", "case__administration__name")
    ]
    total, accepted = sum(r[2] for r in rows), sum(r[3] for r in rows)
    returned = sum(r[4] for r in rows)
    if total:
        sentence = _(
            "%(n)s hand-offs between departments; %(b)s of those answered were sent back "
            "(%(r)s of %(a)s), and %(p)s still wait for an answer."
        ) % {
            "n": total,
            "b": pct_text(share(returned, accepted + returned)),
            "r": returned,
            "a": accepted + returned,
            "p": sum(r[5] for r in rows),
        }
    else:
        sentence = _("No hand-off between departments in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Receiving department"),
            _("Administration"),
            _("Hand-offs"),
            _("Accepted"),
            _("Sent back"),
            _("Still pending"),
            _("Bounce-back rate (%)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "stack": True,
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Accepted"), "data": [r[3] for r in rows]},
                {"name": _("Sent back"), "data": [r[4] for r in rows]},
                {"name": _("Still pending"), "data": [r[5] for r in rows]},
            ],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="team-load",
        order=90,
        title=gettext_lazy("Workload and fairness per team, now"),
        definition=gettext_lazy(
            "Now, not over the period: the open cases assigned to the officers and supervisors "
            "of each department against the sum of their capacities, as on the workload page and "
            "the Scorecard. People with capacity 0 are left out. “Cases to move” is the fewest "
            "cases that would have to change hands for the team to carry its cases in proportion "
            "to capacity; a team of one is not judged. Only the administration and department "
            "filters apply."
        ),
        compute=team_load,
        ignores=("period", "service", "area", "channel"),
    ),
    Panel(
        key="handoffs",
        order=100,
        title=gettext_lazy("Hand-offs and bounce-backs"),
        definition=gettext_lazy(
            "Hand-offs of a case from one department to another asked for in the period, per "
            "receiving department: accepted, sent back (a bounce-back) or still pending. The "
            "bounce-back rate is the share of the answered hand-offs that were sent back, as on "
            "the Scorecard. The department filter selects the receiving department."
        ),
        compute=handoffs,
    ),
]
