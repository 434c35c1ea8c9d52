"""The insights app's background work: the Scorecard's snapshots, kept fresh."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.insights.tasks.refresh_scorecards")
def refresh_scorecards() -> int:
    """Every default scope's Scorecard computed again in every language (a few minutes apart,
    by the beat schedule), so that pages read a snapshot. Answers how many were stored."""
    from insieme.insights import snapshots

    if snapshots.max_age() <= 0:
        return 0
    return snapshots.refresh()
