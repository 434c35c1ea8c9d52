"""The Scorecard's indicators computed ahead of the page: stored results per scope, day and
language, refreshed by the background worker, so that opening the Scorecard reads one row
instead of running every indicator's queries over the raw records (issue 14, speed at scale).

A page uses a snapshot computed at most `INSIEME_SCORECARD_MAX_AGE` seconds ago for the same
administrations, day and language; otherwise it computes the indicators itself and stores them
for the next reader. The worker refreshes the scopes people open by default (each
administration alone, and a host with everything it hosts) every few minutes, in every
language, so those pages are always served from a snapshot. With a maximum age of 0 nothing is
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
from dataclasses import dataclass
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


def results(scope: Scope, items=None, *, fresh: bool = False) -> Computed:
    """The results of every indicator of `items` (default: all registered) over `scope` in the
    active language: from a snapshot young enough that holds them all, else computed now (and
    stored when snapshots are on). `fresh` always computes."""
    from insieme.insights.models import Snapshot

    items = list(indicators if items is None else items)
    wanted = {i.key for i in items}
    age = max_age()
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = key_for(scope, language)
    if age > 0 and not fresh:
        row = (
            Snapshot.objects.filter(
                key=key, computed_at__gte=timezone.now() - timedelta(seconds=age)
            )
            .only("payload", "computed_at", "seconds")
            .first()
        )
        if row is not None:
            payload = row.payload
            decoded = {
                k: (decode_result(v["result"]), decode_result(v["previous"]), v["failed"])
                for k, v in payload.items()
                if k in wanted
            }
            if set(decoded) == wanted:  # an indicator added since: compute them all
                return Computed(decoded, row.computed_at, row.seconds, True)
    started = time.perf_counter()
    found = compute_all(scope, items)
    seconds = time.perf_counter() - started
    computed_at = timezone.now()
    if age > 0:
        store(scope, language, found, computed_at, seconds)
    return Computed(found, computed_at, seconds, False)


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
    try:
        with transaction.atomic():
            Snapshot.objects.update_or_create(key=key_for(scope, language), defaults=values)
    except IntegrityError:  # another process stored the same snapshot at the same moment
        logger.info("scorecard snapshot stored concurrently; kept the other")


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


def refresh(scopes: list[Scope] | None = None) -> int:
    """Compute and store the snapshots of `scopes` (default: default_scopes()) in every
    language; forget snapshots of days before yesterday. Answers how many were stored."""
    from insieme.insights.models import Snapshot

    stored = 0
    for scope in scopes if scopes is not None else default_scopes():
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                started = time.perf_counter()
                found = compute_all(scope)
                store(scope, language, found, timezone.now(), time.perf_counter() - started)
                stored += 1
    Snapshot.objects.filter(day__lt=timezone.localdate() - timedelta(days=1)).delete()
    return stored
