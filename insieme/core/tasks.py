"""Background tasks of core (see insieme.cases.tasks for how tasks run)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.core.tasks.refresh_db_statistics")
def refresh_db_statistics() -> None:
    """Keep the planner's statistics current as tables grow (hourly, beat)."""
    from insieme.core import dbstats

    dbstats.refresh()
