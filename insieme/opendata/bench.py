"""Benchmark of open data (issue 15): the time to publish every dataset of every municipality
(read, anonymise, write CSV, JSON, GeoJSON and Parquet, checksum, record the version) against
DuckDB writing the same Parquet files, in the same run.

DuckDB starts from the cases already in its memory (the export is not timed: DuckDB cannot read
SQLite or PostgreSQL here, its extensions are downloaded at run time) and computes the two case
datasets in SQL: the public reports with their places moved to the grid square's centre, and
the counts per service and month with the median days to resolve. It writes the other, small
datasets from the rows the publisher made. It does not redact text, suppress small counts or
write the other formats: the ratio is what those, and reading through Django, cost.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import override_settings

from insieme.core.models import Administration
from insieme.core.registry import BenchLine, Benchmark, datasets
from insieme.opendata import publish
from insieme.opendata.anonymise import _DEG_LAT_M

CASE_DATASETS = ("public-reports", "requests-monthly")


def _targets() -> list[Administration]:
    return list(Administration.objects.filter(kind="municipality").order_by("pk"))


def _load_cases(con, admin: Administration) -> int:
    """The municipality's cases into DuckDB's memory, with local times as naive timestamps."""
    import zoneinfo

    import pyarrow as pa

    zone = zoneinfo.ZoneInfo(admin.timezone)
    columns = {n: [] for n in ("reference", "service", "status", "channel", "is_public")}
    columns.update({n: [] for n in ("submitted", "resolved", "due", "lat", "lon", "text")})
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.reference, s.code, c.status, c.channel, c.is_public, c.submitted_at, "
            "c.resolved_at, c.resolve_due_at, c.lat, c.lon, c.public_description "
            "FROM cases_case c JOIN catalog_service s ON s.id = c.service_id "
            "WHERE c.administration_id = %s",
            [admin.pk],
        )
        from django.utils.dateparse import parse_datetime

        def local(value):
            if value is None:
                return None
            if isinstance(value, str):
                value = parse_datetime(value)
            return value.astimezone(zone).replace(tzinfo=None)

        for row in cur.fetchall():
            for name, value in zip(
                ("reference", "service", "status", "channel", "is_public"), row[:5], strict=True
            ):
                columns[name].append(value)
            columns["is_public"][-1] = bool(row[4])
            columns["submitted"].append(local(row[5]))
            columns["resolved"].append(local(row[6]))
            columns["due"].append(local(row[7]))
            columns["lat"].append(row[8])
            columns["lon"].append(row[9])
            columns["text"].append(row[10])
    # Typed, not inferred: a municipality without cases gives empty columns, which Arrow would
    # type as null (and DuckDB's date arithmetic on them then fails).
    text, stamp, number = pa.string(), pa.timestamp("us"), pa.float64()
    schema = pa.schema(
        [
            ("reference", text),
            ("service", text),
            ("status", text),
            ("channel", text),
            ("is_public", pa.bool_()),
            ("submitted", stamp),
            ("resolved", stamp),
            ("due", stamp),
            ("lat", number),
            ("lon", number),
            ("text", text),
        ]
    )
    table = pa.table(columns, schema=schema)
    con.register("arrow_cases", table)
    con.execute("CREATE OR REPLACE TABLE cases AS SELECT * FROM arrow_cases")
    con.unregister("arrow_cases")
    return table.num_rows


def _duckdb_case_files(con, folder: Path, metres: float) -> None:
    step = metres / _DEG_LAT_M
    # The square's centre as the publisher computes it (rows of fixed height; columns as wide
    # as `metres` at the row's middle latitude).
    con.execute(
        f"""COPY (
          SELECT reference, service, status, channel, CAST(submitted AS DATE) AS submitted_on,
                 CAST(resolved AS DATE) AS resolved_on,
                 (floor(lat / {step}) + 0.5) * {step} AS lat,
                 (floor(lon * {_DEG_LAT_M} * cos(radians((floor(lat / {step}) + 0.5) * {step}))
                        / {metres}) + 0.5)
                   * {metres} / ({_DEG_LAT_M} * cos(radians((floor(lat / {step}) + 0.5) * {step})))
                   AS lon,
                 text AS description
          FROM cases WHERE is_public ORDER BY reference
        ) TO '{folder / "public-reports.parquet"}' (FORMAT parquet, COMPRESSION zstd)"""  # noqa: S608 (numbers and paths of this benchmark)
    )
    con.execute(
        f"""COPY (
          SELECT service, strftime(submitted, '%Y-%m') AS month, count(*) AS received,
                 count(resolved) AS resolved,
                 count(*) FILTER (WHERE resolved IS NOT NULL AND (due IS NULL OR resolved <= due))
                   AS resolved_on_time,
                 round(median(epoch(resolved - submitted) / 86400.0), 1)
                   AS median_days_to_resolve
          FROM cases
          WHERE status <> 'duplicate' AND submitted >= now()::TIMESTAMP - INTERVAL 730 DAY
          GROUP BY ALL ORDER BY ALL
        ) TO '{folder / "requests-monthly.parquet"}' (FORMAT parquet, COMPRESSION zstd)"""  # noqa: S608
    )


def run(size: str) -> list[BenchLine]:
    import duckdb
    import pyarrow as pa

    targets = _targets()
    with (
        tempfile.TemporaryDirectory() as tmp,
        override_settings(INSIEME_OPENDATA_ROOT=Path(tmp) / "insieme"),
    ):
        started = time.perf_counter()
        made = [publish.publish(a, ds.key, force=True) for a in targets for ds in datasets]
        ours = time.perf_counter() - started
        rows = sum(p.rows for p in made)
        cases = 0
        duck = 0.0
        metres = settings.INSIEME_OPENDATA_GRID_METRES
        for admin in targets:
            con = duckdb.connect()
            cases += _load_cases(con, admin)
            small = {}
            for ds in datasets:
                if ds.key in CASE_DATASETS:
                    continue
                prepared = publish.prepare(ds, admin, 5)
                small[ds.key] = pa.table(
                    {c.name: [r.get(c.name) for r in prepared.rows] for c in ds.columns}
                    if prepared.rows
                    else {c.name: pa.array([], pa.string()) for c in ds.columns}
                )
            folder = Path(tmp) / "duckdb" / admin.slug
            folder.mkdir(parents=True)
            started = time.perf_counter()
            _duckdb_case_files(con, folder, metres)
            for key, table in small.items():
                con.register("rows", table)
                con.execute(
                    f"COPY (SELECT * FROM rows) TO '{folder / (key + '.parquet')}' "  # noqa: S608
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
                con.unregister("rows")
            duck += time.perf_counter() - started
            con.close()
    print(
        f"  opendata_publish: {len(made)} datasets of {len(targets)} municipalities, {rows} rows "
        f"from {cases} cases, published in {ours:.2f} s; DuckDB wrote the same Parquet files "
        f"from memory in {duck:.2f} s"
    )
    return [BenchLine("opendata_publish", ours, "s", cases, duck)]


BENCHMARK = Benchmark(key="opendata.publish", run=run, app="opendata")
