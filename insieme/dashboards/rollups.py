"""Rollups of the cases for ten of the dashboards' panels, kept as cases are written (and, with
them, the rollup of logged time the cost panel reads: insieme.dashboards.logged).

Each case contributes, in its administration's time zone and under its current service, lead
department and channel:
- to the day and hour it was filed: one filing, and what it shows now (opened by staff, handled
  as filed, asked for more, a duplicate, its information-request loops and staff minutes);
- once it has ended (resolved, refused, closed or merged as a duplicate: when it was resolved,
  else closed, else last changed): one ending to that day;
- to the days its promises fall due (to acknowledge, to resolve, when judged): one promise due
  and, if it was kept, one kept;
- to the day the citizen rated it, if they did: one rating, its score, and whether it was 4 or
  5, or 1 or 2;
- and, kept only in its RolledCase, its times to acknowledge and to resolve (for the exact
  percentiles of the time panels). `RolledCase` remembers each case's contribution, so a
change is applied as a difference: the old contribution taken back, the new one added.

Changes are found through `Case.updated_at`, which every change of status, routing, service or
rating stamps, and through case ids above the last one read (cases inserted with an earlier time, as a
bulk load does). Cases changed up to MARGIN before the last one read are read again, so that a
transaction that committed late is not missed; reading a case twice changes nothing. A deleted
case takes its contribution back before it goes (a `pre_delete` receiver).

Who keeps them: the background worker every minute (`refresh_rollups`), and each dashboard
page before it reads (`catch_up`), so a page is exact even when the worker is behind; the
first read of an administration builds its rollups from all its cases. Per administration, one
writer at a time: a row lock on PostgreSQL, SQLite's write lock taken at the transaction's start.
A page does not wait for another writer (a first build at a million cases takes minutes): it
counts the cases instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import BooleanField, ExpressionWrapper, QuerySet, Sum
from django.utils import timezone

from insieme.cases.indicators import DUPLICATE, NOT_RESOLVED, handled, handled_as_filed
from insieme.cases.models import OPEN_STATUSES, Case
from insieme.core.models import Administration
from insieme.dashboards import logged
from insieme.dashboards.models import HOURS, CaseDay, RolledCase, RollupState, hour_field

logger = logging.getLogger(__name__)

MARGIN = dt.timedelta(minutes=2)
BATCH = 2000
FIELDS = (
    "id",
    "administration_id",
    "service_id",
    "department_id",
    "channel",
    "status",
    "submitted_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "info_requests",
    "staff_minutes",
    "acknowledge_due_at",
    "resolve_due_at",
    "first_public_response_at",
    "sla_paused_at",
    "acknowledged_at",
    "rating__score",
    "rating__created_at",
)
HOUR_FIELDS = [hour_field(h) for h in HOURS]
# What a case adds to the row of the day it was filed (with its hour), as it is now.
FILING = ("filed", "opened", "as_filed", "asked", "duplicates", "loops", "staff_minutes")
PROMISES = ("ack_due", "ack_kept", "res_due", "res_kept")  # on the day a promise falls due
RATINGS = ("rated", "rating_total", "rating_good", "rating_poor")  # on the day of the rating
# a CaseDay row's figures, in this order
MEASURES = (*FILING, "ended", *PROMISES, *HOUR_FIELDS, *RATINGS)
ENDED = len(FILING)
ACK, RES = ENDED + 1, ENDED + 3
HOUR0 = ENDED + 1 + len(PROMISES)
RATED = HOUR0 + len(HOUR_FIELDS)
ROLLED = (  # a RolledCase's remembered contribution
    "day",
    "hour",
    "service_id",
    "department_id",
    "channel",
    "ended_day",
    "opened",
    "as_filed",
    "asked",
    "duplicate",
    "loops",
    "staff_minutes",
    "ack_due_at",
    "ack_kept",
    "res_due_at",
    "res_kept",
    "ack_at",
    "ack_us",
    "res_at",
    "res_us",
    "rating_day",
    "rating_score",
)

Key = tuple  # (administration_id, day, service_id, department_id, channel)


def zone_of(administration: Administration):
    return zoneinfo.ZoneInfo(administration.timezone or settings.TIME_ZONE)


def cases_to_read(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with what the data-quality panel judges of each, as the Scorecard's D2 and T4
    indicators do (insieme.cases.indicators): opened by staff, handled as filed, a duplicate."""
    flag = {"output_field": BooleanField()}
    return qs.annotate(
        q_opened=ExpressionWrapper(handled(), **flag),
        q_as_filed=ExpressionWrapper(handled_as_filed(), **flag),
        q_duplicate=ExpressionWrapper(DUPLICATE, **flag),
        q_not_resolved=ExpressionWrapper(NOT_RESOLVED, **flag),
    )


def contribution(row: dict, zone) -> RolledCase:
    """What a case (a row of FIELDS and the flags of cases_to_read) adds to the rollups now."""
    filed = row["submitted_at"].astimezone(zone)
    ended_day = None
    if row["status"] not in OPEN_STATUSES:
        ended = row["resolved_at"] or row["closed_at"] or row["updated_at"]
        ended_day = ended.astimezone(zone).date()
    opened = bool(row["q_opened"])
    ack_due, answered = row["acknowledge_due_at"], row["first_public_response_at"]
    res_due, paused = row["resolve_due_at"], row["sla_paused_at"]
    if res_due is not None and paused is not None and paused <= res_due:
        res_due = None  # waiting for the citizen since before its date: not judged
    ended = row["resolved_at"] or row["closed_at"]
    submitted, acknowledged = row["submitted_at"], row["acknowledged_at"]
    resolved = None if row["q_not_resolved"] else row["resolved_at"]
    return RolledCase(
        case_id=row["id"],
        administration_id=row["administration_id"],
        day=filed.date(),
        hour=filed.hour,
        service_id=row["service_id"],
        department_id=row["department_id"] or 0,
        channel=row["channel"],
        ended_day=ended_day,
        opened=opened,
        as_filed=opened and bool(row["q_as_filed"]),
        asked=opened and row["info_requests"] > 0,
        duplicate=bool(row["q_duplicate"]),
        loops=row["info_requests"],
        staff_minutes=row["staff_minutes"],
        ack_due_at=ack_due,
        ack_kept=ack_due is not None and answered is not None and answered <= ack_due,
        res_due_at=res_due,
        res_kept=res_due is not None and ended is not None and ended <= res_due,
        ack_at=acknowledged,
        ack_us=micro(acknowledged - submitted) if acknowledged else None,
        res_at=resolved,
        res_us=micro(resolved - submitted) if resolved else None,
        rating_day=rated.astimezone(zone).date() if (rated := row["rating__created_at"]) else None,
        rating_score=row["rating__score"],
    )


def micro(delta: dt.timedelta) -> int:
    """A duration in whole microseconds (exact, unlike a float of seconds)."""
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _same(a: RolledCase, b: RolledCase) -> bool:
    return all(getattr(a, n) == getattr(b, n) for n in ROLLED)


class Deltas:
    """Changes to CaseDay rows, by key: a list of MEASURES."""

    def __init__(self) -> None:
        self.zones: dict[int, object] = {}  # the administrations', for the days promises fall due
        self.by_key: dict[Key, list[int]] = defaultdict(lambda: [0] * len(MEASURES))

    def add(self, rolled: RolledCase, sign: int) -> None:
        dims = (rolled.service_id, rolled.department_id, rolled.channel)
        filed = self.by_key[(rolled.administration_id, rolled.day, *dims)]
        for i, value in enumerate(
            (
                1,
                rolled.opened,
                rolled.as_filed,
                rolled.asked,
                rolled.duplicate,
                rolled.loops,
                rolled.staff_minutes,
            )
        ):
            filed[i] += sign * int(value)
        filed[HOUR0 + rolled.hour] += sign
        admin = rolled.administration_id
        if rolled.ended_day is not None:
            self.by_key[(admin, rolled.ended_day, *dims)][ENDED] += sign
        for at, kept, i in (
            (rolled.ack_due_at, rolled.ack_kept, ACK),
            (rolled.res_due_at, rolled.res_kept, RES),
        ):
            if at is not None:
                row = self.by_key[(admin, at.astimezone(self.zone(admin)).date(), *dims)]
                row[i] += sign
                row[i + 1] += sign * int(kept)
        if rolled.rating_day is not None:
            row, score = self.by_key[(admin, rolled.rating_day, *dims)], rolled.rating_score
            for i, value in enumerate((1, score, score >= 4, score <= 2)):
                row[RATED + i] += sign * int(value)

    def zone(self, administration_id: int):
        if administration_id not in self.zones:
            self.zones[administration_id] = zone_of(
                Administration.objects.get(pk=administration_id)
            )
        return self.zones[administration_id]

    def apply(self) -> None:
        """Adds the changes to the rows (creating those missing, deleting those left empty)."""
        changes = {k: v for k, v in self.by_key.items() if any(v)}
        if not changes:
            return
        by_admin: dict[int, set[dt.date]] = defaultdict(set)
        for admin_id, day, *_rest in changes:
            by_admin[admin_id].add(day)
        existing: dict[Key, CaseDay] = {}
        for admin_id, days in by_admin.items():
            days = sorted(days)
            for i in range(0, len(days), 500):
                for row in CaseDay.objects.filter(
                    administration_id=admin_id, day__in=days[i : i + 500]
                ):
                    existing[row.key] = row
        created, updated, emptied = [], [], []
        for key, change in changes.items():
            row = existing.get(key)
            if row is None:
                row = CaseDay(
                    administration_id=key[0],
                    day=key[1],
                    service_id=key[2],
                    department_id=key[3],
                    channel=key[4],
                )
                created.append(row)
            for name, value in zip(MEASURES, change, strict=True):
                setattr(row, name, getattr(row, name) + value)
            if row.pk is None:
                continue
            if any(getattr(row, name) for name in MEASURES):
                updated.append(row)
            else:
                emptied.append(row.pk)
        if emptied:
            CaseDay.objects.filter(pk__in=emptied).delete()
        if updated:
            CaseDay.objects.bulk_update(updated, list(MEASURES), batch_size=500)
        if created:
            CaseDay.objects.bulk_create(created, batch_size=500)


def _apply_rows(rows: list[dict], zone, deltas: Deltas | None = None) -> None:
    """Brings the rollups in line with these cases as they are now. With `deltas` (a rebuild:
    no case is rolled up yet), the changes to the day rows are added to it, for the caller to
    apply once, rather than applied."""
    rebuilding = deltas is not None
    old = {} if rebuilding else RolledCase.objects.in_bulk([r["id"] for r in rows])
    deltas = deltas if rebuilding else Deltas()
    created, updated = [], []
    if rows:
        deltas.zones[rows[0]["administration_id"]] = zone
    for row in rows:
        new = contribution(row, zone)
        before = old.get(row["id"])
        if before is not None and _same(before, new):
            continue
        if before is not None:
            deltas.add(before, -1)
            updated.append(new)
        else:
            created.append(new)
        deltas.add(new, +1)
    if not rebuilding:
        deltas.apply()
    if created:
        RolledCase.objects.bulk_create(created, batch_size=500)
    if updated:
        RolledCase.objects.bulk_update(updated, list(ROLLED), batch_size=500)
    logged.refresh(rows, zone, fresh=rebuilding)  # the time logged on them, for the cost panel


def forget(case_ids: Iterable[int]) -> None:
    """Takes back what these cases contributed (they are about to be deleted)."""
    gone = list(RolledCase.objects.filter(case_id__in=list(case_ids)))
    if not gone:
        return
    # One writer per administration: wait for a catch-up under way (it holds this lock).
    admins = sorted({r.administration_id for r in gone})
    list(RollupState.objects.select_for_update().filter(administration_id__in=admins))
    deltas = Deltas()
    for rolled in gone:
        deltas.add(rolled, -1)
    deltas.apply()
    RolledCase.objects.filter(case_id__in=[r.case_id for r in gone]).delete()
    logged.forget([r.case_id for r in gone])


def on_case_deleted(sender, instance, **kwargs) -> None:
    """`pre_delete` receiver for Case (connected in the app's ready())."""
    forget([instance.pk])


def _locked_state(administration: Administration, wait: bool = True) -> RollupState:
    """The administration's state, locked (DatabaseError at once when another holds it and
    `wait` is False; SQLite waits for its write lock up to its busy timeout either way)."""
    locked = RollupState.objects.select_for_update(nowait=not wait)
    state = locked.filter(administration=administration).first()
    if state is None:
        RollupState.objects.get_or_create(administration=administration)
        state = locked.get(administration=administration)
    return state


def _read_changed(administration: Administration, state: RollupState) -> Iterable[list[dict]]:
    """The administration's cases changed since `state` (less MARGIN) or new since, in batches.
    Two queries find their ids, each on its own index (one condition ORed with the other made
    SQLite walk every case of the administration): the cases of every administration stamped
    since (few), and this administration's above the last id read."""
    since = state.watermark - MARGIN
    ids = {
        pk
        for pk, admin_id in Case.objects.filter(updated_at__gte=since)
        .order_by()  # not the cases' default order: it walked every case by submission
        .values_list("pk", "administration_id")
        if admin_id == administration.pk
    }
    ids.update(
        Case.objects.filter(administration=administration, id__gt=state.max_case_id)
        .order_by()
        .values_list("pk", flat=True)
    )
    ordered = sorted(ids)
    for i in range(0, len(ordered), BATCH):
        yield _rows(Case.objects.filter(id__in=ordered[i : i + BATCH]))


def _rows(qs, limit: int | None = None) -> list[dict]:
    """The cases of `qs` by id (the first `limit`), as contribution() reads them."""
    rows = (
        cases_to_read(qs)
        .order_by("id")
        .values(*FIELDS, "q_opened", "q_as_filed", "q_duplicate", "q_not_resolved")
    )
    return list(rows[:limit] if limit else rows)


def _read(qs) -> Iterable[list[dict]]:
    """The cases of `qs` in batches of BATCH, by id."""
    last = 0
    while True:
        rows = _rows(qs.filter(id__gt=last), BATCH)
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["id"]


def catch_up_one(administration: Administration, *, wait: bool = True) -> int:
    """Reads the administration's cases changed since the last time (all of them the first
    time) into its rollups. Answers how many cases it read.

    The new watermark is the newest change read, but never later than when this began: a case
    changed while this read (after its batch) is read again next time."""
    zone = zone_of(administration)
    started = timezone.now()
    read = 0
    with transaction.atomic():
        state = _locked_state(administration, wait)
        before = (state.watermark, state.max_case_id)
        cases = Case.objects.filter(administration=administration)
        rebuild = None  # the day rows of a rebuild, applied once at the end
        if state.watermark is None:
            CaseDay.objects.filter(administration=administration).delete()
            RolledCase.objects.filter(administration_id=administration.pk).delete()
            logged.forget_administration(administration.pk)
            state.rebuilt_at = started
            newest, rebuild = None, Deltas()
            batches = _read(cases)
        else:
            batches = _read_changed(administration, state)
            newest = state.watermark
        for rows in batches:
            read += len(rows)
            _apply_rows(rows, zone, rebuild)
            latest = max(r["updated_at"] for r in rows)
            newest = latest if newest is None else max(newest, latest)
            state.max_case_id = max(state.max_case_id, rows[-1]["id"])
        if rebuild is not None:
            rebuild.apply()
        state.watermark = started if newest is None else min(newest, started)
        if (state.watermark, state.max_case_id) != before:
            state.save()
    return read


def catch_up(administration_ids: Iterable[int]) -> int:
    read = 0
    for administration in Administration.objects.filter(pk__in=list(administration_ids)):
        read += catch_up_one(administration)
    return read


def rebuild(administration_ids: Iterable[int] | None = None) -> int:
    """Forgets the rollups and builds them again from the cases (all administrations by
    default). Answers how many cases it read."""
    admins = Administration.objects.all()
    if administration_ids is not None:
        admins = admins.filter(pk__in=list(administration_ids))
    ids = list(admins.values_list("pk", flat=True))
    RollupState.objects.filter(administration_id__in=ids).update(watermark=None, max_case_id=0)
    return catch_up(ids)


def check(administration: Administration) -> list[str]:
    """The differences between the rollups and the cases counted afresh (empty when they agree):
    what `insieme rollups check` prints and the tests assert."""
    zone = zone_of(administration)
    expected = Deltas()
    expected.zones[administration.pk] = zone
    time_logged: dict[tuple, tuple] = {}
    for rows in _read(Case.objects.filter(administration=administration)):
        time_logged.update(logged.expected_values(rows, zone))
        for row in rows:
            expected.add(contribution(row, zone), +1)
    want = {k: v for k, v in expected.by_key.items() if any(v)}
    have = {
        row.key: [getattr(row, n) for n in MEASURES]
        for row in CaseDay.objects.filter(administration=administration)
    }
    problems = []
    for key in sorted(set(want) | set(have), key=str):
        if want.get(key) != have.get(key):
            problems.append(f"{key}: expected {want.get(key)}, rolled up {have.get(key)}")
    return problems + logged.differences(time_logged, administration.pk)


# Reading them, for the panels


def prepare(filters):
    """The filters, marked `rolled` when the rollups can answer them (brought up to date
    first): not with an area (a case's area is its point, which the rollups do not keep), nor
    when a member administration counts its days in another time zone than the page."""
    if filters.area is not None:
        return filters
    admins = list(Administration.objects.filter(pk__in=filters.scope.administration_ids))
    if any(zone_of(a).key != filters.zone.key for a in admins):
        return filters
    try:
        for administration in admins:
            catch_up_one(administration, wait=False)
    except DatabaseError:
        # Another writer holds an administration's rollups (a first build at a large size
        # takes minutes): this page counts the cases rather than wait for it.
        logger.info("rollups busy: the dashboard counts the cases", exc_info=True)
        return filters
    return dataclasses.replace(filters, rolled=True)


def days(filters) -> QuerySet[CaseDay]:
    """The rollup rows of the filters' administrations, service, department and channel (all
    days). The rollups name these columns as the cases do, so the cases' condition serves
    (never with an area: prepare() leaves those filters unrolled)."""
    return CaseDay.objects.filter(filters.case_q())


def rolled_cases(filters) -> QuerySet[RolledCase]:
    """The cases as rolled up, with the filters' administrations, service, department and
    channel."""
    return RolledCase.objects.filter(filters.case_q())


def by_service(filters, counted_by: str, /, **sums) -> dict[int, dict]:
    """{service id: the `sums` over the period's rows} for the services with cases filed in
    the period (`counted_by` names the sum that counts them)."""
    rows = (
        days(filters)
        .filter(day__gte=filters.first_day, day__lte=filters.last_day)
        .values("service_id")
        .annotate(**sums)
        .order_by()
    )
    return {r["service_id"]: r for r in rows if r[counted_by]}


def per_day(qs, measure: str = "filed") -> dict[dt.date, int]:
    """{day: the measure summed}, days where it is 0 left out."""
    rows = qs.values("day").annotate(n=Sum(measure)).order_by()
    return {r["day"]: r["n"] for r in rows if r["n"]}


def total(qs, measure: str = "filed") -> int:
    return qs.aggregate(n=Sum(measure))["n"] or 0


def per_week(by_day: dict[dt.date, int]) -> dict[dt.date, int]:
    """{Monday: the sum of its days}."""
    weeks: dict[dt.date, int] = defaultdict(int)
    for day, n in by_day.items():
        weeks[day - dt.timedelta(days=day.weekday())] += n
    return dict(weeks)
