"""Reads that may come from a read replica (DESIGN.md §3: read replicas for insights and open
data through a database router).

Code that only reads, and may read a few seconds behind the primary, runs inside
`reading_replica()`: the Scorecard's and the dashboards' computations. There, every read goes to
the database alias "replica" when the installation has one (INSIEME_REPLICA_URL); writes always
go to the primary, and so does everything outside the block. Without a replica the router
changes nothing. The replica is never migrated: it is a copy of the primary.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("insieme_reading_replica", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_replica():
    """Reads inside go to the replica, where there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and has_replica():
            return REPLICA
        return None  # the primary, or where the instance of the hints came from

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen through two aliases: rows read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
