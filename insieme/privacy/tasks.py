"""Background tasks of data protection (Celery beat: `privacy-scan`, `privacy-retention`; see
settings)."""

from __future__ import annotations

from insieme.celery import app


@app.task(name="insieme.privacy.tasks.scan_all")
def scan_all(since_hours: float | None = None) -> int:
    """Scan every administration's stored free text for personal data; with `since_hours`, only
    rows written in that many hours before now. Returns how many findings were opened (new or
    reopened)."""
    import datetime as dt

    from django.utils import timezone

    from insieme.privacy import scanner

    since = timezone.now() - dt.timedelta(hours=since_hours) if since_hours else None
    results = scanner.scan(since=since)
    return sum(c[scanner.NEW] + c[scanner.REOPENED] for c in results.values())


@app.task(name="insieme.privacy.tasks.retention_all")
def retention_all() -> int:
    """Anonymise, in every administration with a policy, the closed records whose retention
    period has passed. Returns how many records were anonymised."""
    from insieme.privacy import retention

    runs = retention.run_all()
    return sum(run.counts.get(kind, 0) for run in runs for kind in retention.KINDS)
