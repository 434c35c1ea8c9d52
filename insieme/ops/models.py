from django.db import models


class JobRun(models.Model):
    """When a periodic job last finished without error: one row per job, written by whichever
    process ran it (the Celery worker, or `insieme sla_tick` from cron) and read by any web
    process at scrape time (the SLA job's lag in /metrics). A row in the database rather than a
    cache key, because the laptop's cache is per process and a cache may drop keys."""

    name = models.CharField(max_length=100, primary_key=True)
    last_success_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_success_at.isoformat()}"
