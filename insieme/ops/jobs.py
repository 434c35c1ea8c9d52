"""The last successful run of each periodic job that /metrics watches (ops.JobRun)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

SLA_TICK = "sla_tick"
# The Celery task whose success counts as a run of each job.
TASK_JOBS = {"insieme.cases.tasks.sla_tick": SLA_TICK}


def record_success(name: str, at: dt.datetime | None = None) -> None:
    from insieme.ops.models import JobRun

    JobRun.objects.update_or_create(name=name, defaults={"last_success_at": at or timezone.now()})


def last_success(name: str) -> dt.datetime | None:
    from insieme.ops.models import JobRun

    return JobRun.objects.filter(name=name).values_list("last_success_at", flat=True).first()
