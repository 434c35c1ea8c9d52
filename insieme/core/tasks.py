"""Background tasks: `enqueue`, the one way to start one, and core's own tasks.

A task runs on the broker's worker when a broker is configured (INSIEME_BROKER_URL) and in this
process otherwise (Celery's eager mode); either way only after the write that asked for it has
committed, so a worker never reads data that is not there yet and a rolled-back write starts
nothing. Tasks must be idempotent: a broker may deliver one twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from insieme.celery import app


def enqueue(task, *args, **kwargs) -> None:
    """Start `task(*args, **kwargs)` once the current transaction commits (at once outside one).

    With a broker the task is only sent: the request does not wait for it. Without one it runs
    in-process right after commit. Either way a failure to send or to run is logged and never
    turns the already committed write into an error for the person (a robust on-commit hook).
    Arguments travel as JSON: pass ids and ISO strings, not model instances.
    """

    def send() -> None:
        task.apply_async(args, kwargs)

    send.__qualname__ = f"enqueue({task.name})"  # what the log names if it fails
    transaction.on_commit(send, robust=True)


def parse_moment(value: str | None) -> dt.datetime | None:
    """An ISO 8601 date-time (naive ones are in the site's time zone), or None for "now"."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@app.task(name="insieme.core.tasks.refresh_db_statistics")
def refresh_db_statistics() -> None:
    """Keep the planner's statistics current as tables grow (hourly, beat)."""
    from insieme.core import dbstats

    dbstats.refresh()
