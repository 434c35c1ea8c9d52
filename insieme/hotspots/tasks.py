"""Background task of hotspots (started by Celery beat: `hotspots-compute`, nightly; see apps.py)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.hotspots.tasks.compute_all")
def compute_all() -> int:
    """Compute every administration's hotspots again; returns how many runs were stored."""
    from insieme.hotspots import actions

    return len(actions.compute_all(None))
