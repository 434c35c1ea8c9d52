"""The rollup of staff time for the cost panel: per case, day and channel of the time entry,
the minutes logged, with the case's administration, service, lead department and channel as
they are now (LoggedDay).

It is kept with the case rollups (insieme.dashboards.rollups): whenever a case is read into
them (new, or changed since the last read: logging time stamps the case), its rows here are
made again from its time logs and compared with those stored; only the differences are
written. A deleted case's rows go with its rolled contribution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from insieme.cases.models import TimeLog
from insieme.dashboards.models import LoggedDay

DIMS = ("administration_id", "service_id", "department_id", "channel")


def _key(row: LoggedDay) -> tuple:
    return (row.case_id, row.day, row.logged_via)


def _values(row: LoggedDay) -> tuple:
    return (row.minutes, *(getattr(row, d) for d in DIMS))


def expected(cases: dict[int, dict], zone) -> dict[tuple, LoggedDay]:
    """The rows these cases ({id: a case row with DIMS}) should have, from their time logs."""
    minutes: dict[tuple, int] = defaultdict(int)
    logs = TimeLog.objects.filter(case_id__in=list(cases)).order_by()
    for case_id, via, spent, at in logs.values_list("case_id", "channel", "minutes", "created_at"):
        minutes[(case_id, at.astimezone(zone).date(), via)] += spent
    rows = {}
    for (case_id, day, via), spent in minutes.items():
        case = cases[case_id]
        rows[(case_id, day, via)] = LoggedDay(
            case_id=case_id,
            day=day,
            logged_via=via,
            minutes=spent,
            administration_id=case["administration_id"],
            service_id=case["service_id"],
            department_id=case["department_id"] or 0,
            channel=case["channel"],
        )
    return rows


def refresh(case_rows: Iterable[dict], zone, *, fresh: bool = False) -> None:
    """Brings these cases' rows in line with their time logs. `fresh`: none is stored yet (a
    rebuild), so nothing is read back or deleted."""
    cases = {r["id"]: r for r in case_rows}
    if not cases:
        return
    want = expected(cases, zone)
    have = {} if fresh else {_key(r): r for r in LoggedDay.objects.filter(case_id__in=list(cases))}
    stale = {k for k, r in have.items() if k not in want or _values(r) != _values(want[k])}
    if stale:
        LoggedDay.objects.filter(pk__in=[have[k].pk for k in stale]).delete()
    new = [r for k, r in want.items() if k not in have or k in stale]
    if new:
        LoggedDay.objects.bulk_create(new, batch_size=500)


def forget(case_ids: Iterable[int]) -> None:
    LoggedDay.objects.filter(case_id__in=list(case_ids)).delete()


def forget_administration(administration_id: int) -> None:
    LoggedDay.objects.filter(administration_id=administration_id).delete()


def expected_values(case_rows: Iterable[dict], zone) -> dict[tuple, tuple]:
    """What expected() gives, as plain values (for check(), a batch at a time)."""
    return {k: _values(r) for k, r in expected({r["id"]: r for r in case_rows}, zone).items()}


def differences(want: dict[tuple, tuple], administration_id: int) -> list[str]:
    """The stored rows of an administration against `want` (expected_values() of all its
    cases): empty when they agree."""
    have = {
        _key(r): _values(r) for r in LoggedDay.objects.filter(administration_id=administration_id)
    }
    return [
        f"time logged {key}: expected {want.get(key)}, rolled up {have.get(key)}"
        for key in sorted(set(want) | set(have), key=str)
        if want.get(key) != have.get(key)
    ]
