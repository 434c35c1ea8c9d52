"""The dashboards' background work: the rollups kept up with the cases."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.dashboards.tasks.refresh_rollups")
def refresh_rollups() -> int:
    """Every administration's rollups brought up to date (every minute, by the beat schedule),
    so that a dashboard page finds little or nothing left to read. Answers how many cases it
    read."""
    from insieme.core.models import Administration
    from insieme.dashboards import rollups

    return rollups.catch_up(Administration.objects.values_list("pk", flat=True))
