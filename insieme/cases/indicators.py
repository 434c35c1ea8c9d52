"""The cases app's Scorecard indicators (cells D1, D2 and S2 of DESIGN.md §1).

Each reads a bounded date window (30 or 90 days ending on the scope's day, in the scope's local
time) and only the columns it needs; medians are taken in Python because SQLite has none.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter

from django.db.models import Count, F, Q, Value
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from insieme.cases.models import Case, CaseEvent, Channel, Follower, Rating, Status
from insieme.catalog.indicators import share
from insieme.core.registry import Indicator, IndicatorResult, Scope

ROME = zoneinfo.ZoneInfo("Europe/Rome")
D1_DAYS = 30
WINDOW_DAYS = 90


def window(scope: Scope, days: int, back: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the `days` days ending with the scope's day, shifted `back` windows."""
    end_day = scope.today + dt.timedelta(days=1 - back * days)
    start = dt.datetime.combine(end_day - dt.timedelta(days=days), dt.time(), tzinfo=ROME)
    return start, dt.datetime.combine(end_day, dt.time(), tzinfo=ROME)


def scope_cases(scope: Scope):
    return Case.objects.filter(administration_id__in=scope.administration_ids)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else number_format(value, digits)


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None or not before:
        return "—"
    return f"{(now - before) / before * 100:+.0f}%"


# --- D1: interactions and participants ----------------------------------------------------------


def interactions(scope: Scope, days: int = D1_DAYS) -> dict:
    """Counts and participants of the window: cases filed (by channel), me-too follows,
    ratings and answers to information requests."""
    start, end = window(scope, days)
    cases_q = (
        scope_cases(scope)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(k=F("channel"), u=F("submitted_by_id"), e=F("contact_email"))
        .values_list("k", "u", "e")
        .order_by()
    )
    mine = {
        "created_at__gte": start,
        "created_at__lt": end,
    }
    # Cases, follows, ratings and answers in one query (a UNION of four small selections).
    follows_q = (
        Follower.objects.filter(
            case__administration_id__in=scope.administration_ids, me_too=True, **mine
        )
        .annotate(k=Value("follow"), u=F("user_id"), e=Value(""))
        .values_list("k", "u", "e")
        .order_by()
    )
    ratings_q = (
        Rating.objects.filter(case__administration_id__in=scope.administration_ids, **mine)
        .annotate(k=Value("rating"), u=F("user_id"), e=Value(""))
        .values_list("k", "u", "e")
        .order_by()
    )
    answers_q = (
        CaseEvent.objects.filter(
            case__administration_id__in=scope.administration_ids,
            kind=CaseEvent.Kind.INFO_PROVIDED,
            **mine,
        )
        .annotate(k=Value("answer"), u=F("actor_id"), e=Value(""))
        .values_list("k", "u", "e")
        .order_by()
    )
    every = list(cases_q.union(follows_q, ratings_q, answers_q, all=True))
    follows = [u for k, u, _e in every if k == "follow"]
    ratings = [u for k, u, _e in every if k == "rating"]
    answers = [u for k, u, _e in every if k == "answer"]
    cases = [(k, u, e) for k, u, e in every if k in Channel.values]
    people: set = set()
    by_channel: dict[str, set] = {c: set() for c in Channel.values}
    for channel, user, email in cases:
        who = ("u", user) if user else (("e", email.lower()) if email else None)
        if who:
            people.add(who)
            by_channel.setdefault(channel, set()).add(who)
    people |= {("u", u) for u in [*follows, *ratings, *answers] if u}
    channels = Counter(c for c, _u, _e in cases)
    return {
        "cases": len(cases),
        "follows": len(follows),
        "ratings": len(ratings),
        "answers": len(answers),
        "total": len(cases) + len(follows) + len(ratings) + len(answers),
        "participants": len(people),
        "channels": channels,
        "channel_people": {c: len(v) for c, v in by_channel.items()},
    }


def _d1_rows(data: dict) -> list[list]:
    rows = [
        [_("Case filed (%(channel)s)") % {"channel": Channel(c).label}, data["channels"].get(c, 0)]
        + [data["channel_people"].get(c, 0)]
        for c in Channel.values
    ]
    rows += [
        [_("Me-too follow"), data["follows"], ""],
        [_("Rating"), data["ratings"], ""],
        [_("Answer to an information request"), data["answers"], ""],
    ]
    return rows


def compute_interactions(scope: Scope) -> IndicatorResult:
    data = interactions(scope)
    return IndicatorResult(
        value=data["total"],
        display=_("%(n)s interactions by %(p)s people in the last %(d)s days")
        % {"n": data["total"], "p": data["participants"], "d": D1_DAYS},
        numerator=data["total"],
        denominator=data["participants"],
        columns=[_("Interaction"), _("Count"), _("Distinct people")],
        rows=_d1_rows(data),
    )


# --- D2: complete at first submission; duplicates ------------------------------------------


def _recent(scope: Scope):
    start, end = window(scope, WINDOW_DAYS)
    return scope_cases(scope).filter(submitted_at__gte=start, submitted_at__lt=end)


def _by_service(qs, condition: Q) -> list[list]:
    rows = (
        qs.values("service__name", "administration__name")
        .annotate(total=Count("id"), hits=Count("id", filter=condition))
        .order_by("administration__name", "service__name")
    )
    return [
        [r["service__name"], r["administration__name"], r["hits"], r["total"]]
        + [_fmt(r["hits"] / r["total"] * 100, 0) + "%" if r["total"] else "—"]
        for r in rows
    ]


COMPLETE = Q(complete_at_submission=True)
DUPLICATE = Q(status=Status.DUPLICATE) | Q(duplicate_of__isnull=False)


def _share_indicator(scope: Scope, condition: Q, hits_label: str) -> IndicatorResult:
    rows = _by_service(_recent(scope), condition)  # one query; totals are its sums
    hits, total = sum(r[2] for r in rows), sum(r[3] for r in rows)
    value, display = share(hits, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=total,
        columns=[_("Service"), _("Administration"), hits_label, _("Cases"), _("Share")],
        rows=rows,
    )


def compute_complete(scope: Scope) -> IndicatorResult:
    return _share_indicator(scope, COMPLETE, _("Complete at first submission"))


def compute_duplicates(scope: Scope) -> IndicatorResult:
    return _share_indicator(scope, DUPLICATE, _("Duplicates"))


# --- S2: time on the form, to acknowledge, to resolve ------------------------------------------


def form_seconds(scope: Scope) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Seconds on the form by channel: (last 90 days, previous 90 days), in one query."""
    start, _end = window(scope, WINDOW_DAYS, 1)
    split, end = window(scope, WINDOW_DAYS)
    now: dict[str, list[int]] = {c: [] for c in Channel.values}
    before: dict[str, list[int]] = {c: [] for c in Channel.values}
    for channel, seconds, at in (
        scope_cases(scope)
        .filter(submitted_at__gte=start, submitted_at__lt=end, form_seconds__isnull=False)
        .values_list("channel", "form_seconds", "submitted_at")
    ):
        (now if at >= split else before).setdefault(channel, []).append(seconds)
    return now, before


def compute_form_time(scope: Scope) -> IndicatorResult:
    now, before = form_seconds(scope)
    every_now = [s for v in now.values() for s in v]
    every_before = [s for v in before.values() for s in v]
    value = median(every_now)
    rows = []
    for channel in Channel.values:
        m_now, m_before = median(now[channel]), median(before[channel])
        rows.append(
            [Channel(channel).label, _fmt(m_now, 0), len(now[channel]), _fmt(m_before, 0)]
            + [_trend(m_now, m_before)]
        )
    rows.append(
        [_("All channels"), _fmt(value, 0), len(every_now), _fmt(median(every_before), 0)]
        + [_trend(value, median(every_before))]
    )
    return IndicatorResult(
        value=value,
        display=_("median %(m)s s on the form (%(n)s cases)")
        % {"m": _fmt(value, 0), "n": len(every_now)}
        if value is not None
        else _("Nothing to measure yet"),
        numerator=value,
        denominator=len(every_now),
        columns=[
            _("Channel"),
            _("Median seconds"),
            _("Cases"),
            _("Median seconds, previous 90 days"),
            _("Trend"),
        ],
        rows=rows,
    )


def durations(scope: Scope, field: str, unit: float) -> tuple[list[float], list[float]]:
    """Durations submitted → `field` (in `unit` seconds) of cases whose `field` falls inside the
    last 90 days and the 90 before (one query)."""
    start, _end = window(scope, WINDOW_DAYS, 1)
    split, end = window(scope, WINDOW_DAYS)
    now: list[float] = []
    before: list[float] = []
    rows = (
        scope_cases(scope)
        .filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .values_list("submitted_at", field)
    )
    for a, b in rows:
        (now if b >= split else before).append((b - a).total_seconds() / unit)
    return now, before


def _duration_indicator(scope: Scope, field: str, unit: float, words: str) -> IndicatorResult:
    now, before = durations(scope, field, unit)
    m_now, m_before = median(now), median(before)
    return IndicatorResult(
        value=m_now,
        display=(
            _("median %(m)s %(u)s (%(n)s cases, %(t)s against the previous 90 days)")
            % {"m": _fmt(m_now), "u": words, "n": len(now), "t": _trend(m_now, m_before)}
            if m_now is not None
            else _("Nothing to measure yet")
        ),
        numerator=m_now,
        denominator=len(now),
        columns=[_("Period"), _("Median"), _("Cases")],
        rows=[
            [_("Last 90 days"), _fmt(m_now), len(now)],
            [_("Previous 90 days"), _fmt(m_before), len(before)],
            [_("Trend"), _trend(m_now, m_before), ""],
        ],
    )


def compute_acknowledge(scope: Scope) -> IndicatorResult:
    return _duration_indicator(scope, "acknowledged_at", 3600.0, _("hours"))


def compute_resolve(scope: Scope) -> IndicatorResult:
    return _duration_indicator(scope, "resolved_at", 86400.0, _("days"))


INDICATORS: list[Indicator] = [
    Indicator(
        key="cases-d1-interactions",
        cell="D1",
        title=_lazy("Interactions and distinct participants in the last 30 days"),
        method=_lazy(
            "Interactions are cases filed (any channel), 'me too' follows, ratings and answers to "
            "information requests in the last 30 days; participants (the denominator) count each "
            "signed-in person once and anonymous filers by e-mail. Rows: cases by channel."
        ),
        unit="interactions",
        compute=compute_interactions,
        app="cases",
        better=None,
    ),
    Indicator(
        key="cases-d2-complete",
        cell="D2",
        title=_lazy("Cases complete and valid at first submission"),
        method=_lazy(
            "Share of cases filed in the last 90 days that staff did not have to ask more "
            "information for (complete at submission); forms already refuse invalid answers."
        ),
        unit="share",
        compute=compute_complete,
        app="cases",
        better="higher",
    ),
    Indicator(
        key="cases-d2-duplicates",
        cell="D2",
        title=_lazy("Duplicate rate"),
        method=_lazy(
            "Share of cases filed in the last 90 days marked as a duplicate (status duplicate or "
            "linked to an earlier case)."
        ),
        unit="share",
        compute=compute_duplicates,
        app="cases",
        better="lower",
    ),
    Indicator(
        key="cases-s2-form-time",
        cell="S2",
        title=_lazy("Citizen time on the form"),
        method=_lazy(
            "Median seconds between opening and submitting the form, for cases filed in the last "
            "90 days that recorded it, by channel, with the previous 90 days for the trend."
        ),
        unit="seconds",
        compute=compute_form_time,
        app="cases",
        better="lower",
    ),
    Indicator(
        key="cases-s2-acknowledge",
        cell="S2",
        title=_lazy("Time to acknowledge"),
        method=_lazy(
            "Median hours from submission to acknowledgement of the cases acknowledged in the "
            "last 90 days, against the previous 90 days."
        ),
        unit="hours",
        compute=compute_acknowledge,
        app="cases",
        better="lower",
    ),
    Indicator(
        key="cases-s2-resolve",
        cell="S2",
        title=_lazy("Time to resolve"),
        method=_lazy(
            "Median days from submission to resolution of the cases resolved in the last 90 days, "
            "against the previous 90 days."
        ),
        unit="days",
        compute=compute_resolve,
        app="cases",
        better="lower",
    ),
]
