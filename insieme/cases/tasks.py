"""Background tasks of cases (started with `insieme.core.tasks.enqueue`)."""

from __future__ import annotations

from insieme.celery import app
from insieme.core.tasks import parse_moment


@app.task(name="insieme.cases.tasks.sla_tick")
def sla_tick(now: str | None = None) -> dict[str, int]:
    """Mark open cases due soon and overdue, escalate and notify (handling.sla.sla_tick); `now` is an
    ISO date-time for a controlled clock, else the current time. Runs every few minutes (beat)."""
    from insieme.cases.handling import sla as handling_sla

    return handling_sla.sla_tick(now=parse_moment(now))
