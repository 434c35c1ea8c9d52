"""Backlog and promises kept: the open cases at each week's end, and the share of the dates
promised to citizens (to acknowledge, to resolve) that were kept, per week.

The promises follow the Scorecard's indicator "Public promises kept" (cases-t2-promises-kept in
insieme.cases.indicators): a promise belongs to the week it fell due in; an acknowledgement is
kept by a first public answer by its date, a resolution by the case resolved or closed by its
date; a case waiting for the citizen is not judged unless its date had passed before it was
asked; promises due after now are not judged yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import OPEN_STATUSES
from insieme.dashboards import rollups
from insieme.dashboards.common import by_week, pct_text, share, week_of, week_starts
from insieme.dashboards.panels import Panel, PanelData

_OPEN = sorted(OPEN_STATUSES)


def _ended(qs):
    """Cases no longer open, with when they ended: resolved, else closed, else last changed."""
    return qs.exclude(status__in=_OPEN).annotate(
        ended=Coalesce("resolved_at", "closed_at", "updated_at")
    )


def _flows(filters) -> tuple[int, dict, int, dict]:
    """(cases filed before the period, {Monday: filed that week}, cases ended before the period,
    {Monday: ended that week}), from the rollups (three queries) or the cases (three)."""
    if filters.rolled:
        rows = rollups.days(filters).filter(day__lte=filters.last_day)
        early = rows.filter(day__lt=filters.first_day)
        later = rows.filter(day__gte=filters.first_day)
        before = early.aggregate(filed=Sum("filed"), ended=Sum("ended"))
        return (
            before["filed"] or 0,
            rollups.per_week(rollups.per_day(later, "filed")),
            before["ended"] or 0,
            rollups.per_week(rollups.per_day(later, "ended")),
        )
    cases = filters.cases()
    start, end = filters.start, filters.end
    opened_before = cases.filter(submitted_at__lt=start).count()
    ended = _ended(cases)
    opened = by_week(
        cases.filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(week=week_of("submitted_at", filters))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    ended_rows = list(
        ended.filter(ended__lt=end)
        .annotate(
            early=ExpressionWrapper(Q(ended__lt=start), output_field=BooleanField()),
            week=week_of("ended", filters),
        )
        .values("early", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    ended_before = sum(r["n"] for r in ended_rows if r["early"])
    closed = by_week([r for r in ended_rows if not r["early"]])
    return (
        opened_before,
        {w: r["n"] for w, r in opened.items()},
        ended_before,
        {w: r["n"] for w, r in closed.items()},
    )


def backlog(filters) -> PanelData:
    """Cases opened and ended before the period, and both per week in it. The
    backlog at a week's end is every case filed before then minus every case ended before then
    (a case reopened since counts as open throughout)."""
    opened_before, opened, ended_before, closed = _flows(filters)
    level = opened_before - ended_before
    at_start = level
    rows, series, labels = [], [], []
    today = timezone.now().astimezone(filters.zone).date()
    for monday in week_starts(filters):
        new, gone = opened.get(monday, 0), closed.get(monday, 0)
        level += new - gone
        rows.append([monday, new, gone, level])
        if monday <= today:  # weeks still to come are in the table (zeros), not the chart
            labels.append(date_format(monday, "SHORT_DATE_FORMAT"))
            series.append(level)
    sentence = _(
        "%(n)s cases were open at the end of the period, against %(m)s at its start; "
        "%(a)s were filed and %(b)s ended in between."
    ) % {
        "n": level,
        "m": at_start,
        "a": sum(r[1] for r in rows),
        "b": sum(r[2] for r in rows),
    }
    return PanelData(
        sentence=sentence,
        columns=[_("Week beginning"), _("Filed"), _("Ended"), _("Open at the week's end")],
        rows=rows,
        chart={
            "kind": "line",
            "categories": labels,
            "series": [{"name": _("Open at the week's end"), "data": series}],
            "unit": "",
        },
    )


NONE_DUE = {"due": 0, "kept": 0}


def _due_counted(filters, until) -> tuple[dict, dict]:
    """Two queries of the cases: ({Monday: {"due", "kept"}} of acknowledgements, the same of
    resolutions)."""
    cases = filters.cases().annotate(ended=Coalesce("resolved_at", "closed_at"))
    ack = by_week(
        cases.filter(acknowledge_due_at__gte=filters.start, acknowledge_due_at__lt=until)
        .annotate(week=week_of("acknowledge_due_at", filters))
        .values("week")
        .annotate(
            due=Count("id"),
            kept=Count("id", filter=Q(first_public_response_at__lte=F("acknowledge_due_at"))),
        )
        .order_by()
    )
    judged = Q(sla_paused_at__isnull=True) | Q(sla_paused_at__gt=F("resolve_due_at"))
    res = by_week(
        cases.filter(judged, resolve_due_at__gte=filters.start, resolve_due_at__lt=until)
        .annotate(week=week_of("resolve_due_at", filters))
        .values("week")
        .annotate(due=Count("id"), kept=Count("id", filter=Q(ended__lte=F("resolve_due_at"))))
        .order_by()
    )
    return ack, res


def _due_rolled(filters, until) -> tuple[dict, dict]:
    """The same from the rollups: whole days from their rows (one query), and for today, whose
    promises count only up to now, the cases as rolled up that fell due since midnight (two
    queries on an index)."""
    today = timezone.now().astimezone(filters.zone).date()
    last = filters.last_day if until >= filters.end else today - dt.timedelta(days=1)
    ack: dict = defaultdict(lambda: dict(NONE_DUE))
    res: dict = defaultdict(lambda: dict(NONE_DUE))
    for row in (
        rollups.days(filters)
        .filter(day__gte=filters.first_day, day__lte=last)
        .values("day")
        .annotate(**{k: Sum(k) for k in rollups.PROMISES})
        .order_by()
    ):
        monday = row["day"] - dt.timedelta(days=row["day"].weekday())
        for found, key in ((ack, "ack"), (res, "res")):
            found[monday]["due"] += row[f"{key}_due"] or 0
            found[monday]["kept"] += row[f"{key}_kept"] or 0
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=filters.zone)
    since = max(filters.start, midnight)
    if until < filters.end and since < until:
        monday = today - dt.timedelta(days=today.weekday())
        cases = rollups.rolled_cases(filters)
        for found, key in ((ack, "ack"), (res, "res")):
            today_due = cases.filter(
                **{f"{key}_due_at__gte": since, f"{key}_due_at__lt": until}
            ).aggregate(due=Count("pk"), kept=Count("pk", filter=Q(**{f"{key}_kept": True})))
            found[monday]["due"] += today_due["due"]
            found[monday]["kept"] += today_due["kept"]
    return (
        {w: v for w, v in ack.items() if v["due"]},
        {w: v for w, v in res.items() if v["due"]},
    )


def promises(filters) -> PanelData:
    """Acknowledgements and resolutions due per week of the period (up to now)."""
    until = min(filters.end, timezone.now())
    ack, res = (_due_rolled if filters.rolled else _due_counted)(filters, until)
    rows = []
    for monday in week_starts(filters):
        a = ack.get(monday, NONE_DUE)
        r = res.get(monday, NONE_DUE)
        rows.append(
            [monday, a["due"], a["kept"], share(a["kept"], a["due"]), r["due"], r["kept"]]
            + [share(r["kept"], r["due"])]
        )
    res_due, res_kept = sum(r[4] for r in rows), sum(r[5] for r in rows)
    ack_due, ack_kept = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if res_due or ack_due:
        sentence = _(
            "%(r)s of the resolutions due in the period came in time (%(rk)s of %(rd)s), and "
            "%(a)s of the acknowledgements (%(ak)s of %(ad)s)."
        ) % {
            "r": pct_text(share(res_kept, res_due)),
            "rk": res_kept,
            "rd": res_due,
            "a": pct_text(share(ack_kept, ack_due)),
            "ak": ack_kept,
            "ad": ack_due,
        }
        judged_weeks = [r for r in rows if r[4]]
        if len(judged_weeks) > 1:
            worst = min(judged_weeks, key=lambda r: (r[6], r[0]))
            sentence += " " + _("The worst week for resolutions began on %(day)s (%(p)s).") % {
                "day": date_format(worst[0], "DATE_FORMAT"),
                "p": pct_text(worst[6]),
            }
    else:
        sentence = _("No promised date fell due in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Week beginning"),
            _("Acknowledgements due"),
            _("Acknowledged in time"),
            _("Acknowledged in time (%)"),
            _("Resolutions due"),
            _("Resolved in time"),
            _("Resolved in time (%)"),
        ],
        rows=rows,
        chart={
            "kind": "line",
            "categories": [date_format(r[0], "SHORT_DATE_FORMAT") for r in rows],
            "series": [
                {"name": _("Resolved in time (%)"), "data": [r[6] for r in rows]},
                {"name": _("Acknowledged in time (%)"), "data": [r[3] for r in rows]},
            ],
            "unit": "%",
            "max": 100,
        },
    )


PANELS = [
    Panel(
        key="backlog",
        order=50,
        title=gettext_lazy("Backlog: open cases at each week's end"),
        definition=gettext_lazy(
            "Cases filed before the end of each week (Monday to Sunday, or the period's end) "
            "that had not ended by then. A case ends when it is resolved, refused, closed or "
            "merged as a duplicate (when it was resolved, else closed, else last changed); a "
            "case reopened since counts as open throughout. Filters of service, department, area "
            "and channel apply to the case as it is now."
        ),
        compute=backlog,
    ),
    Panel(
        key="promises",
        order=60,
        title=gettext_lazy("Promised dates kept, per week"),
        definition=gettext_lazy(
            "As the Scorecard's indicator “Public promises kept”: each date promised to a "
            "citizen counts in the week it fell due. An acknowledgement is kept by a first "
            "public answer by its date; a resolution by the case resolved or closed by its date. "
            "A case waiting for the citizen is not judged unless its date had passed before it "
            "was asked; dates still to come are not judged. Unlike the Scorecard, a promise that "
            "fell due before the period and is still broken is not counted again."
        ),
        compute=promises,
    ),
]
