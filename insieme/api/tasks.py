"""Background tasks of the REST API (see insieme.core.tasks for how tasks run)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.api.tasks.purge_idempotency")
def purge_idempotency() -> int:
    """Forget idempotency records past their lifetime (hourly, beat); returns how many."""
    from insieme.api.idempotency import purge_expired

    return purge_expired()
