"""Background task of open data (Celery beat: `opendata-publish`, daily; see settings)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.opendata.tasks.publish_all")
def publish_all() -> int:
    """Regenerate every dataset of every administration; returns how many versions are current."""
    from insieme.opendata import publish

    return len(publish.publish_all())
