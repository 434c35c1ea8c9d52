"""Background tasks of participation (started by Celery beat; see CELERY_BEAT_SCHEDULE:
`participation-phases` hourly, `participation-spam-filters` nightly)."""

from __future__ import annotations

from insieme.celery import app
from insieme.core.tasks import parse_moment


@app.task(name="insieme.participation.tasks.announce_phases")
def announce_phases(now: str | None = None) -> int:
    """Tell the followers of processes whose phase began that it began (once per phase)."""
    from insieme.participation import actions

    return actions.announce_phases(parse_moment(now))


@app.task(name="insieme.participation.tasks.retrain_spam_filters")
def retrain_spam_filters() -> int:
    """Train every administration's spam filter again (nightly); returns how many were stored."""
    from insieme.core.models import Administration
    from insieme.participation import actions

    return sum(
        actions.retrain_spam_filter(None, admin) is not None
        for admin in Administration.objects.order_by("pk")
    )
