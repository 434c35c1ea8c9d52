"""The supervisor's workload view, computed: open cases against capacity per person and team,
overload and SLA alerts, and a fairness figure per team.

Pure reads in a bounded number of grouped queries (memberships, loads per person, totals per
department, alert counts and a few alert cases read per branch of the supervisor's view, the
open cases of overloaded people, skills of their services): the count never grows with the
number of people or cases.

Fairness: the fewest cases that would have to change hands for the team to carry its assigned
cases in proportion to capacity, as evenly as whole cases allow (core.figures.cases_to_move; 0 =
even), shown with the gap between the highest and the lowest load ÷ capacity. It means the same
for a team of two as for a team of twenty, where a coefficient of variation read 1.00 for any
pair with one idle person. People with capacity 0 are left out of it (they are not meant to
carry cases), and a team of one is not judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from insieme.cases.access import count_union, first_ids, staff_case_sets, staff_departments
from insieme.cases.models import OPEN_STATUSES, Case, DueState
from insieme.catalog.models import Service
from insieme.core.figures import cases_to_move
from insieme.core.models import Administration, Department, Membership
from insieme.core.permissions import Perm, roles_with

ALERT_CASES = 10  # overdue / waiting cases listed in the alerts
CASES_PER_PERSON = 5  # cases offered for reassignment per overloaded person
UNASSIGNED_AGE = dt.timedelta(days=1)
_OPEN = sorted(OPEN_STATUSES)


@dataclass
class PersonLoad:
    user_id: int
    membership_id: int
    name: str
    email: str
    role: str
    department_id: int | None
    capacity: int
    load: int = 0
    overdue: int = 0
    due_soon: int = 0
    cases: list[CaseOffer] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """Load ÷ capacity (None for a capacity of 0)."""
        return self.load / self.capacity if self.capacity else None

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)

    @property
    def overloaded(self) -> bool:
        """At or over capacity (a capacity of 0 with any case counts as over)."""
        return self.load >= self.capacity if self.capacity else self.load > 0

    @property
    def room(self) -> int:
        return max(self.capacity - self.load, 0)


@dataclass
class CaseOffer:
    """One of an overloaded person's cases, with the least-loaded colleague who could take it."""

    case: Case
    to: PersonLoad | None


@dataclass
class TeamLoad:
    department_id: int | None
    name: str
    people: list[PersonLoad] = field(default_factory=list)
    open_cases: int = 0  # open cases whose lead department this is
    unassigned: int = 0
    unassigned_old: int = 0  # of those, waiting more than a day
    overdue: int = 0
    due_soon: int = 0

    @property
    def capacity(self) -> int:
        return sum(p.capacity for p in self.people)

    @property
    def load(self) -> int:
        return sum(p.load for p in self.people)

    @property
    def ratios(self) -> list[float]:
        return [p.ratio for p in self.people if p.ratio is not None]

    @property
    def mean_ratio(self) -> float | None:
        r = self.ratios
        return sum(r) / len(r) if r else None

    @property
    def to_move(self) -> int | None:
        """Cases to move to even out the load (None for a team of fewer than two people with
        capacity)."""
        counted = [p for p in self.people if p.capacity]
        if len(counted) < 2:
            return None
        return cases_to_move([p.load for p in counted], [p.capacity for p in counted])

    @property
    def gap(self) -> float | None:
        """Highest minus lowest load/capacity in the team."""
        r = self.ratios
        return max(r) - min(r) if r else None

    @property
    def overloaded(self) -> list[PersonLoad]:
        return [p for p in self.people if p.overloaded]


@dataclass
class Workload:
    teams: list[TeamLoad]
    people: list[PersonLoad]
    overdue_cases: list[Case]
    overdue_total: int
    old_unassigned_cases: list[Case]
    old_unassigned_total: int
    now: dt.datetime

    @property
    def overloaded(self) -> list[PersonLoad]:
        return [p for p in self.people if p.overloaded]

    @property
    def waiting_teams(self) -> list[TeamLoad]:
        """Teams where unassigned cases wait."""
        return [t for t in self.teams if t.unassigned]

    def person(self, user_id: int) -> PersonLoad | None:
        return next((p for p in self.people if p.user_id == user_id), None)


def _people(admin: Administration, departments: set[int] | None) -> list[PersonLoad]:
    """Active case handlers, one row each: a person with several roles here counts once, in the
    department of their largest capacity (the capacity `actions.capacity_of` uses)."""
    qs = Membership.objects.filter(
        administration=admin,
        is_active=True,
        user__is_active=True,
        role__in=roles_with(Perm.CASE_HANDLE),
    ).values_list(
        "pk", "user_id", "user__full_name", "user__email", "role", "department_id", "capacity"
    )
    qs = qs.order_by("-capacity", "pk")
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    people: dict[int, PersonLoad] = {}
    for pk, user_id, name, email, role, dept, cap in qs:
        if user_id not in people:
            people[user_id] = PersonLoad(user_id, pk, name or email, email, role, dept, cap)
    return sorted(people.values(), key=lambda p: (p.name.lower(), p.user_id))


def _fill_loads(admin: Administration, people: list[PersonLoad]) -> None:
    rows = (
        Case.objects.filter(
            administration=admin, status__in=_OPEN, assignee_id__in=[p.user_id for p in people]
        )
        .values("assignee_id")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(due_state=DueState.OVERDUE)),
            due_soon=Count("id", filter=Q(due_state=DueState.DUE_SOON)),
        )
        .order_by()
    )
    by_user = {p.user_id: p for p in people}
    for row in rows:
        person = by_user[row["assignee_id"]]
        person.load, person.overdue, person.due_soon = row["n"], row["overdue"], row["due_soon"]


def _teams(
    admin: Administration, departments: set[int] | None, people: list[PersonLoad], now
) -> list[TeamLoad]:
    depts = Department.objects.filter(administration=admin).order_by("name")
    if departments is not None:
        depts = depts.filter(pk__in=departments)
    teams = {d.pk: TeamLoad(d.pk, d.name) for d in depts}
    for person in people:
        if person.department_id not in teams:  # people without a department, seen by admins
            teams[person.department_id] = TeamLoad(person.department_id, "")
        teams[person.department_id].people.append(person)
    cases = Case.objects.filter(administration=admin, status__in=_OPEN)
    if departments is not None:
        cases = cases.filter(department_id__in=departments)
    unassigned = Q(assignee__isnull=True)
    rows = (
        cases.values("department_id")
        .annotate(
            n=Count("id"),
            unassigned=Count("id", filter=unassigned),
            unassigned_old=Count(
                "id", filter=unassigned & Q(submitted_at__lt=now - UNASSIGNED_AGE)
            ),
            overdue=Count("id", filter=Q(due_state=DueState.OVERDUE)),
            due_soon=Count("id", filter=Q(due_state=DueState.DUE_SOON)),
        )
        .order_by()
    )
    for row in rows:
        team = teams.get(row["department_id"])
        if team is None:
            team = teams[row["department_id"]] = TeamLoad(row["department_id"], "")
        team.open_cases, team.unassigned = row["n"], row["unassigned"]
        team.unassigned_old = row["unassigned_old"]
        team.overdue, team.due_soon = row["overdue"], row["due_soon"]
    return sorted(teams.values(), key=lambda t: (t.department_id is None, t.name.lower()))


def _offers(admin: Administration, people: list[PersonLoad]) -> None:
    """A few cases of each overloaded person (most overdue first) with the least-loaded colleague
    under capacity who could take each: of the case's lead department (else the person's own),
    restricted to those skilled for the service when the service names any among them."""
    overloaded = [p for p in people if p.overloaded]
    if not overloaded:
        return
    # Their open cases through the (assignee, status, due date) index, first due first; the
    # few kept per person are picked here (loads are bounded by people's capacities).
    open_cases = (
        Case.objects.filter(
            administration=admin,
            status__in=_OPEN,
            assignee_id__in=[p.user_id for p in overloaded],
        )
        .select_related("service", "assignee")
        .order_by()
    )
    cases: list[Case] = []
    kept: dict[int, int] = {}
    far = dt.datetime.max.replace(tzinfo=dt.UTC)  # no due date: last
    ordered = sorted(
        open_cases,
        key=lambda c: (c.assignee_id, c.resolve_due_at or far, c.submitted_at, c.pk),
    )
    for case in ordered:
        if kept.get(case.assignee_id, 0) < CASES_PER_PERSON:
            kept[case.assignee_id] = kept.get(case.assignee_id, 0) + 1
            cases.append(case)
    skilled: dict[int, set[int]] = {}
    through = Service.skilled.through
    for service_id, membership_id in through.objects.filter(
        service_id__in={c.service_id for c in cases}
    ).values_list("service_id", "membership_id"):
        skilled.setdefault(service_id, set()).add(membership_id)
    by_user = {p.user_id: p for p in people}
    for case in cases:
        owner = by_user[case.assignee_id]
        team_id = case.department_id or owner.department_id
        colleagues = [
            p
            for p in people
            if p.user_id != owner.user_id and p.department_id == team_id and p.capacity
        ]
        wanted = skilled.get(case.service_id, set())
        if wanted and any(p.membership_id in wanted for p in colleagues):
            colleagues = [p for p in colleagues if p.membership_id in wanted]
        free = [p for p in colleagues if p.load < p.capacity]
        best = min(free, key=lambda p: (p.ratio, p.load, p.membership_id), default=None)
        owner.cases.append(CaseOffer(case, best))


def _alert_cases(querysets, column: str) -> list[Case]:
    ids = first_ids(querysets, column, False, ALERT_CASES)
    rows = Case.objects.filter(pk__in=ids).select_related("service", "assignee", "department")
    by_id = {case.pk: case for case in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def compute(user, admin: Administration, *, now: dt.datetime | None = None) -> Workload:
    """The workload of the departments `user` supervises in `admin` (all of them for a role
    without a department). Callers check WORKLOAD_READ first."""
    now = now or timezone.now()
    departments = staff_departments(user, admin)
    people = _people(admin, departments)
    _fill_loads(admin, people)
    teams = _teams(admin, departments, people, now)
    _offers(admin, people)
    # Each branch of the supervisor's view is read through its own index (see access).
    scope = [qs.filter(status__in=_OPEN) for qs in staff_case_sets(user, admin, Perm.WORKLOAD_READ)]
    overdue = [qs.filter(due_state=DueState.OVERDUE) for qs in scope]
    old = [qs.filter(assignee__isnull=True, submitted_at__lt=now - UNASSIGNED_AGE) for qs in scope]
    return Workload(
        teams=teams,
        people=people,
        overdue_cases=_alert_cases(overdue, "resolve_due_at"),
        overdue_total=count_union(overdue),
        old_unassigned_cases=_alert_cases(old, "submitted_at"),
        old_unassigned_total=count_union(old),
        now=now,
    )
