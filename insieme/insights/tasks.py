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


@app.task(name="insieme.insights.tasks.refresh_scorecard")
def refresh_scorecard(administration_ids: list[int], language: str) -> bool:
    """One scope's Scorecard computed again in one language, as a page asked when it found only
    a late snapshot (insieme.insights.snapshots.queue_refresh). The first administration is the
    one the figures are for (its day and time zone). Answers whether a snapshot was stored: not
    for ids that are not ids, an administration deleted since, or a language the site does not
    offer."""
    from django.conf import settings

    from insieme.core.models import Administration
    from insieme.core.registry import Scope
    from insieme.insights import snapshots

    try:
        ids = [int(i) for i in administration_ids]
    except (TypeError, ValueError):  # not a list of ids: nothing to compute
        return False
    found = Administration.objects.in_bulk(ids)
    if (
        snapshots.max_age() <= 0
        or not ids
        or len(found) != len(set(ids))
        or language not in dict(settings.LANGUAGES)
    ):
        return False
    members = [found[i] for i in ids]
    scope = Scope.of(members[0], members, label=", ".join(a.name for a in members))
    snapshots.compute_and_store(scope, language)
    return True
