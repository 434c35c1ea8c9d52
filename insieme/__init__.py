"""Insieme: digital co-production of public services."""

# The Celery app (insieme.celery) loads on first use rather than here: importing Celery would add
# a fifth of a second to every `insieme` command. `celery -A insieme` finds insieme.celery itself,
# and the task modules bind to that app explicitly.


def __getattr__(name: str):
    if name == "celery_app":
        from insieme.celery import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
