"""Planner statistics are refreshed by the hourly task and after the demo's bulk load."""

from __future__ import annotations

import pytest
from django.db import connection

from insieme.core.tasks import refresh_db_statistics

pytestmark = pytest.mark.django_db


def _analyzed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            )
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            return cursor.fetchone()[0] > 0
        # PostgreSQL 14+: reltuples is -1 until the table is analyzed (transactional).
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0] >= 0


def test_the_hourly_task_gives_sqlite_statistics(montalto):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics; the task leaves them")
    refresh_db_statistics()
    assert _analyzed("core_administration")


def test_after_a_bulk_load_every_database_is_analyzed(montalto):
    from insieme.core import dbstats

    dbstats.refresh(after_bulk_load=True)
    assert _analyzed("core_administration")
