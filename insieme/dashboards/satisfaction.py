"""Satisfaction, and its gap to what staff expected (cell T4).

Citizens' satisfaction is their ratings of their cases (insieme.cases.models.Rating, a score
from 1 to 5 given once per case), as the Scorecard's "Satisfaction from ratings"
(cases-t4-satisfaction): the mean score and the share of 4 and 5 of the ratings given in the
period.

What staff expect is the staff perception survey's second statement for T4, “Residents are
satisfied with how we handle their requests” (insieme.perception, scored 1 to 5 like the
ratings). Its share of staff agreeing (4 or 5) is set against the share of citizens rating 4 or 5, per administration, from each
administration's latest round that had opened by the period's last day, shown only where at
least PERCEPTION_MIN_RESPONSES people took part and as many answered the statement, as on the
Scorecard (insieme.perception.results).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from insieme.cases.models import Rating
from insieme.catalog.models import Service
from insieme.core.figures import figure
from insieme.core.models import Administration
from insieme.dashboards import rollups
from insieme.dashboards.common import number, pct_text, ratio, share
from insieme.dashboards.panels import Panel, PanelData
from insieme.perception.models import Answer
from insieme.perception.results import Tally, rounds_for

STATEMENT = "T4s"  # the staff survey's statement of what staff expect


def _ratings(filters):
    return Rating.objects.filter(
        filters.case_q("case__"), created_at__gte=filters.start, created_at__lt=filters.end
    )


def _scores() -> dict:
    return {
        "n": Count("id"),
        "total": Sum("score", default=0),
        "good": Count("id", filter=Q(score__gte=4)),
        "poor": Count("id", filter=Q(score__lte=2)),
    }


def _by_service_counted(filters) -> tuple[list[dict], dict]:
    found = list(
        _ratings(filters)
        .values("case__service__name", "case__administration__name")
        .annotate(**_scores())
        .order_by("case__administration__name", "case__service__name")
    )
    before_start, before_end = filters.previous()
    before = Rating.objects.filter(
        filters.case_q("case__"), created_at__gte=before_start, created_at__lt=before_end
    ).aggregate(**_scores())
    return found, before


ROLLED_SCORES = {
    "n": Sum("rated"),
    "total": Sum("rating_total"),
    "good": Sum("rating_good"),
    "poor": Sum("rating_poor"),
}


def _by_service_rolled(filters) -> tuple[list[dict], dict]:
    """The same from the rollups: the period's sums per service, merged by service and
    administration name (as the ratings are grouped) in the same order, and the previous
    period's in all."""
    sums = rollups.by_service(filters, "n", **ROLLED_SCORES)
    found: dict[tuple, dict] = {}
    for pk, name, admin_name in (
        Service.objects.filter(pk__in=list(sums))
        .order_by("administration__name", "name")
        .values_list("pk", "name", "administration__name")
    ):
        row = found.setdefault(
            (name, admin_name),
            {"case__service__name": name, "case__administration__name": admin_name}
            | dict.fromkeys(ROLLED_SCORES, 0),
        )
        for k in ROLLED_SCORES:
            row[k] += sums[pk][k]
    first = filters.first_day - dt.timedelta(days=filters.days)
    before = (
        rollups.days(filters)
        .filter(day__gte=first, day__lt=filters.first_day)
        .aggregate(**ROLLED_SCORES)
    )
    return list(found.values()), {k: v or 0 for k, v in before.items()}


def by_service(filters) -> PanelData:
    """Two queries: the period's ratings per service, and the previous period's in all (or three
    from the rollups: the services' names too)."""
    found, before = (_by_service_rolled if filters.rolled else _by_service_counted)(filters)
    rows = [
        [r["case__service__name"], r["case__administration__name"], r["n"]]
        + [number(r["total"] / r["n"], 2), share(r["good"], r["n"]), share(r["poor"], r["n"])]
        for r in found
    ]
    n = sum(r["n"] for r in found)
    if n:
        mean = sum(r["total"] for r in found) / n
        sentence = _(
            "Citizens gave %(n)s ratings in the period, a mean of %(m)s out of 5; %(g)s gave 4 "
            "or 5 and %(p)s gave 1 or 2."
        ) % {
            "n": n,
            "m": figure(mean, 1),
            "g": pct_text(share(sum(r["good"] for r in found), n)),
            "p": pct_text(share(sum(r["poor"] for r in found), n)),
        }
        if before["n"]:
            sentence += " " + ngettext(
                "In the previous %(d)s days: %(m)s out of 5 (%(n)s rating).",
                "In the previous %(d)s days: %(m)s out of 5 (%(n)s ratings).",
                before["n"],
            ) % {
                "d": filters.days,
                "m": figure(before["total"] / before["n"], 1),
                "n": before["n"],
            }
        if len(rows) > 1:
            lowest = min(rows, key=lambda r: (r[3], r[0]))
            sentence += " " + _("The lowest mean is %(service)s's (%(m)s).") % {
                "service": lowest[0],
                "m": figure(lowest[3], 1),
            }
    else:
        sentence = _("No ratings in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Service"),
            _("Administration"),
            _("Ratings"),
            _("Mean score (1–5)"),
            _("Rated 4 or 5 (%)"),
            _("Rated 1 or 2 (%)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": _("Mean score (1–5)"), "data": [r[3] for r in rows]}],
            "unit": "",
            "max": 5,
        },
    )


def _staff_tallies(filters) -> tuple[dict[int, object], dict[int, Tally]]:
    """({administration id: its round}, {administration id: Tally of the statement}) over each
    administration's latest round that had opened by the period's last day and reached the
    threshold: two queries."""
    as_of = dataclasses.replace(filters.scope, today=min(filters.last_day, filters.scope.today))
    rounds = {r.administration_id: r for r in rounds_for(as_of)}
    admin_of = {r.pk: a for a, r in rounds.items()}
    tallies: dict[int, Tally] = {a: Tally() for a in rounds}
    for round_id, score, n in (
        Answer.objects.filter(round_id__in=list(admin_of), statement=STATEMENT)
        .values_list("round_id", "score")
        .annotate(n=Count("id"))
        .order_by()
    ):
        tallies[admin_of[round_id]].add(score, n)
    return rounds, tallies


def gap(filters) -> PanelData:
    """Four queries: the administrations' names, their ratings in the period, their latest
    survey rounds and those rounds' answers to the statement."""
    names = dict(
        Administration.objects.filter(pk__in=filters.scope.administration_ids)
        .order_by("name")
        .values_list("pk", "name")
    )
    if filters.rolled:
        found = {
            r["administration_id"]: r
            for r in rollups.days(filters)
            .filter(day__gte=filters.first_day, day__lte=filters.last_day)
            .values("administration_id")
            .annotate(**ROLLED_SCORES)
            .order_by()
            if r["n"]
        }
    else:
        found = {
            r["case__administration_id"]: r
            for r in _ratings(filters)
            .values("case__administration_id")
            .annotate(**_scores())
            .order_by()
        }
    rounds, tallies = _staff_tallies(filters)
    rows = []
    pooled, citizens = Tally(), {"n": 0, "total": 0, "good": 0}
    for admin_id, name in names.items():
        r = found.get(admin_id, {"n": 0, "total": 0, "good": 0})
        staff = tallies[admin_id].shown() if admin_id in tallies else None
        if staff is not None:
            # Only figures shown on their own are pooled (as on the Scorecard): pooling one under
            # the threshold would let the total minus the others reveal it.
            t = tallies[admin_id]
            pooled.answers, pooled.agree = pooled.answers + t.answers, pooled.agree + t.agree
            pooled.total += t.total
        for k in citizens:
            citizens[k] += r[k]
        rows.append(_gap_row(name, r, staff, rounds.get(admin_id)))
    if len(rows) > 1:
        rows.append(_gap_row(_("All together"), citizens, pooled.shown(), None))
    last = rows[-1]
    if last[1] and last[6] is not None:
        sentence = _(
            "%(c)s of the %(n)s ratings citizens gave in the period were 4 or 5; %(s)s of staff "
            "(%(a)s answers) agree that residents are satisfied with how their requests are "
            "handled."
        ) % {"c": pct_text(last[3]), "n": last[1], "s": pct_text(last[6]), "a": last[5]}
        if abs(last[7]) < 0.5:
            sentence += " " + _("Citizens are about as satisfied as staff expect.")
        elif last[7] < 0:
            sentence += " " + _("Citizens are %(p)s points less satisfied than staff expect.") % {
                "p": figure(-last[7], 0)
            }
        else:
            sentence += " " + _("Citizens are %(p)s points more satisfied than staff expect.") % {
                "p": figure(last[7], 0)
            }
    elif last[1]:
        sentence = _(
            "%(c)s of the %(n)s ratings citizens gave in the period were 4 or 5; there is no "
            "staff survey round with enough answers to compare them with."
        ) % {"c": pct_text(last[3]), "n": last[1]}
    else:
        sentence = _("No ratings in the period to set against what staff expect.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Administration"),
            _("Ratings"),
            _("Mean score (1–5)"),
            _("Rated 4 or 5 (%)"),
            _("Staff survey round (first day)"),
            _("Staff answers"),
            _("Staff agreeing (%)"),
            _("Gap (points)"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Rated 4 or 5 (%)"), "data": [r[3] for r in rows]},
                {"name": _("Staff agreeing (%)"), "data": [r[6] for r in rows]},
            ],
            "unit": "%",
            "max": 100,
        },
    )


def _gap_row(name: str, citizens: dict, staff: dict | None, round_) -> list:
    satisfied = share(citizens["good"], citizens["n"])
    agreeing = share(staff["agree"], staff["answers"]) if staff else None
    difference = (
        number(satisfied - agreeing) if satisfied is not None and agreeing is not None else None
    )
    return [
        name,
        citizens["n"],
        number(ratio(citizens["total"], citizens["n"]), 2),
        satisfied,
        round_.opens_on if round_ is not None and staff else None,
        staff["answers"] if staff else None,
        agreeing,
        difference,
    ]


PANELS = [
    Panel(
        key="satisfaction",
        order=130,
        title=gettext_lazy("Satisfaction per service"),
        definition=gettext_lazy(
            "As the Scorecard's “Satisfaction from ratings”: the ratings (1 to 5) citizens gave "
            "their cases in the period, per service, with the mean and the shares of 4 and 5 "
            "and of 1 and 2; the sentence compares the mean with the same number of days just "
            "before. The filters select the rated cases."
        ),
        compute=by_service,
    ),
    Panel(
        key="satisfaction-gap",
        order=140,
        title=gettext_lazy("Satisfaction against what staff expect"),
        definition=gettext_lazy(
            "What staff expect is the share of employees agreeing (4 or 5) with the staff "
            "survey's statement “Residents are satisfied with how we handle their requests”, "
            "set against the share of the period's ratings that were 4 or 5. The gap is the "
            "difference in percentage points (below 0: citizens less satisfied than staff "
            "expect). Each administration's latest survey round that had opened by the "
            "period's last day counts, and only when at least five people took part and as many "
            "answered the statement. The service, area, department and channel filters select "
            "the rated cases only: the survey is about the administration as a whole."
        ),
        compute=gap,
    ),
]
