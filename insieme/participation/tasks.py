"""Background tasks of participation (started by Celery beat; see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from insieme.celery import app
from insieme.core.tasks import parse_moment


@app.task(name="insieme.participation.tasks.announce_phases")
def announce_phases(now: str | None = None) -> int:
    """Tell the followers of processes whose phase began that it began (once per phase)."""
    from insieme.participation import actions

    return actions.announce_phases(parse_moment(now))
