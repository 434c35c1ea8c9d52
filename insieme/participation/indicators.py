"""Participation's Scorecard indicators (cells I1, I2 and T2 of DESIGN.md §1).

Each reads a bounded window ending on the scope's day (WINDOW_DAYS, or MONTHS calendar months
for the monthly counts) with a few narrow queries (ids and dates only), then counts in Python.
Held and hidden content counts for nothing: the public never saw it. With nothing to count the
value is None and the display says so.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.indicators import window
from insieme.catalog.indicators import share
from insieme.core.models import Membership, PartnerMember, PartnerOrganisation
from insieme.core.registry import Indicator, IndicatorResult, Scope
from insieme.participation.models import (
    AuthorType,
    Comment,
    EvaluationNote,
    Idea,
    OfficialAnswer,
    Process,
    Support,
)

WINDOW_DAYS = 90
YEAR_DAYS = 365
MONTHS = 6
TYPES = [AuthorType.CITIZEN, AuthorType.EMPLOYEE, AuthorType.PARTNER]


def _nothing() -> IndicatorResult:
    return IndicatorResult(value=None, display=_("Nothing to measure yet"))


def _ideas(scope: Scope):
    return Idea.objects.visible().filter(process__administration_id__in=scope.administration_ids)


def _comments(scope: Scope):
    return Comment.objects.filter(
        administration_id__in=scope.administration_ids, held_at__isnull=True, hidden_at__isnull=True
    )


def _staff_ids(scope: Scope) -> set[int]:
    return set(
        Membership.objects.filter(
            administration_id__in=scope.administration_ids, is_active=True
        ).values_list("user_id", flat=True)
    )


# --- I1: participants per process by author type -----------------------------------------------


def compute_participants(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    people: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for process_id, user_id, kind in (
        _ideas(scope)
        .filter(created_at__gte=start, created_at__lt=end, author__isnull=False)
        .values_list("process_id", "author_id", "author_type")
    ):
        people[process_id][kind].add(user_id)
    comments = _comments(scope).filter(
        created_at__gte=start, created_at__lt=end, author__isnull=False
    )
    for process_id, idea_process, user_id, kind in comments.values_list(
        "process_id", "idea__process_id", "author_id", "author_type"
    ):
        if process_id or idea_process:
            people[process_id or idea_process][kind].add(user_id)
    supporters = list(
        Support.objects.filter(
            idea__process__administration_id__in=scope.administration_ids,
            created_at__gte=start,
            created_at__lt=end,
        ).values_list("idea__process_id", "user_id")
    )
    staff = _staff_ids(scope)
    partners = set(
        PartnerMember.objects.filter(user_id__in=[u for _p, u in supporters]).values_list(
            "user_id", flat=True
        )
    )
    for process_id, user_id in supporters:
        known = any(user_id in people[process_id][k] for k in TYPES)
        if not known:
            kind = (
                AuthorType.EMPLOYEE
                if user_id in staff
                else AuthorType.PARTNER
                if user_id in partners
                else AuthorType.CITIZEN
            )
            people[process_id][kind].add(user_id)
    if not people:
        return _nothing()
    titles = dict(Process.objects.filter(pk__in=people).values_list("pk", "title"))
    rows, total = [], 0
    for process_id in sorted(people, key=lambda p: titles.get(p, "")):
        counts = [len(people[process_id][k]) for k in TYPES]
        total += sum(counts)
        rows.append([titles.get(process_id, ""), *counts, sum(counts)])
    value = total / len(people)
    return IndicatorResult(
        value=value,
        display=_("%(n).1f people per process") % {"n": value},
        numerator=total,
        denominator=len(people),
        columns=[_("Process"), _("Citizens"), _("Employees"), _("Partner organisations"), _("All")],
        rows=rows,
    )


# --- I1: two-way exchanges -----------------------------------------------------------------------


def compute_two_way(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    ideas = set(
        _ideas(scope).filter(created_at__gte=start, created_at__lt=end).values_list("pk", flat=True)
    )
    if not ideas:
        return _nothing()
    answered = set(
        OfficialAnswer.objects.filter(idea_id__in=ideas).values_list("idea_id", flat=True)
    )
    first_official: dict[int, dt.datetime] = {}
    later_reply: set[int] = set()
    rows = (
        _comments(scope)
        .filter(idea_id__in=ideas)
        .order_by("created_at", "pk")
        .values_list("idea_id", "is_official", "created_at")
    )
    for idea_id, official, at in rows:
        if official:
            first_official.setdefault(idea_id, at)
        elif idea_id in first_official and at > first_official[idea_id]:
            later_reply.add(idea_id)
    two_way = answered | later_reply
    value, display = share(len(two_way), len(ideas))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(two_way),
        denominator=len(ideas),
        columns=[_("Kind of exchange"), _("Ideas")],
        rows=[
            [_("Official answer"), len(answered)],
            [_("Official comment and a participant's reply after it"), len(later_reply)],
            [_("Either"), len(two_way)],
            [_("Ideas proposed"), len(ideas)],
        ],
    )


# --- I1: staff taking part -----------------------------------------------------------------------


def compute_staff(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    staff = _staff_ids(scope)
    if not staff:
        return _nothing()
    period = {"created_at__gte": start, "created_at__lt": end}
    proposed = set(_ideas(scope).filter(**period).values_list("author_id", flat=True)) & staff
    commented = set(_comments(scope).filter(**period).values_list("author_id", flat=True)) & staff
    evaluated = (
        set(
            EvaluationNote.objects.filter(
                idea__process__administration_id__in=scope.administration_ids, **period
            ).values_list("author_id", flat=True)
        )
        | set(
            OfficialAnswer.objects.filter(
                idea__process__administration_id__in=scope.administration_ids, **period
            ).values_list("author_id", flat=True)
        )
    ) & staff
    took_part = proposed | commented | evaluated
    value, display = share(len(took_part), len(staff))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(took_part),
        denominator=len(staff),
        columns=[_("Activity"), _("Staff members")],
        rows=[
            [_("Proposed an idea"), len(proposed)],
            [_("Commented"), len(commented)],
            [_("Evaluated or answered an idea"), len(evaluated)],
            [_("Any of these"), len(took_part)],
            [_("Staff members"), len(staff)],
        ],
    )


# --- I2: ideas per month by author type, share accepted, partner organisations ------------------


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = [first]
    for _n in range(MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def compute_ideas_per_month(scope: Scope) -> IndicatorResult:
    months = _month_starts(scope.today)
    start = dt.datetime.combine(months[0], dt.time(), tzinfo=scope.zone)
    end = dt.datetime.combine(scope.today + dt.timedelta(days=1), dt.time(), tzinfo=scope.zone)
    counts: Counter = Counter()
    for at, kind in (
        _ideas(scope)
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list("created_at", "author_type")
    ):
        local = at.astimezone(scope.zone).date()
        counts[(local.replace(day=1), kind)] += 1
    total = sum(counts.values())
    if not total:
        return _nothing()
    value = total / len(months)
    return IndicatorResult(
        value=value,
        display=_("%(n).1f ideas a month") % {"n": value},
        numerator=total,
        denominator=len(months),
        columns=[_("Month"), _("Citizens"), _("Employees"), _("Partner organisations"), _("All")],
        rows=[
            [
                month.strftime("%Y-%m"),
                *[counts[(month, k)] for k in TYPES],
                sum(counts[(month, k)] for k in TYPES),
            ]
            for month in months
        ],
    )


def compute_accepted(scope: Scope) -> IndicatorResult:
    start, end = window(scope, YEAR_DAYS)
    ideas = list(
        _ideas(scope)
        .filter(created_at__gte=start, created_at__lt=end, state=Idea.State.OPEN)
        .values_list("author_type", "answer")
    )
    if not ideas:
        return _nothing()
    accepted = sum(answer == Idea.Answer.ACCEPTED for _k, answer in ideas)
    value, display = share(accepted, len(ideas))
    rows = []
    for kind in TYPES:
        of_kind = [a for k, a in ideas if k == kind]
        rows.append(
            [
                AuthorType(kind).label,
                sum(a == Idea.Answer.ACCEPTED for a in of_kind),
                len(of_kind),
            ]
        )
    return IndicatorResult(
        value=value,
        display=display,
        numerator=accepted,
        denominator=len(ideas),
        columns=[_("Author type"), _("Accepted"), _("Ideas")],
        rows=rows,
    )


def compute_partners(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    period = {"created_at__gte": start, "created_at__lt": end, "partner__isnull": False}
    involved = Counter(_ideas(scope).filter(**period).values_list("partner_id", flat=True))
    involved.update(_comments(scope).filter(**period).values_list("partner_id", flat=True))
    known = dict(
        PartnerOrganisation.objects.filter(
            administration_id__in=scope.administration_ids
        ).values_list("pk", "name")
    )
    names = dict(
        PartnerOrganisation.objects.filter(pk__in=list(involved)).values_list("pk", "name")
    )
    everyone = set(known) | set(involved)
    if not everyone:
        return _nothing()
    return IndicatorResult(
        value=float(len(involved)),
        display=_("%(n)d of %(d)d organisations") % {"n": len(involved), "d": len(everyone)},
        numerator=len(involved),
        denominator=len(everyone),
        columns=[_("Organisation"), _("Ideas and comments")],
        rows=sorted(([names[pk], n] for pk, n in involved.items()), key=lambda r: (-r[1], r[0])),
    )


# --- T2: time to an official answer --------------------------------------------------------------


def answer_days(scope: Scope) -> list[tuple[int, float]]:
    """(idea id, days from the idea to its first official answer or official comment), for
    ideas first answered in the window."""
    start, end = window(scope, WINDOW_DAYS)
    firsts: dict[int, dt.datetime] = {}
    answers = (
        OfficialAnswer.objects.filter(idea__process__administration_id__in=scope.administration_ids)
        .values("idea_id")
        .annotate(first=Min("created_at"))
    )
    comments = (
        _comments(scope)
        .filter(is_official=True, idea__isnull=False)
        .values("idea_id")
        .annotate(first=Min("created_at"))
    )
    for row in [*answers, *comments]:
        known = firsts.get(row["idea_id"])
        firsts[row["idea_id"]] = row["first"] if known is None else min(known, row["first"])
    firsts = {k: v for k, v in firsts.items() if start <= v < end}
    created = dict(_ideas(scope).filter(pk__in=list(firsts)).values_list("pk", "created_at"))
    return [
        (pk, max((firsts[pk] - at).total_seconds(), 0) / 86400)
        for pk, at in sorted(created.items())
    ]


def compute_answer_time(scope: Scope) -> IndicatorResult:
    days = answer_days(scope)
    if not days:
        return _nothing()
    value = statistics.median(d for _pk, d in days)
    buckets = Counter(
        _("within a week") if d <= 7 else _("within a month") if d <= 30 else _("later")
        for _pk, d in days
    )
    return IndicatorResult(
        value=value,
        display=_("%(n).1f days") % {"n": value},
        denominator=len(days),
        columns=[_("First official answer"), _("Ideas")],
        rows=[[label, n] for label, n in buckets.items()],
    )


def _indicator(key, cell, title, method, unit, compute, better, period_days=None) -> Indicator:
    return Indicator(
        key=key,
        cell=cell,
        title=title,
        method=method,
        unit=unit,
        compute=compute,
        app="participation",
        better=better,
        period_days=period_days,
    )


INDICATORS: list[Indicator] = [
    _indicator(
        "participation-i1-participants",
        "I1",
        gettext_lazy("Participants per process by author type"),
        gettext_lazy(
            "Distinct people who proposed, supported or commented in each process in the last "
            "90 days, by type: citizens, employees (a role in the administration) and partner "
            "organisations' members. Value: people per process (numerator: people counted once "
            "per process; denominator: processes with any activity). Held and hidden content "
            "is left out."
        ),
        "people",
        compute_participants,
        "higher",
        period_days=WINDOW_DAYS,
    ),
    _indicator(
        "participation-i1-two-way",
        "I1",
        gettext_lazy("Two-way exchanges on ideas"),
        gettext_lazy(
            "Share of the ideas proposed in the last 90 days that got an official answer, or an "
            "official comment followed by a later reply from a participant."
        ),
        "%",
        compute_two_way,
        "higher",
        period_days=WINDOW_DAYS,
    ),
    _indicator(
        "participation-i1-staff",
        "I1",
        gettext_lazy("Staff taking part in participation"),
        gettext_lazy(
            "Share of the administration's staff members (active roles) who proposed an idea, "
            "commented, or evaluated or answered an idea in the last 90 days."
        ),
        "%",
        compute_staff,
        "higher",
        period_days=WINDOW_DAYS,
    ),
    _indicator(
        "participation-i2-ideas-per-month",
        "I2",
        gettext_lazy("Ideas per month by author type"),
        gettext_lazy(
            "Ideas proposed in each of the last six calendar months (this one included), by "
            "author type. Value: ideas a month on average."
        ),
        "ideas",
        compute_ideas_per_month,
        "higher",
    ),
    _indicator(
        "participation-i2-accepted",
        "I2",
        gettext_lazy("Share of ideas accepted"),
        gettext_lazy(
            "Ideas proposed in the last 365 days that the administration accepted, out of all "
            "open ideas of that period (merged and split ones are counted in the ideas they "
            "went into)."
        ),
        "%",
        compute_accepted,
        "higher",
        period_days=YEAR_DAYS,
    ),
    _indicator(
        "participation-i2-partners",
        "I2",
        gettext_lazy("Partner organisations involved"),
        gettext_lazy(
            "Partner organisations whose members proposed or commented in the last 90 days, out "
            "of the administration's partner organisations."
        ),
        "organisations",
        compute_partners,
        "higher",
        period_days=WINDOW_DAYS,
    ),
    _indicator(
        "participation-t2-answer-time",
        "T2",
        gettext_lazy("Median time to an official answer"),
        gettext_lazy(
            "Days from an idea to its first official answer (or official comment), median over "
            "the ideas first answered in the last 90 days."
        ),
        "days",
        compute_answer_time,
        "lower",
        period_days=WINDOW_DAYS,
    ),
]
