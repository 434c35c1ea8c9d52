"""Benchmarks of the core app: the cost of the hash chain on every write, and of verifying it."""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.core.registry import BenchLine, Benchmark


def _append_chained(n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            audit.record(
                actor=None,
                action="bench.append",
                object_type="bench",
                object_id=str(i),
                after={"i": i, "text": "x" * 40},
            )
    return time.perf_counter() - started


def _append_plain(n: int, start_seq: int) -> float:
    """Baseline: the same rows inserted one transaction each, without reading the chain's head.
    Every NOT NULL column is named: a field's Django default is not the column's default on
    PostgreSQL (SQLite keeps the one ADD COLUMN gave it)."""
    table = AuditEntry._meta.db_table
    sql = (
        f"INSERT INTO {table} (seq, created_at, actor_label, action, object_type, object_id, "  # noqa: S608
        "object_repr, after, prev_hash, entry_hash, hash_version, salt) VALUES (%s, %s, '', "
        "'bench.plain', 'bench', %s, '', %s, %s, %s, 1, '')"
    )
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                sql,
                [
                    start_seq + i,
                    timezone.now(),
                    str(i),
                    '{"i": 0}',
                    "0" * 64,
                    f"{start_seq + i:064d}",
                ],
            )
    return time.perf_counter() - started


def run(size: str) -> list[BenchLine]:
    n = 300 if size == "small" else 2000
    chained = _append_chained(n)
    head = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    plain = _append_plain(n, head + 1_000_000)
    AuditEntry.objects.filter(action="bench.plain")._raw_delete(AuditEntry.objects.db)
    total = AuditEntry.objects.count()
    started = time.perf_counter()
    result = audit.verify()
    verify_s = time.perf_counter() - started
    started = time.perf_counter()
    for _row in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        pass
    read_s = time.perf_counter() - started
    assert result.ok, result.problems[:3]
    return [
        BenchLine("audit_append_per_entry", chained / n * 1e6, "us", n, plain / n * 1e6),
        BenchLine(
            "audit_verify_per_entry", verify_s / total * 1e6, "us", total, read_s / total * 1e6
        ),
    ]


BENCHMARK = Benchmark(key="core.audit", run=run, app="core")
