"""The Celery application: background tasks and the periodic jobs (beat).

Configured from Django settings, every `CELERY_*` name (see insieme/settings.py and
docs/configuration.md). With no broker configured, `task_always_eager` is on: tasks run in this
process, so the laptop default needs no service. With `INSIEME_BROKER_URL` (Redis or RabbitMQ)
they go to the broker and `insieme worker` runs them, with the beat scheduler embedded.

Tasks are sent through `insieme.core.tasks.enqueue`, which waits for the transaction to commit.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insieme.settings")

app = Celery("insieme")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
