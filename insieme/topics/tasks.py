"""Background task of the topics (started by Celery beat; see CELERY_BEAT_SCHEDULE:
`topics-compute` nightly)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.topics.tasks.compute_all")
def compute_all() -> int:
    """Compute the topics of every administration that has cases, ideas or comments; returns how
    many runs were stored."""
    from insieme.topics import actions
    from insieme.topics.corpus import administrations_with_text

    count = 0
    for admin in administrations_with_text():
        actions.compute(None, admin)
        count += 1
    return count
