"""The Scorecard's indicators computed ahead of the page: stored results per scope, day and
language, refreshed by the background worker, so that opening the Scorecard reads one row
instead of running every indicator's queries over the raw records (issue 14, speed at scale).

A page uses a snapshot computed at most `INSIEME_SCORECARD_MAX_AGE` seconds ago for the same
administrations, day and language; otherwise it computes the indicators itself and stores them
for the next reader. Where a background worker runs (a broker is configured), a page that asks
for today's figures and finds only an older snapshot (late, or yesterday's just after midnight)
shows it, saying when it was computed, and asks the worker to compute that scope again: at a
million cases a region's seventeen cells take over a minute, longer than a request may wait.
Only a scope never computed before is computed by the page itself. The worker refreshes the
scopes people open by default (each administration alone, and a host with everything it hosts)
every few minutes, in every language, so those pages are always served from a snapshot. With a maximum age of 0 nothing is
stored and every page computes (the tests' default, so that a test sees its own writes).

Stored: each indicator's result (the values, the texts as shown in that language, the first rows
behind them that a page shows, and how many there are), the previous period's value and text,
and whether it failed. Not stored: statuses (judged against
the administration's thresholds when the page is drawn, so a changed threshold shows at once)
and what the surveys report (read live; small tables). The payload is JSON, never pickled.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from insieme.core.figures import Figure
from insieme.core.registry import IndicatorResult, Scope, indicators

logger = logging.getLogger(__name__)

# The results a snapshot holds: indicator key -> (result, previous, failed).
Results = dict[str, tuple[IndicatorResult | None, IndicatorResult | None, bool]]


def max_age() -> int:
    return int(getattr(settings, "INSIEME_SCORECARD_MAX_AGE", 900))


def key_for(scope: Scope, language: str) -> str:
    """One snapshot per set of administrations, day, time zone and language."""
    ids = ",".join(str(i) for i in sorted(scope.administration_ids))
    text = f"{ids}|{scope.today.isoformat()}|{scope.time_zone}|{language}"
    return hashlib.sha256(text.encode()).hexdigest()


# --- the payload: IndicatorResults as JSON, with the types their rows hold -------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Figure):
        return {"$f": [str(value), str(value.number)]}
    if isinstance(value, str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return str(value)  # anything else is shown as its text


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "$f" in value:
            text, number = value["$f"]
            return Figure(text, Decimal(number))
        if "$n" in value:
            return Decimal(value["$n"])
        if "$t" in value:
            return datetime.fromisoformat(value["$t"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
    return value


def encode_result(result: IndicatorResult | None, rows: int | None = None) -> dict | None:
    """`result` as JSON, with its first `rows` rows only when given (and how many it has)."""
    if result is None:
        return None
    kept = result.rows if rows is None else result.rows[:rows]
    return {
        "value": result.value,
        "display": _encode(result.display),
        "numerator": _encode(result.numerator),
        "denominator": _encode(result.denominator),
        "columns": [_encode(c) for c in result.columns],
        "rows": [_encode(list(r)) for r in kept],
        "note": _encode(result.note),
        "row_count": len(result.rows) if result.row_count is None else result.row_count,
    }


def decode_result(data: dict | None) -> IndicatorResult | None:
    if data is None:
        return None
    return IndicatorResult(
        value=data["value"],
        display=_decode(data["display"]),
        numerator=_decode(data["numerator"]),
        denominator=_decode(data["denominator"]),
        columns=[_decode(c) for c in data["columns"]],
        rows=[_decode(r) for r in data["rows"]],
        note=_decode(data["note"]),
        row_count=data["row_count"] if data["row_count"] != len(data["rows"]) else None,
    )


# --- reading and writing -----------------------------------------------------------------------


@dataclass
class Computed:
    results: Results
    computed_at: datetime
    seconds: float  # how long computing them took
    from_snapshot: bool
    day: date | None = None  # the day the figures are as of
    stale: bool = False  # older than the maximum age; the worker is computing them again


def worker_refreshes() -> bool:
    """Whether a background worker takes tasks (a broker is configured): then a late snapshot
    can be shown while the worker computes it again. Without one, tasks run in the process that
    sends them, which is what a page would do anyway."""
    from insieme.celery import app

    return not app.conf.task_always_eager


def refresh_flag(key: str) -> str:
    return f"insieme:scorecard-refresh:{key}"


def queue_refresh(scope: Scope, language: str) -> bool:
    """Ask the worker to compute `scope`'s snapshot in `language`, unless that was asked in the
    last few minutes (the flag goes when the task has run, or expires if it was lost). Answers
    whether a task was sent."""
    from django.core.cache import cache

    from insieme.core.tasks import enqueue
    from insieme.insights.tasks import refresh_scorecard

    if not cache.add(refresh_flag(key_for(scope, language)), 1, timeout=min(max_age(), 600)):
        return False
    enqueue(refresh_scorecard, list(scope.administration_ids), language)
    return True


def compute_all(scope: Scope, items=None) -> Results:
    """Every indicator of `items` (default: all registered) over `scope`."""
    from insieme.core.replica import reading_replica
    from insieme.insights.scorecard import compute

    found: Results = {}
    with reading_replica():  # only reads: a replica may serve them
        for indicator in indicators if items is None else items:
            view = compute(indicator, scope)
            found[indicator.key] = (view.result, view.previous, view.failed)
    return found


def stored(scope: Scope, items=None, *, current: bool = False) -> Computed | None:
    """The results of every indicator of `items` (default: all registered) over `scope` in the
    active language from a snapshot young enough that holds them all; None when there is none.
    `current` says that the caller wants the latest figures rather than those of `scope.today`
    exactly (the Scorecard's page, its API, the home page): with a worker running, a late
    snapshot of today or yesterday is then answered, marked stale, and the worker is asked to
    compute a new one (see the module's docstring)."""
    from insieme.insights.models import Snapshot

    age = max_age()
    if age <= 0:
        return None
    wanted = {i.key for i in (indicators if items is None else items)}
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = key_for(scope, language)
    late_ok = current and worker_refreshes()
    keys = [key]
    if late_ok:
        keys.append(key_for(replace(scope, today=scope.today - timedelta(days=1)), language))
    rows = Snapshot.objects.filter(key__in=keys).only(
        "key", "day", "payload", "computed_at", "seconds"
    )
    if not late_ok:
        rows = rows.filter(computed_at__gte=timezone.now() - timedelta(seconds=age))
    row = rows.order_by("-day").first()  # today's, else yesterday's
    if row is None:
        return None
    decoded = {
        k: (decode_result(v["result"]), decode_result(v["previous"]), v["failed"])
        for k, v in row.payload.items()
        if k in wanted
    }
    if set(decoded) != wanted:  # an indicator added since: they are computed again
        return None
    late = row.key != key or row.computed_at < timezone.now() - timedelta(seconds=age)
    if late:
        queue_refresh(scope, language)
    return Computed(decoded, row.computed_at, row.seconds, True, day=row.day, stale=late)


def results(scope: Scope, items=None, *, fresh: bool = False, current: bool = False) -> Computed:
    """The results of every indicator of `items` (default: all registered) over `scope` in the
    active language: from a snapshot (`stored`, with `current` as it says), else computed now
    (and stored when snapshots are on). `fresh` always computes."""
    items = list(indicators if items is None else items)
    if not fresh:
        found = stored(scope, items, current=current)
        if found is not None:
            return found
    started = time.perf_counter()
    found = compute_all(scope, items)
    seconds = time.perf_counter() - started
    computed_at = timezone.now()
    if max_age() > 0:
        store(
            scope, translation.get_language() or settings.LANGUAGE_CODE, found, computed_at, seconds
        )
    return Computed(found, computed_at, seconds, False, day=scope.today)


def store(scope: Scope, language: str, found: Results, computed_at: datetime, seconds: float):
    from insieme.insights.models import Snapshot
    from insieme.insights.scorecard import ROW_LIMIT

    # The rows a page shows (the CSV computes them all from the records); the previous
    # period's value only.
    payload = {
        k: {
            "result": encode_result(r, ROW_LIMIT),
            "previous": encode_result(p, 0),
            "failed": failed,
        }
        for k, (r, p, failed) in found.items()
    }
    values = {
        "administration_ids": ",".join(str(i) for i in sorted(scope.administration_ids)),
        "day": scope.today,
        "language": language,
        "payload": payload,
        "computed_at": computed_at,
        "seconds": seconds,
    }
    key = key_for(scope, language)
    try:
        with transaction.atomic():
            Snapshot.objects.update_or_create(key=key, defaults=values)
    except IntegrityError:  # another process stored the same snapshot at the same moment
        logger.info("scorecard snapshot stored concurrently; kept the other")
    from django.core.cache import cache

    cache.delete(refresh_flag(key))  # a page finding it late again may ask for another


def default_scopes() -> list[Scope]:
    """The scopes the Scorecard opens on: each administration alone, and each host with all
    the administrations it hosts (what its administrators see by default)."""
    from insieme.core.models import Administration
    from insieme.insights.scorecard import hosted_by, scope_for

    scopes = []
    for admin in Administration.objects.order_by("pk"):
        scopes.append(scope_for(admin, "self", []).scope)
        hosted = hosted_by(admin)
        if hosted:
            scopes.append(scope_for(admin, None, hosted).scope)
    return scopes


def compute_and_store(scope: Scope, language: str) -> None:
    """Every indicator over `scope` computed in `language` and stored as its snapshot."""
    with translation.override(language):
        started = time.perf_counter()
        found = compute_all(scope)
        store(scope, language, found, timezone.now(), time.perf_counter() - started)


def refresh(scopes: list[Scope] | None = None) -> int:
    """Compute and store the snapshots of `scopes` (default: default_scopes()) in every
    language; forget snapshots of days before yesterday. Answers how many were stored."""
    from insieme.insights.models import Snapshot

    stored = 0
    for scope in scopes if scopes is not None else default_scopes():
        for language, _name in settings.LANGUAGES:
            compute_and_store(scope, language)
            stored += 1
    Snapshot.objects.filter(day__lt=timezone.localdate() - timedelta(days=1)).delete()
    return stored
