"""Planner statistics: keep the database's query planner informed about table sizes.

Without statistics SQLite guesses, and at a million cases it guessed wrong for the work queue
and the workload view (it read every open case of an administration, or a person's whole
history, instead of a department's or a person's open cases through their index: 100-500 ms
instead of a few). `ANALYZE` fixes that; it took 9 s on the one-million-case demo, so it runs
after the demo's bulk load and hourly from the background worker (a sampled ANALYZE, with
`analysis_limit`, was tried: its estimates were too rough and the planner chose badly again).
PostgreSQL's autovacuum keeps its own statistics; after a bulk load an explicit ANALYZE makes
them right at once instead of minutes later.
"""

from __future__ import annotations

from django.db import connection


def refresh(after_bulk_load: bool = False) -> None:
    """Refresh the planner's statistics (SQLite always; PostgreSQL after a bulk load only)."""
    if connection.vendor == "sqlite" or after_bulk_load:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
