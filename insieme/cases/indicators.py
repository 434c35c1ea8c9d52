"""The cases app's Scorecard indicators (cells D1, D2, S2, and I1, I3, I4, T2, T4, S1, S3, S4 of
DESIGN.md §1).

Each reads a bounded date window (30, 90 or, for the yearly burden, 365 days ending on the scope's
day, in the scope's local time) or, for the workload (I3), the open cases now, and only the
columns it needs, in one or two grouped queries; Python then works on the grouped rows (or on the
staff, a few dozen people), never on every case. Medians are taken in Python because SQLite has
none. With nothing to count (no cases, no capacity, no hand-offs) the value is None and the
display says so.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from insieme.cases.labels import asked_label, lacks_a_field
from insieme.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Channel,
    Follower,
    Handoff,
    Rating,
    Status,
    TimeLog,
)
from insieme.catalog.indicators import share
from insieme.core.figures import cases_to_move, figure, percent
from insieme.core.models import Membership
from insieme.core.permissions import Role
from insieme.core.registry import Indicator, IndicatorResult, Scope

D1_DAYS = 30
WINDOW_DAYS = 90


def cases_of(scope: Scope):
    """The scope's cases' ids as a subquery. Rows of other tables (events, hand-offs, ratings,
    follows) are found through it, `case_id IN (...)`, which the database drives from the
    scope's cases: a join on the case's administration made SQLite read every
    administration's rows of the period (3.3 s against 0.2 ms for an administration with no
    cases, 4.1 s against 1.4 s for one with a quarter of a million, at a million cases)."""
    return Case.objects.filter(administration_id__in=scope.administration_ids).values("id")


def window(scope: Scope, days: int, back: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the `days` days ending with the scope's day, shifted `back` windows, from
    midnight to midnight in the scope's time zone."""
    return scope.window(days, back)


def scope_cases(scope: Scope):
    return Case.objects.filter(administration_id__in=scope.administration_ids)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int = 1) -> str:
    return figure(value, digits)


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None or not before:
        return "—"
    return figure((now - before) / before * 100, 0, "%", sign=True)


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
        Follower.objects.filter(case_id__in=cases_of(scope), me_too=True, **mine)
        .annotate(k=Value("follow"), u=F("user_id"), e=Value(""))
        .values_list("k", "u", "e")
        .order_by()
    )
    ratings_q = (
        Rating.objects.filter(case_id__in=cases_of(scope), **mine)
        .annotate(k=Value("rating"), u=F("user_id"), e=Value(""))
        .values_list("k", "u", "e")
        .order_by()
    )
    answers_q = (
        CaseEvent.objects.filter(
            case_id__in=cases_of(scope),
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
        + [percent(r["hits"] / r["total"], unit="%") if r["total"] else "—"]
        for r in rows
    ]


DUPLICATE = Q(status=Status.DUPLICATE) | Q(duplicate_of__isnull=False)


def handled() -> Q:
    """Cases staff have opened: anything past 'submitted' but a case its citizen withdrew before
    anyone acknowledged it. A case nobody has opened has not yet shown whether it was complete
    (issue 14, item 5: Lago Verde counted 1,891 unopened cases as complete)."""
    withdrawn_unopened = Q(status=Status.CLOSED, acknowledged_at__isnull=True) & Exists(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.WITHDRAWN)
    )
    return ~Q(status=Status.SUBMITTED) & ~withdrawn_unopened


def handled_as_filed() -> Q:
    """Complete (staff asked the citizen for nothing), in the right place (not moved to another
    department by an accepted hand-off) and not a duplicate."""
    moved = Exists(Handoff.objects.filter(case=OuterRef("pk"), state=Handoff.State.ACCEPTED))
    return Q(complete_at_submission=True, info_requests=0) & ~DUPLICATE & ~moved


def _share_indicator(
    scope: Scope, condition: Q, hits_label: str, cases=None, total_label=None
) -> IndicatorResult:
    rows = _by_service(_recent(scope) if cases is None else cases, condition)  # one query
    hits, total = sum(r[2] for r in rows), sum(r[3] for r in rows)
    value, display = share(hits, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=total,
        columns=[_("Service"), _("Administration"), hits_label]
        + [total_label or _("Cases"), _("Share")],
        rows=rows,
    )


def compute_complete(scope: Scope) -> IndicatorResult:
    return _share_indicator(
        scope,
        handled_as_filed(),
        _("Handled as filed"),
        cases=_recent(scope).filter(handled()),
        total_label=_("Cases staff have opened"),
    )


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


# Resolved means solved: a duplicate or a refusal also stamps resolved_at, in a moment, but
# solves nothing (issue 14, item 2); a reopened case is open again.
NOT_RESOLVED = Q(status__in=[Status.DUPLICATE, Status.REFUSED, *OPEN_STATUSES])


def durations(
    scope: Scope, field: str, unit: float, exclude: Q | None = None
) -> tuple[list[float], list[float]]:
    """Durations submitted → `field` (in `unit` seconds) of cases whose `field` falls inside the
    last 90 days and the 90 before (one query), leaving out the cases `exclude` matches."""
    start, _end = window(scope, WINDOW_DAYS, 1)
    split, end = window(scope, WINDOW_DAYS)
    now: list[float] = []
    before: list[float] = []
    cases = scope_cases(scope).filter(**{f"{field}__gte": start, f"{field}__lt": end})
    if exclude is not None:
        cases = cases.exclude(exclude)
    rows = cases.values_list("submitted_at", field)
    for a, b in rows:
        (now if b >= split else before).append((b - a).total_seconds() / unit)
    return now, before


def _duration_indicator(
    scope: Scope, field: str, unit: float, words: str, exclude: Q | None = None
) -> IndicatorResult:
    now, before = durations(scope, field, unit, exclude)
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
    return _duration_indicator(scope, "resolved_at", 86400.0, _("days"), NOT_RESOLVED)


# --- issue 4 (case handling): I1, I3, I4, T2, T4, S1, S3, S4 -----------------------------------
#
# Same rules as above: bounded windows, grouped queries, Python only over the grouped rows (or
# over the staff, a few dozen people), never over every case.

YEAR_DAYS = 365
HANDLERS = (Role.OFFICER, Role.SUPERVISOR)  # the roles that carry cases (Perm.CASE_HANDLE)


def _pct(value: float | None) -> str:
    return percent(value, unit="%")


def _ratio(n: float, d: float) -> float | None:
    return n / d if d else None


def _no_data() -> str:
    return _("Nothing to measure yet")


# I1: two-way exchanges


STAFF_SPOKE = (CaseEvent.Kind.PUBLIC_REPLY, CaseEvent.Kind.INFO_REQUESTED)


def _two_way_q() -> tuple[Q, Q, Q]:
    """(staff spoke publicly, a citizen answered, someone else said "me too") as conditions."""
    staff = Exists(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=STAFF_SPOKE, is_public=True)
    )
    answered = Exists(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.INFO_PROVIDED)
    )
    me_too = Exists(Follower.objects.filter(case=OuterRef("pk"), me_too=True))
    return Q(staff), Q(answered), Q(me_too)


def compute_two_way(scope: Scope) -> IndicatorResult:
    staff, answered, me_too = _two_way_q()
    rows = list(
        _recent(scope)
        .values("service__name", "administration__name")
        .annotate(
            total=Count("id"),
            spoke=Count("id", filter=staff),
            answered=Count("id", filter=answered | me_too),
            both=Count("id", filter=staff & (answered | me_too)),
        )
        .order_by("administration__name", "service__name")
    )
    total = sum(r["total"] for r in rows)
    both = sum(r["both"] for r in rows)
    value, display = share(both, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=both,
        denominator=total,
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases"),
            _("Staff wrote publicly"),
            _("Citizens answered or joined"),
            _("Two-way"),
            _("Share"),
        ],
        rows=[
            [r["service__name"], r["administration__name"], r["total"], r["spoke"]]
            + [r["answered"], r["both"], _pct(_ratio(r["both"], r["total"]))]
            for r in rows
        ],
    )


# I3: load against capacity, overload, fairness


@dataclass
class Person:
    administration: str
    name: str
    department: str
    capacity: int
    load: int = 0

    @property
    def ratio(self) -> float | None:
        return self.load / self.capacity if self.capacity else None


def workload(scope: Scope) -> tuple[list[Person], int]:
    """(everyone who carries cases, with their open assigned cases; open cases assigned to
    nobody) in two queries. A person with two roles in one administration counts once, with
    the larger capacity (as assignment does)."""
    people: dict[tuple[int, int], Person] = {}
    members = (
        Membership.objects.filter(
            administration_id__in=scope.administration_ids,
            role__in=HANDLERS,
            is_active=True,
            user__is_active=True,
        )
        .values_list(
            "administration_id",
            "user_id",
            "administration__name",
            "user__full_name",
            "department__name",
            "capacity",
        )
        .order_by("administration__name", "user__full_name", "-capacity")
    )
    for admin_id, user_id, admin_name, name, department, capacity in members:
        if (admin_id, user_id) not in people:
            people[(admin_id, user_id)] = Person(
                admin_name, name, department or _("(no department)"), capacity
            )
    # Grouped by expressions, not columns: SQLite otherwise scanned every case in the order of
    # an assignee index to spare itself a sort (2-4 s at a million cases, 0.1-55 ms so).
    loads = (
        scope_cases(scope)
        .filter(status__in=sorted(OPEN_STATUSES))
        .annotate(a=F("administration_id") + 0, p=F("assignee_id") + 0)
        .values_list("a", "p")
        .annotate(n=Count("id"))
        .order_by()
    )
    unassigned = 0
    for admin_id, user_id, n in loads:
        if user_id is None:
            unassigned += n
        elif (admin_id, user_id) in people:
            people[(admin_id, user_id)].load = n
    return list(people.values()), unassigned


def _people_rows(people: list[Person]) -> list[list]:
    return [
        [p.name, p.department, p.administration, p.load, p.capacity, _pct(p.ratio)]
        + [_("yes") if p.capacity and p.load >= p.capacity else ""]
        for p in people
    ]


PEOPLE_COLUMNS = (
    gettext_lazy("Person"),
    gettext_lazy("Department"),
    gettext_lazy("Administration"),
    gettext_lazy("Open cases assigned"),
    gettext_lazy("Capacity"),
    gettext_lazy("Load against capacity"),
    gettext_lazy("At or over capacity"),
)


def compute_load(scope: Scope) -> IndicatorResult:
    """Every open case (assigned or waiting in a queue) against the capacity of the people
    who carry cases: leaving the queues out made a team with a long queue look idle."""
    people, unassigned = workload(scope)
    counted = [p for p in people if p.capacity]
    capacity = sum(p.capacity for p in counted)
    load = scope_cases(scope).filter(status__in=sorted(OPEN_STATUSES)).count()
    value = _ratio(load, capacity)
    return IndicatorResult(
        value=value,
        display=_("%(pct)s of capacity (%(n)s open cases for %(c)s places)")
        % {"pct": _pct(value), "n": load, "c": capacity}
        if value is not None
        else _no_data(),
        numerator=load,
        denominator=capacity,
        columns=[str(c) for c in PEOPLE_COLUMNS],
        rows=_people_rows(people),
        note=_("%(n)s of the open cases wait in department queues, assigned to nobody.")
        % {"n": unassigned},
    )


def compute_overload(scope: Scope) -> IndicatorResult:
    people, _unassigned = workload(scope)
    counted = [p for p in people if p.capacity]
    over = [p for p in counted if p.load >= p.capacity]
    value, display = share(len(over), len(counted))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(over),
        denominator=len(counted),
        columns=[str(c) for c in PEOPLE_COLUMNS],
        rows=_people_rows(sorted(over, key=lambda p: -(p.ratio or 0))),
        note=_("The rows list the people at or over capacity."),
    )


def compute_fairness(scope: Scope) -> IndicatorResult:
    """The share of the assigned open cases that would have to change hands for every team of
    two or more people to carry them in proportion to capacity (core.figures.cases_to_move). A
    coefficient of variation read 1.00 for any two-person team where one person had nothing,
    whether the other held one case or thirty (issue 14, item 4)."""
    people, _unassigned = workload(scope)
    teams: dict[tuple[str, str], list[Person]] = {}
    for p in people:
        if p.capacity:
            teams.setdefault((p.administration, p.department), []).append(p)
    rows, moved, held, judged = [], 0, 0, 0
    for (admin_name, department), members in sorted(teams.items()):
        load = sum(p.load for p in members)
        if len(members) < 2:
            rows.append([department, admin_name, 1, load, "—", "—"])
            continue
        move = cases_to_move([p.load for p in members], [p.capacity for p in members])
        judged, moved, held = judged + 1, moved + move, held + load
        rows.append(
            [department, admin_name, len(members), load, move]
            + [percent(_ratio(move, load), unit="%") if load else "—"]
        )
    value = (moved / held if held else 0.0) if judged else None
    return IndicatorResult(
        value=value,
        display=ngettext(
            "%(pct)s of the assigned cases (%(n)s of %(m)s) would move, in %(t)s team",
            "%(pct)s of the assigned cases (%(n)s of %(m)s) would move, over %(t)s teams",
            judged,
        )
        % {"pct": percent(value, unit="%"), "n": moved, "m": held, "t": judged}
        if value is not None
        else _no_data(),
        numerator=moved,
        denominator=held,
        columns=[
            _("Department"),
            _("Administration"),
            _("People"),
            _("Open cases assigned"),
            _("Cases to move to even out the load"),
            _("Share"),
        ],
        rows=rows,
        note=_("Teams of one person are listed but not judged."),
    )


# I4: hand-offs and staff adoption


def _handoffs(scope: Scope) -> list[tuple[str, str, str, float]]:
    """(receiving department, administration, state, hours) of the hand-offs answered in the last
    90 days (accepted or sent back), in one query."""
    start, end = window(scope, WINDOW_DAYS)
    return [
        (dept, admin_name, state, (decided - created).total_seconds() / 3600.0)
        for dept, admin_name, state, created, decided in Handoff.objects.filter(
            case_id__in=cases_of(scope),
            decided_at__gte=start,
            decided_at__lt=end,
            state__in=[Handoff.State.ACCEPTED, Handoff.State.RETURNED],
        )
        .values_list(
            "to_department__name",
            "case__administration__name",
            "state",
            "created_at",
            "decided_at",
        )
        .order_by()
    ]


def _pending_handoffs(scope: Scope) -> list[tuple[str, str, str, float]]:
    """(receiving department, administration, "pending", hours waited so far) of the hand-offs
    nobody has answered yet, however old, as of the end of the scope's day (or now, today)."""
    _start, end = window(scope, WINDOW_DAYS)
    until = min(end, timezone.now())
    return [
        (dept, admin_name, state, max((until - created).total_seconds(), 0.0) / 3600.0)
        for dept, admin_name, state, created in Handoff.objects.filter(
            case_id__in=cases_of(scope),
            state=Handoff.State.PENDING,
            created_at__lt=until,
        )
        .values_list("to_department__name", "case__administration__name", "state", "created_at")
        .order_by()
    ]


def _handoff_rows(handoffs) -> list[list]:
    by_dept: dict[tuple[str, str], list] = {}
    for dept, admin_name, state, hours in handoffs:
        by_dept.setdefault((admin_name, dept or "—"), []).append((state, hours))
    rows = []
    for (admin_name, dept), items in sorted(by_dept.items()):
        pending = sum(1 for s, _h in items if s == Handoff.State.PENDING)
        returned = sum(1 for s, _h in items if s == Handoff.State.RETURNED)
        answered = len(items) - pending
        rows.append(
            [dept, admin_name, len(items), _fmt(median([h for _s, h in items]))]
            + [pending, returned, _pct(returned / answered) if answered else "—"]
        )
    return rows


HANDOFF_COLUMNS = (
    gettext_lazy("Receiving department"),
    gettext_lazy("Administration"),
    gettext_lazy("Hand-offs"),
    gettext_lazy("Median hours to answer"),
    gettext_lazy("Still pending"),
    gettext_lazy("Sent back"),
    gettext_lazy("Bounce-back rate"),
)


def compute_handoff_turnaround(scope: Scope) -> IndicatorResult:
    """Answered hand-offs with their time to answer, and pending ones with the time they have
    waited so far: leaving the pending out hid the slowest (issue 14, item 7)."""
    pending = _pending_handoffs(scope)
    handoffs = _handoffs(scope) + pending
    value = median([h for *_rest, h in handoffs])
    return IndicatorResult(
        value=value,
        display=_("median %(m)s hours (%(n)s hand-offs, %(p)s still pending)")
        % {"m": _fmt(value), "n": len(handoffs), "p": len(pending)}
        if value is not None
        else _no_data(),
        numerator=value,
        denominator=len(handoffs),
        columns=[str(c) for c in HANDOFF_COLUMNS],
        rows=_handoff_rows(handoffs),
    )


def compute_bounce_backs(scope: Scope) -> IndicatorResult:
    handoffs = _handoffs(scope)
    returned = sum(1 for _d, _a, s, _h in handoffs if s == Handoff.State.RETURNED)
    value, display = share(returned, len(handoffs))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=returned,
        denominator=len(handoffs),
        columns=[str(c) for c in HANDOFF_COLUMNS],
        rows=_handoff_rows(handoffs),
    )


def adoption(scope: Scope) -> dict[tuple[str, str], tuple[int, int]]:
    """{(administration, department): (people who carry cases, of them who acted on a case of
    their administration in the last 90 days)} in two queries."""
    start, end = window(scope, WINDOW_DAYS)
    members = set(
        Membership.objects.filter(
            administration_id__in=scope.administration_ids,
            role__in=HANDLERS,
            is_active=True,
            user__is_active=True,
        ).values_list("administration_id", "user_id", "administration__name", "department__name")
    )
    acted = set(
        CaseEvent.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            actor_id__in=sorted({m[1] for m in members}),
            case_id__in=cases_of(scope),
        )
        .values_list("case__administration_id", "actor_id")
        .distinct()
        .order_by()
    )
    out: dict[tuple[str, str], tuple[int, int]] = {}
    seen: set[tuple] = set()
    for admin_id, user_id, admin_name, department in sorted(members, key=str):
        key = (admin_name, department or _("(no department)"))
        if (admin_id, user_id, key) in seen:
            continue
        seen.add((admin_id, user_id, key))
        people, active = out.get(key, (0, 0))
        out[key] = (people + 1, active + ((admin_id, user_id) in acted))
    return out


def compute_adoption(scope: Scope) -> IndicatorResult:
    data = adoption(scope)
    people = sum(p for p, _a in data.values())
    active = sum(a for _p, a in data.values())
    value, display = share(active, people)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=active,
        denominator=people,
        columns=[
            _("Department"),
            _("Administration"),
            _("People who handle cases"),
            _("Acted on a case in the last 90 days"),
            _("Adoption"),
        ],
        rows=[
            [dept, admin_name, p, a, _pct(_ratio(a, p))]
            for (admin_name, dept), (p, a) in sorted(data.items())
        ],
    )


# T2: accountability. What the administration publishes and promises, judged on its own terms:
# written answers on the public timeline, reasons for the decisions that go against the citizen,
# and the dates it promised. (How fast it acknowledges and resolves is S2's.)

ENDED_STATUSES = (Status.RESOLVED, Status.REFUSED, Status.CLOSED)


def _by_service_rows(rows: list[dict], hit: str, total: str) -> list[list]:
    return [
        [r["service__name"], r["administration__name"], r[total], r[hit]]
        + [_pct(_ratio(r[hit], r[total]))]
        for r in rows
    ]


def compute_public_answers(scope: Scope) -> IndicatorResult:
    """Cases that ended in the window (resolved, refused, or closed by staff; not withdrawn, not
    merged as duplicates) and whether staff wrote the citizen an answer on the public timeline."""
    start, end = window(scope, WINDOW_DAYS)
    written = CaseEvent.objects.filter(
        case=OuterRef("pk"), is_public=True, actor__isnull=False
    ).filter(
        Q(kind__in=(CaseEvent.Kind.PUBLIC_REPLY, CaseEvent.Kind.DECISION))
        | Q(kind=CaseEvent.Kind.STATUS, text__gt="")
    )
    withdrawn = CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.WITHDRAWN)
    rows = list(
        scope_cases(scope)
        .filter(status__in=ENDED_STATUSES)
        .annotate(ended=Coalesce("resolved_at", "closed_at"), answered=Exists(written))
        .filter(ended__gte=start, ended__lt=end)
        .exclude(Exists(withdrawn))
        .values("service__name", "administration__name")
        .annotate(ended_n=Count("id"), answered_n=Count("id", filter=Q(answered=True)))
        .order_by("administration__name", "service__name")
    )
    total = sum(r["ended_n"] for r in rows)
    answered = sum(r["answered_n"] for r in rows)
    value, display = share(answered, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=answered,
        denominator=total,
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases ended"),
            _("With a written public answer"),
            _("Share"),
        ],
        rows=_by_service_rows(rows, "answered_n", "ended_n"),
    )


def compute_decision_reasons(scope: Scope) -> IndicatorResult:
    """Decisions against the citizen in the window (an application refused, a case refused or
    closed by staff while still open) and whether they state their reasons."""
    start, end = window(scope, WINDOW_DAYS)
    refusal = Q(kind=CaseEvent.Kind.DECISION, to_status=Status.REFUSED)
    stopped = Q(
        kind=CaseEvent.Kind.STATUS,
        to_status__in=(Status.REFUSED, Status.CLOSED),
        from_status__in=sorted(OPEN_STATUSES),
        actor__isnull=False,
    )
    reasoned = ~Q(text="") | Q(kind=CaseEvent.Kind.DECISION, case__decision_reasons__gt="")
    rows = list(
        CaseEvent.objects.filter(
            refusal | stopped,
            case_id__in=cases_of(scope),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("case__service__name", "case__administration__name")
        .annotate(decided=Count("id"), reasoned=Count("id", filter=reasoned))
        .order_by("case__administration__name", "case__service__name")
    )
    rows = [
        {
            "service__name": r["case__service__name"],
            "administration__name": r["case__administration__name"],
            "decided": r["decided"],
            "reasoned": r["reasoned"],
        }
        for r in rows
    ]
    total = sum(r["decided"] for r in rows)
    reasoned_n = sum(r["reasoned"] for r in rows)
    value, display = share(reasoned_n, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=reasoned_n,
        denominator=total,
        columns=[
            _("Service"),
            _("Administration"),
            _("Refusals and closures"),
            _("With reasons"),
            _("Share"),
        ],
        rows=_by_service_rows(rows, "reasoned", "decided"),
    )


def promise_window(scope: Scope, days: int = WINDOW_DAYS) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the promises judged: from midnight `days` days before the scope's day up
    to now (the end of the scope's day when it is past). A promise due earlier today and not
    kept is broken already; one due later today is not judged yet (issue 14, item 3)."""
    midnight = dt.datetime.combine(scope.today, dt.time(), tzinfo=scope.zone)
    end = min(timezone.now(), midnight + dt.timedelta(days=1))
    return midnight - dt.timedelta(days=days), end


def compute_promises(scope: Scope) -> IndicatorResult:
    """The dates promised to the citizen (acknowledgement and resolution, each shown on the case)
    that fell due in the window, and whether they were kept; a promise that fell due before the
    window and is still not kept counts as broken too, so a case left open does not drop out of
    the figure by growing old (issue 14, item 3)."""
    start, end = promise_window(scope)
    still_open = Q(status__in=sorted(OPEN_STATUSES))
    ack_due = Q(acknowledge_due_at__gte=start, acknowledge_due_at__lt=end) | Q(
        acknowledge_due_at__lt=start,
        first_public_response_at__isnull=True,
        status__in=sorted(OPEN_STATUSES),
    )
    ack_kept = ack_due & Q(first_public_response_at__lte=F("acknowledge_due_at"))
    # The resolution date moves on while the citizen is asked for information, so a case
    # waiting for the citizen now has no date to judge yet, unless its date had already passed
    # when the question was asked.
    judged = Q(sla_paused_at__isnull=True) | Q(sla_paused_at__gt=F("resolve_due_at"))
    res_due = (
        Q(resolve_due_at__gte=start, resolve_due_at__lt=end)
        | (Q(resolve_due_at__lt=start) & still_open)
    ) & judged
    res_kept = res_due & Q(ended__lte=F("resolve_due_at"))
    rows = list(
        scope_cases(scope)
        .annotate(ended=Coalesce("resolved_at", "closed_at"))
        .filter(ack_due | res_due)
        .values("service__name", "administration__name")
        .annotate(
            ack=Count("id", filter=ack_due),
            ack_kept=Count("id", filter=ack_kept),
            res=Count("id", filter=res_due),
            res_kept=Count("id", filter=res_kept),
        )
        .order_by("administration__name", "service__name")
    )
    promised = sum(r["ack"] + r["res"] for r in rows)
    kept = sum(r["ack_kept"] + r["res_kept"] for r in rows)
    value, display = share(kept, promised)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=kept,
        denominator=promised,
        columns=[
            _("Service"),
            _("Administration"),
            _("Acknowledgements due"),
            _("Acknowledged in time"),
            _("Resolutions due"),
            _("Resolved in time"),
            _("Promises kept"),
        ],
        rows=[
            [r["service__name"], r["administration__name"], r["ack"], r["ack_kept"]]
            + [r["res"], r["res_kept"]]
            + [_pct(_ratio(r["ack_kept"] + r["res_kept"], r["ack"] + r["res"]))]
            for r in rows
        ],
    )


# T4: information requests per service and field; satisfaction


def _info_requests(scope: Scope, days: int = WINDOW_DAYS) -> list[tuple]:
    """(service id, field code, requests) of the information requests of the window."""
    start, end = window(scope, days)
    return list(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.INFO_REQUESTED,
            created_at__gte=start,
            created_at__lt=end,
            case_id__in=cases_of(scope),
        )
        .values_list("case__service_id", "field_code")
        .annotate(n=Count("id"))
        .order_by()
    )


def field_label(code: str) -> str:
    """What a request asked for, in words (question codes as they are: rows name the service)."""
    return asked_label(code, {}) if code else _("(no field named)")


def compute_info_rate(scope: Scope) -> IndicatorResult:
    rows = list(
        _recent(scope)
        .filter(handled())
        .values("service_id", "service__name", "administration__name")
        .annotate(total=Count("id"), asked=Count("id", filter=Q(info_requests__gt=0)))
        .order_by("administration__name", "service__name")
    )
    fields: dict[int, Counter] = {}
    for service_id, code, n in _info_requests(scope):
        fields.setdefault(service_id, Counter())[code] += n
    total = sum(r["total"] for r in rows)
    asked = sum(r["asked"] for r in rows)
    value, display = share(asked, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=asked,
        denominator=total,
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases staff have opened"),
            _("Cases with an information request"),
            _("Rate"),
            _("Fields asked for most"),
        ],
        rows=[
            [r["service__name"], r["administration__name"], r["total"], r["asked"]]
            + [_pct(_ratio(r["asked"], r["total"]))]
            + [
                "; ".join(
                    f"{field_label(c)} ({n})"
                    for c, n in sorted(
                        fields.get(r["service_id"], Counter()).items(), key=lambda i: (-i[1], i[0])
                    )[:3]
                )
            ]
            for r in rows
        ],
    )


def compute_satisfaction(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    rows = list(
        Rating.objects.filter(
            case_id__in=cases_of(scope),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("case__service__name", "case__administration__name")
        .annotate(n=Count("id"), total=Sum("score"), good=Count("id", filter=Q(score__gte=4)))
        .order_by("case__administration__name", "case__service__name")
    )
    n = sum(r["n"] for r in rows)
    value = _ratio(sum(r["total"] for r in rows), n)
    good = _ratio(sum(r["good"] for r in rows), n)
    return IndicatorResult(
        value=value,
        display=_("mean %(m)s of 5, %(g)s gave 4 or 5 (%(n)s ratings)")
        % {"m": _fmt(value), "g": _pct(good), "n": n}
        if value is not None
        else _no_data(),
        numerator=value,
        denominator=n,
        columns=[_("Service"), _("Administration"), _("Ratings"), _("Mean"), _("4 or 5")],
        rows=[
            [r["case__service__name"], r["case__administration__name"], r["n"]]
            + [_fmt(r["total"] / r["n"]), _pct(r["good"] / r["n"])]
            for r in rows
        ],
        note=_(
            "What staff expect (the staff survey's statement on residents' satisfaction) is set "
            "beside the ratings on the dashboards' satisfaction gap."
        ),
    )


# S1: cost per case by channel


def costs(scope: Scope) -> dict[str, tuple[int, int, float]]:
    """{channel: (cases, minutes, euros)} of the time logged in the last 90 days (one query)."""
    start, end = window(scope, WINDOW_DAYS)
    rows = (
        TimeLog.objects.filter(
            case_id__in=cases_of(scope),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("channel")
        .annotate(
            cases=Count("case_id", distinct=True),
            logged=Sum("minutes"),
            cost=Sum(
                ExpressionWrapper(
                    F("minutes") * F("case__service__hourly_cost"), output_field=FloatField()
                )
            ),
        )
        .order_by()
    )
    return {r["channel"]: (r["cases"], r["logged"], float(r["cost"] or 0) / 60.0) for r in rows}


def compute_cost(scope: Scope) -> IndicatorResult:
    data = costs(scope)
    cases = sum(c for c, _m, _e in data.values())
    euros = sum(e for _c, _m, e in data.values())
    value = _ratio(euros, cases)
    counter = data.get(Channel.COUNTER)
    counter_cost = counter[2] / counter[0] if counter and counter[0] else None
    rows = []
    for channel in Channel.values:
        c, m, e = data.get(channel, (0, 0, 0.0))
        per_case = _ratio(e, c)
        saving = _fmt(counter_cost - per_case, 2) if per_case is not None and counter_cost else "—"
        rows.append([Channel(channel).label, c, _fmt(_ratio(m, c), 0), _fmt(per_case, 2), saving])
    return IndicatorResult(
        value=value,
        display=_("%(e)s EUR per case (%(n)s cases with logged time)")
        % {"e": _fmt(value, 2), "n": cases}
        if value is not None
        else _no_data(),
        numerator=euros,
        denominator=cases,
        columns=[
            _("Channel"),
            _("Cases with logged time"),
            _("Minutes per case"),
            _("EUR per case"),
            _("EUR saved per case against the counter"),
        ],
        rows=rows,
    )


# S3: burden per service and year; assisted share


def burden(scope: Scope) -> list[dict]:
    """Per service, over the cases filed in the last 365 days (one query): cases, information
    requests, staff minutes logged on them, and the service's citizen minutes."""
    start, end = window(scope, YEAR_DAYS)
    return list(
        scope_cases(scope)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .values("service__name", "administration__name", "service__citizen_minutes")
        .annotate(cases=Count("id"), loops=Sum("info_requests"), staff=Sum("staff_minutes"))
        .order_by("administration__name", "service__name")
    )


def compute_burden(scope: Scope) -> IndicatorResult:
    rows = burden(scope)
    out, citizens, staff = [], 0.0, 0.0
    for r in rows:
        minutes = r["service__citizen_minutes"] or 0
        c_hours = minutes * (r["cases"] + (r["loops"] or 0)) / 60.0
        s_hours = (r["staff"] or 0) / 60.0
        citizens += c_hours
        staff += s_hours
        out.append(
            [r["service__name"], r["administration__name"], r["cases"], r["loops"] or 0]
            + [_fmt(c_hours, 0), _fmt(s_hours, 0), _fmt(c_hours + s_hours, 0)]
        )
    value = citizens + staff if rows else None
    return IndicatorResult(
        value=value,
        display=_("%(t)s hours a year: %(c)s for citizens, %(s)s for staff")
        % {"t": _fmt(value, 0), "c": _fmt(citizens, 0), "s": _fmt(staff, 0)}
        if value is not None
        else _no_data(),
        numerator=value,
        denominator=sum(r["cases"] for r in rows),
        columns=[
            _("Service"),
            _("Administration"),
            _("Cases"),
            _("Information-request loops"),
            _("Citizen hours"),
            _("Staff hours"),
            _("Total hours"),
        ],
        rows=out,
    )


def compute_assisted(scope: Scope) -> IndicatorResult:
    rows = list(
        _recent(scope)
        .values("channel")
        .annotate(total=Count("id"), assisted=Count("id", filter=Q(filed_by__isnull=False)))
        .order_by()
    )
    by_channel = {r["channel"]: (r["total"], r["assisted"]) for r in rows}
    total = sum(t for t, _a in by_channel.values())
    assisted = sum(a for _t, a in by_channel.values())
    value, display = share(assisted, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=assisted,
        denominator=total,
        columns=[_("Channel"), _("Cases"), _("Filed by staff for the citizen")],
        rows=[[Channel(c).label, *by_channel.get(c, (0, 0))] for c in Channel.values],
    )


# S4: what staff ask for that the form has no field for


def compute_missing_fields(scope: Scope) -> IndicatorResult:
    start, end = window(scope, WINDOW_DAYS)
    requests = list(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.INFO_REQUESTED,
            created_at__gte=start,
            created_at__lt=end,
            case_id__in=cases_of(scope),
        )
        .values_list("case__service__name", "case__administration__name", "field_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = sum(r[3] for r in requests)
    lacking = [r for r in requests if lacks_a_field(r[2])]
    value, display = share(sum(r[3] for r in lacking), total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=sum(r[3] for r in lacking),
        denominator=total,
        columns=[_("Service"), _("Administration"), _("Asked for"), _("Requests")],
        rows=sorted(
            ([name, admin_name, field_label(c), n] for name, admin_name, c, n in lacking),
            key=lambda r: (-r[3], r[1], r[0], r[2]),
        ),
        note=_("The rows list what staff asked for that the service's form has no field for."),
    )


INDICATORS: list[Indicator] = [
    Indicator(
        key="cases-d1-interactions",
        cell="D1",
        title=gettext_lazy("Interactions and distinct participants in the last 30 days"),
        method=gettext_lazy(
            "Interactions are cases filed (any channel), 'me too' follows, ratings and answers to "
            "information requests in the last 30 days; participants (the denominator) count each "
            "signed-in person once and anonymous filers by e-mail. Rows: cases by channel."
        ),
        unit="interactions",
        compute=compute_interactions,
        app="cases",
        better=None,
        headline=True,
        period_days=D1_DAYS,
    ),
    Indicator(
        key="cases-d2-complete",
        cell="D2",
        title=gettext_lazy("Cases handled as filed"),
        method=gettext_lazy(
            "Of the cases filed in the last 90 days that staff have opened (past 'submitted', "
            "not withdrawn unopened), the share that could be handled as filed: staff asked the "
            "citizen for nothing, did not move the case to another department (an accepted "
            "hand-off), and did not mark it as a duplicate. Cases nobody has opened yet are "
            "left out; forms already refuse invalid answers."
        ),
        unit="share",
        compute=compute_complete,
        app="cases",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-d2-duplicates",
        cell="D2",
        title=gettext_lazy("Duplicate rate"),
        method=gettext_lazy(
            "Share of cases filed in the last 90 days marked as a duplicate (status duplicate or "
            "linked to an earlier case)."
        ),
        unit="share",
        compute=compute_duplicates,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s2-form-time",
        cell="S2",
        title=gettext_lazy("Citizen time on the form"),
        method=gettext_lazy(
            "Median seconds between opening and submitting the form, for cases filed in the last "
            "90 days that recorded it, by channel, with the previous 90 days for the trend."
        ),
        unit="seconds",
        compute=compute_form_time,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s2-acknowledge",
        cell="S2",
        title=gettext_lazy("Time to acknowledge"),
        method=gettext_lazy(
            "Median hours from submission to acknowledgement of the cases acknowledged in the "
            "last 90 days, against the previous 90 days."
        ),
        unit="hours",
        compute=compute_acknowledge,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s2-resolve",
        cell="S2",
        title=gettext_lazy("Time to resolve"),
        method=gettext_lazy(
            "Median days from submission to resolution of the cases resolved in the last 90 days "
            "and still resolved or closed (not those marked as duplicates or refused, not those "
            "reopened), against the previous 90 days."
        ),
        unit="days",
        compute=compute_resolve,
        app="cases",
        better="lower",
        headline=True,
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-i1-two-way",
        cell="I1",
        title=gettext_lazy("Cases with a two-way exchange"),
        method=gettext_lazy(
            "Share of cases filed in the last 90 days where staff wrote to the citizen in public "
            "(a reply or a request for information) and a citizen wrote back (information "
            "provided) or other residents joined the case with a 'me too'."
        ),
        unit="share",
        compute=compute_two_way,
        app="cases",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-i3-load",
        cell="I3",
        title=gettext_lazy("Load against capacity"),
        method=gettext_lazy(
            "Every open case now, assigned or waiting in a department queue, divided by the sum "
            "of the capacities of the officers and supervisors who carry cases (people with "
            "capacity 0 add none); rows per person, and how many cases wait unassigned."
        ),
        unit="share",
        compute=compute_load,
        app="cases",
        better=None,
    ),
    Indicator(
        key="cases-i3-overload",
        cell="I3",
        title=gettext_lazy("People at or over capacity"),
        method=gettext_lazy(
            "Share of the officers and supervisors with a capacity whose open assigned cases "
            "now reach or pass it."
        ),
        unit="share",
        compute=compute_overload,
        app="cases",
        better="lower",
    ),
    Indicator(
        key="cases-i3-fairness",
        cell="I3",
        title=gettext_lazy("Fairness of the workload"),
        method=gettext_lazy(
            "The share of the open assigned cases that would have to change hands for each "
            "department of two or more people who carry cases to share them in proportion to "
            "capacity, as evenly as whole cases allow (0 when the load is already even). "
            "Unassigned cases, people with capacity 0 and teams of one are left out."
        ),
        unit="share",
        compute=compute_fairness,
        app="cases",
        better="lower",
    ),
    Indicator(
        key="cases-i4-handoff-turnaround",
        cell="I4",
        title=gettext_lazy("Hand-off turnaround"),
        method=gettext_lazy(
            "Median hours between a hand-off to another department and that department's answer "
            "(accepted or sent back), over the hand-offs answered in the last 90 days and those "
            "still pending, however old, counted with the hours they have waited so far (so the "
            "median is a lower bound while some wait)."
        ),
        unit="hours",
        compute=compute_handoff_turnaround,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-i4-bounce-backs",
        cell="I4",
        title=gettext_lazy("Hand-offs sent back"),
        method=gettext_lazy(
            "Share of the hand-offs answered in the last 90 days that the receiving department "
            "sent back instead of accepting."
        ),
        unit="share",
        compute=compute_bounce_backs,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-i4-adoption",
        cell="I4",
        title=gettext_lazy("Staff adoption per department"),
        method=gettext_lazy(
            "Share of the active officers and supervisors of each department who recorded at "
            "least one action on a case of their administration (any timeline entry they made) "
            "in the last 90 days."
        ),
        unit="share",
        compute=compute_adoption,
        app="cases",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-t2-public-answers",
        cell="T2",
        title=gettext_lazy("Cases closed with a written public answer"),
        method=gettext_lazy(
            "Share of the cases that ended in the last 90 days (resolved, refused, or closed by "
            "staff; withdrawn cases and merged duplicates left out) on whose public timeline "
            "staff wrote the citizen an answer: a reply, a note with a change of status, or a "
            "decision on an application."
        ),
        unit="share",
        compute=compute_public_answers,
        app="cases",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-t2-decision-reasons",
        cell="T2",
        title=gettext_lazy("Refusals and closures that state their reasons"),
        method=gettext_lazy(
            "Share of the decisions against the citizen taken in the last 90 days (an "
            "application refused, a case refused or closed by staff while still open) that "
            "state their reasons to the citizen, as Italian law asks of every administrative "
            "decision (L. 241/1990, art. 3)."
        ),
        unit="share",
        compute=compute_decision_reasons,
        app="cases",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-t2-promises-kept",
        cell="T2",
        title=gettext_lazy("Public promises kept"),
        method=gettext_lazy(
            "Of the dates promised to citizens on their cases (to acknowledge, to resolve) that "
            "fell due in the 90 days before today or earlier today, the share that was kept: "
            "acknowledged by a first public answer, resolved or closed by the date. A promise "
            "that fell due earlier and is still not kept (the case still open) counts as broken. "
            "The resolution date moves on by the time spent waiting for the citizen: a case "
            "waiting now is not judged, unless its date had passed before the citizen was asked. "
            "Promises due later today are not judged yet."
        ),
        unit="share",
        compute=compute_promises,
        app="cases",
        better="higher",
        headline=True,
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-t4-info-requests",
        cell="T4",
        title=gettext_lazy("Information requests per service and field"),
        method=gettext_lazy(
            "Of the cases filed in the last 90 days that staff have opened (past 'submitted', not "
            "withdrawn unopened), the share for which staff had to ask the citizen for missing "
            "information; the rows name, per service, the form fields (or other needs) the "
            "requests of the same 90 days named most."
        ),
        unit="share",
        compute=compute_info_rate,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-t4-satisfaction",
        cell="T4",
        title=gettext_lazy("Satisfaction from ratings"),
        method=gettext_lazy(
            "Mean score (1 to 5) of the ratings citizens gave in the last 90 days, with the share "
            "of 4 and 5, per service."
        ),
        unit="score",
        compute=compute_satisfaction,
        app="cases",
        better="higher",
        headline=True,
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s1-cost-per-case",
        cell="S1",
        title=gettext_lazy("Cost per case by channel"),
        method=gettext_lazy(
            "Minutes of staff time logged in the last 90 days times the service's hourly cost, "
            "divided by the number of cases they were logged on, per channel; the saving "
            "compares each channel with the counter."
        ),
        unit="EUR",
        compute=compute_cost,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s3-burden",
        cell="S3",
        title=gettext_lazy("Administrative burden per year"),
        method=gettext_lazy(
            "Over the cases filed in the last 365 days, per service: citizens' hours are the "
            "service's citizen minutes times (cases + information-request loops, each loop a "
            "new pass over the form); staff hours are the minutes logged on those cases."
        ),
        unit="hours",
        compute=compute_burden,
        app="cases",
        better="lower",
        period_days=YEAR_DAYS,
    ),
    Indicator(
        key="cases-s3-assisted",
        cell="S3",
        title=gettext_lazy("Assisted-digital share"),
        method=gettext_lazy(
            "Share of the cases filed in the last 90 days that an officer filed on the "
            "citizen's behalf (at a counter, on the phone or from an e-mail), by channel."
        ),
        unit="share",
        compute=compute_assisted,
        app="cases",
        better=None,
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="cases-s4-missing-fields",
        cell="S4",
        title=gettext_lazy("What staff ask for that the form lacks"),
        method=gettext_lazy(
            "Share of the information requests of the last 90 days that asked for something "
            "the service's form has no field for (a named other need, or a document); the rows "
            "list those needs per service."
        ),
        unit="share",
        compute=compute_missing_fields,
        app="cases",
        better="lower",
        period_days=WINDOW_DAYS,
    ),
]
