"""Background task of the forecasts: every administration's forecasts computed again (beat,
once a day; see CELERY_BEAT_SCHEDULE in insieme/settings.py)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.forecasts.tasks.compute_all")
def compute_all() -> int:
    """Compute the forecasts of every administration that has cases; the number computed."""
    from insieme.forecasts.actions import compute, forecastable
    from insieme.forecasts.models import Trigger

    done = 0
    for administration in forecastable():
        compute(administration, trigger=Trigger.WORKER)
        done += 1
    return done
