"""The insight pages against a columnar engine (issue 14): the dashboards page and the Scorecard
page of the demo region, as its administrator opens them, each against DuckDB computing the same
aggregates of the cases table on a Parquet export of it, in memory and from the file, in the
same run.

The export holds the region's cases with the columns the aggregates read, and each time also in
the region's local time (DuckDB's time-zone support is an extension this machine cannot
download), so the engine does only the aggregating. Exporting is not timed; each query set is
timed as the best of a few runs, as the pages are.

It also times the dashboards' five counting panels as they read the rollups
(dashboards-rollups-vs-duckdb-memory) against DuckDB's queries of the same figures (the first
five below).

What DuckDB computes:
- dashboards: cases per week of the period, per calendar month over all history, per weekday
  and hour, per channel in the period and the one before, the backlog per week (filed, ended,
  open at the week's end), hours to acknowledge and days to resolve in bands with the median,
  90th and 95th percentiles; the period's cases per service with their information-request
  loops, staff minutes and data-quality counts; open cases per assignee and unassigned; and,
  from the region's time entries, ratings and hand-offs exported beside the cases, the cost per
  case by channel, ratings per service (this period and the one before) and per
  administration, and hand-offs per pair of departments with their outcomes. The page also
  reads staff capacities, the catalogue, participation and the staff survey (small tables),
  which DuckDB is spared;
- Scorecard: cases and distinct participants in 30 days, the duplicate share, the assisted
  share and the information-request share in 90 days, medians of hours to acknowledge and days
  to resolve in 90 days and in the 90 before, acknowledgement and resolution promises due and
  kept in 90 days, open cases per department.
"""

from __future__ import annotations

import csv
import re
import tempfile
import time
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from insieme.cases.models import Case
from insieme.core.models import Administration, today_in
from insieme.core.registry import BenchLine, Benchmark

REPEAT = 3
COLUMNS = (
    "administration_id",
    "service_id",
    "department_id",
    "channel",
    "status",
    "submitted_by_id",
    "contact_email",
    "filed_by_id",
    "duplicate_of_id",
    "info_requests",
    "decision",
    "assignee_id",
    "staff_minutes",
)
TIMES = (
    "submitted_at",
    "acknowledged_at",
    "first_public_response_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "acknowledge_due_at",
    "resolve_due_at",
)

DASHBOARD_QUERIES = [
    # demand per week of the period
    """SELECT date_trunc('week', submitted_local) AS w, count(*) FROM cases
       WHERE submitted_local >= $start AND submitted_local < $end GROUP BY w ORDER BY w""",
    # seasonality: per calendar month over all history
    """SELECT date_trunc('month', submitted_local) AS m, count(*) FROM cases
       GROUP BY m ORDER BY m""",
    # hour of the week
    """SELECT isodow(submitted_local), hour(submitted_local), count(*) FROM cases
       WHERE submitted_local >= $start AND submitted_local < $end GROUP BY 1, 2""",
    # channels, this period and the one before
    """SELECT channel,
              count(*) FILTER (WHERE submitted_local >= $start),
              count(*) FILTER (WHERE submitted_local < $start)
       FROM cases WHERE submitted_local >= $before AND submitted_local < $end
       GROUP BY channel""",
    # backlog per week: filed, ended, open at the week's end
    """WITH ends AS (
         SELECT submitted_local,
                CASE WHEN status NOT IN ('submitted', 'acknowledged', 'in_progress',
                                         'waiting_citizen')
                     THEN coalesce(resolved_local, closed_local, updated_local) END AS ended
         FROM cases),
       weeks AS (SELECT unnest(generate_series(date_trunc('week', $start::TIMESTAMP),
                                               $end::TIMESTAMP, INTERVAL 7 DAY)) AS w)
       SELECT w,
              (SELECT count(*) FROM ends WHERE submitted_local >= w
                                         AND submitted_local < w + INTERVAL 7 DAY),
              (SELECT count(*) FROM ends WHERE ended >= w AND ended < w + INTERVAL 7 DAY),
              (SELECT count(*) FROM ends WHERE submitted_local < w + INTERVAL 7 DAY)
              - (SELECT count(*) FROM ends WHERE ended < w + INTERVAL 7 DAY)
       FROM weeks ORDER BY w""",
    # hours to acknowledge: bands and percentiles
    """WITH t AS (SELECT epoch(acknowledged_at - submitted_at) / 3600.0 AS h FROM cases
                 WHERE acknowledged_local >= $start AND acknowledged_local < $end)
       SELECT count(*) FILTER (WHERE h < 1), count(*) FILTER (WHERE h >= 1 AND h < 4),
              count(*) FILTER (WHERE h >= 4 AND h < 8), count(*) FILTER (WHERE h >= 8 AND h < 24),
              count(*) FILTER (WHERE h >= 24 AND h < 48),
              count(*) FILTER (WHERE h >= 48 AND h < 72),
              count(*) FILTER (WHERE h >= 72 AND h < 168), count(*) FILTER (WHERE h >= 168),
              median(h), quantile_disc(h, 0.9), quantile_disc(h, 0.95)
       FROM t""",
    # days to resolve: bands and percentiles
    """WITH t AS (SELECT epoch(resolved_at - submitted_at) / 86400.0 AS d FROM cases
                 WHERE resolved_local >= $start AND resolved_local < $end
                   AND status IN ('resolved', 'closed') AND duplicate_of_id IS NULL
                   AND coalesce(decision, '') <> 'refused')
       SELECT count(*) FILTER (WHERE d < 1), count(*) FILTER (WHERE d >= 1 AND d < 3),
              count(*) FILTER (WHERE d >= 3 AND d < 7), count(*) FILTER (WHERE d >= 7 AND d < 14),
              count(*) FILTER (WHERE d >= 14 AND d < 30),
              count(*) FILTER (WHERE d >= 30 AND d < 60), count(*) FILTER (WHERE d >= 60),
              median(d), quantile_disc(d, 0.9), quantile_disc(d, 0.95)
       FROM t""",
]

DASHBOARD_QUERIES += [
    # burden and data quality: the period's cases per service
    """SELECT service_id, count(*), sum(info_requests), sum(staff_minutes),
              count(*) FILTER (WHERE status <> 'submitted'),
              count(*) FILTER (WHERE status <> 'submitted' AND info_requests > 0),
              count(*) FILTER (WHERE duplicate_of_id IS NOT NULL)
       FROM cases WHERE submitted_local >= $start AND submitted_local < $end
       GROUP BY service_id""",
    # team load: open cases per assignee, and those assigned to nobody
    """SELECT assignee_id, count(*) FROM cases
       WHERE status IN ('submitted', 'acknowledged', 'in_progress', 'waiting_citizen')
       GROUP BY assignee_id""",
    # cost per case by channel: the period's time entries, priced at their service's hourly cost
    """SELECT channel, count(DISTINCT case_id), sum(minutes), sum(minutes * hourly_cost) / 60
       FROM timelogs WHERE created_local >= $start AND created_local < $end
       GROUP BY channel""",
    # satisfaction: ratings per service in the period, in all the period before, per administration
    """SELECT service_id, count(*), avg(score), count(*) FILTER (WHERE score >= 4),
              count(*) FILTER (WHERE score <= 2)
       FROM ratings WHERE created_local >= $start AND created_local < $end
       GROUP BY service_id""",
    """SELECT count(*), avg(score) FROM ratings
       WHERE created_local >= $before AND created_local < $start""",
    """SELECT administration_id, count(*), avg(score), count(*) FILTER (WHERE score >= 4)
       FROM ratings WHERE created_local >= $start AND created_local < $end
       GROUP BY administration_id""",
    # hand-offs per pair of departments, with their outcomes and the hours to decide
    """SELECT from_department_id, to_department_id, count(*),
              count(*) FILTER (WHERE state = 'accepted'), count(*) FILTER (WHERE state = 'returned'),
              count(*) FILTER (WHERE state = 'pending'),
              median(epoch(decided_at - created_at) / 3600.0)
       FROM handoffs WHERE created_local >= $start AND created_local < $end
       GROUP BY 1, 2""",
]

# The dashboards' counting panels, which read rollups, and DuckDB's queries of the same figures.
COUNTING_PANELS = ("demand-weekly", "demand-seasonality", "hour-of-week", "channels", "backlog")
COUNTING_QUERIES = DASHBOARD_QUERIES[:5]

SCORECARD_QUERIES = [
    # D1: cases and distinct participants in 30 days
    """SELECT count(*), count(DISTINCT coalesce(CAST(submitted_by_id AS VARCHAR), contact_email))
       FROM cases WHERE submitted_local >= $start30 AND submitted_local < $end""",
    # D2 duplicates, S3 assisted, T4 information requests (of the opened cases) in 90 days
    """SELECT count(*), count(*) FILTER (WHERE duplicate_of_id IS NOT NULL),
              count(*) FILTER (WHERE filed_by_id IS NOT NULL),
              count(*) FILTER (WHERE status <> 'submitted'),
              count(*) FILTER (WHERE status <> 'submitted' AND info_requests > 0)
       FROM cases WHERE submitted_local >= $start AND submitted_local < $end""",
    # S2: medians of hours to acknowledge and days to resolve, this period and the one before
    """SELECT acknowledged_local >= $start AS now,
              median(epoch(acknowledged_at - submitted_at) / 3600.0)
       FROM cases WHERE acknowledged_local >= $before AND acknowledged_local < $end
       GROUP BY now""",
    """SELECT resolved_local >= $start AS now,
              median(epoch(resolved_at - submitted_at) / 86400.0)
       FROM cases WHERE resolved_local >= $before AND resolved_local < $end
         AND status IN ('resolved', 'closed') AND duplicate_of_id IS NULL
       GROUP BY now""",
    # T2: promises due in 90 days and kept
    """SELECT count(*) FILTER (WHERE acknowledge_due_at >= $start_utc
                                 AND acknowledge_due_at < $now_utc),
              count(*) FILTER (WHERE acknowledge_due_at >= $start_utc
                                 AND acknowledge_due_at < $now_utc
                                 AND first_public_response_at <= acknowledge_due_at),
              count(*) FILTER (WHERE resolve_due_at >= $start_utc AND resolve_due_at < $now_utc),
              count(*) FILTER (WHERE resolve_due_at >= $start_utc AND resolve_due_at < $now_utc
                                 AND coalesce(resolved_at, closed_at) <= resolve_due_at)
       FROM cases""",
    # I3: open cases per department
    """SELECT department_id, count(*) FROM cases
       WHERE status IN ('submitted', 'acknowledged', 'in_progress', 'waiting_citizen')
       GROUP BY department_id""",
]


def _best(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _export(ids: list[int], zone, folder: Path) -> tuple[Path, int]:
    """The cases of `ids` as Parquet (through a CSV DuckDB converts): the columns above, every
    time in UTC and in the local time of `zone` (as naive timestamps)."""
    import duckdb

    text = folder / "cases.csv"
    n = 0
    with text.open("w", newline="") as out:
        writer = csv.writer(out)
        local = [t.replace("_at", "_local") for t in TIMES]
        writer.writerow([*COLUMNS, *TIMES, *local])
        rows = (
            Case.objects.filter(administration_id__in=ids)
            .values_list(*COLUMNS, *TIMES)
            .iterator(chunk_size=20_000)
        )
        for row in rows:
            values = list(row[: len(COLUMNS)])
            times = row[len(COLUMNS) :]
            utc = [
                t.astimezone(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None) if t else None
                for t in times
            ]
            loc = [t.astimezone(zone).replace(tzinfo=None) if t else None for t in times]
            writer.writerow(
                ["" if v is None else v for v in values]
                + ["" if t is None else t.isoformat(sep=" ") for t in utc + loc]
            )
            n += 1
    parquet = folder / "cases.parquet"
    con = duckdb.connect()
    copy = (
        f"COPY (SELECT * FROM read_csv('{text}', header=true, nullstr='', "  # noqa: S608 (paths this benchmark made)
        "types={'decision': 'VARCHAR', 'contact_email': 'VARCHAR'})) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    con.execute(copy)
    con.close()
    text.unlink()
    return parquet, n


def _local(t, zone):
    return "" if t is None else t.astimezone(zone).replace(tzinfo=None).isoformat(sep=" ")


def _utc(t):
    return (
        ""
        if t is None
        else t.astimezone(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None).isoformat(sep=" ")
    )


def _export_rows(name: str, columns: dict[str, str], rows, folder: Path) -> Path:
    """Rows (lists of plain values, "" for none) as a Parquet file, through a CSV; `columns`:
    {name: DuckDB type} (typed, so that an empty table reads as it would full)."""
    import duckdb

    text, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
    with text.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(list(columns))
        writer.writerows(rows)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{text}', header=true, nullstr='', columns={columns!r})) "  # noqa: S608 (paths and types this benchmark made)
        f"TO '{parquet}' (FORMAT parquet)"
    )
    con.close()
    text.unlink()
    return parquet


def _export_related(ids: list[int], zone, folder: Path) -> dict[str, Path]:
    """The region's time entries (with their case's service's hourly cost), ratings (with their
    case's service and administration) and hand-offs, as Parquet, times in UTC and local."""
    from insieme.cases.models import Handoff, Rating, TimeLog

    logs = (
        TimeLog.objects.filter(case__administration_id__in=ids)
        .values_list("case_id", "channel", "minutes", "created_at", "case__service__hourly_cost")
        .iterator(chunk_size=20_000)
    )
    ratings = (
        Rating.objects.filter(case__administration_id__in=ids)
        .values_list(
            "case_id", "score", "created_at", "case__service_id", "case__administration_id"
        )
        .iterator(chunk_size=20_000)
    )
    handoffs = (
        Handoff.objects.filter(case__administration_id__in=ids)
        .values_list(
            "case_id", "from_department_id", "to_department_id", "state", "created_at", "decided_at"
        )
        .iterator(chunk_size=20_000)
    )
    none = ""
    return {
        "timelogs": _export_rows(
            "timelogs",
            {
                "case_id": "BIGINT",
                "channel": "VARCHAR",
                "minutes": "INTEGER",
                "created_local": "TIMESTAMP",
                "hourly_cost": "DOUBLE",
            },
            (
                [c, ch, m, _local(at, zone), none if cost is None else float(cost)]
                for c, ch, m, at, cost in logs
            ),
            folder,
        ),
        "ratings": _export_rows(
            "ratings",
            {
                "case_id": "BIGINT",
                "score": "INTEGER",
                "created_local": "TIMESTAMP",
                "service_id": "BIGINT",
                "administration_id": "BIGINT",
            },
            ([c, sc, _local(at, zone), sv, a] for c, sc, at, sv, a in ratings),
            folder,
        ),
        "handoffs": _export_rows(
            "handoffs",
            {
                "case_id": "BIGINT",
                "from_department_id": "BIGINT",
                "to_department_id": "BIGINT",
                "state": "VARCHAR",
                "created_local": "TIMESTAMP",
                "created_at": "TIMESTAMP",
                "decided_at": "TIMESTAMP",
            },
            (
                [c, none if f is None else f, t, st, _local(at, zone), _utc(at), _utc(dec)]
                for c, f, t, st, at, dec in handoffs
            ),
            folder,
        ),
    }


def _counting_panels(region):
    """The five counting panels of the region's default dashboard, computed from the rollups
    (brought up to date once, before timing)."""
    from insieme.dashboards import filters as dash_filters
    from insieme.dashboards import panels, rollups
    from insieme.insights.scorecard import hosted_by

    form = dash_filters.FilterForm({}, members=[region, *hosted_by(region)], areas=[])
    form.is_valid()
    filters = rollups.prepare(dash_filters.build(form, region))
    chosen = [panels.get(key) for key in COUNTING_PANELS]
    return lambda: [panel.compute(filters) for panel in chosen]


def _run_all(con, queries, params) -> None:
    for query in queries:
        used = {k: params[k] for k in set(re.findall(r"\$(\w+)", query))}
        con.execute(query, used).fetchall()


def run(size: str) -> list[BenchLine]:
    import duckdb

    from insieme.insights.bench import _client
    from insieme.insights.models import Snapshot

    region = Administration.objects.filter(kind=Administration.Kind.REGION).first()
    client = _client(region) if region else None
    if client is None:
        return []
    ids = [region.pk, *Administration.objects.filter(parent=region).values_list("pk", flat=True)]
    zone = zoneinfo.ZoneInfo(region.timezone or settings.TIME_ZONE)
    today = today_in(region)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time())
    params = {
        "end": end,
        "start": end - timedelta(days=90),
        "before": end - timedelta(days=180),
        "start30": end - timedelta(days=30),
    }
    now_utc = datetime.now(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None)
    params["now_utc"] = now_utc
    params["start_utc"] = (
        params["start"]
        .replace(tzinfo=zone)
        .astimezone(zoneinfo.ZoneInfo("UTC"))
        .replace(tzinfo=None)
    )

    lines: list[BenchLine] = []
    with tempfile.TemporaryDirectory() as tmp:
        parquet, n = _export(ids, zone, Path(tmp))
        files = {"cases": parquet, **_export_related(ids, zone, Path(tmp))}
        memory, on_file = duckdb.connect(), duckdb.connect()
        for table, path in files.items():
            read = f"SELECT * FROM read_parquet('{path}')"  # noqa: S608 (paths this benchmark made)
            memory.execute(f"CREATE TABLE {table} AS {read}")
            on_file.execute(f"CREATE VIEW {table} AS {read}")

        def duck(con, queries):
            return _best(lambda: _run_all(con, queries, params))

        dash_memory = duck(memory, DASHBOARD_QUERIES)
        counting_memory = duck(memory, COUNTING_QUERIES)
        dash_file = duck(on_file, DASHBOARD_QUERIES)
        card_memory = duck(memory, SCORECARD_QUERIES)
        card_file = duck(on_file, SCORECARD_QUERIES)
        memory.close()
        on_file.close()

    def get(url):
        def fetch():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return fetch

    dashboards = _best(get(reverse("dashboards:page", args=[region.slug])))
    counting = _best(_counting_panels(region))
    scorecard_url = reverse("scorecard", args=[region.slug])
    with override_settings(INSIEME_SCORECARD_MAX_AGE=3600):
        get(scorecard_url)()  # computes and stores the snapshot the next ones read
        card_read = _best(get(scorecard_url))
    with override_settings(INSIEME_SCORECARD_MAX_AGE=0):
        card_computed = _best(get(scorecard_url))
    Snapshot.objects.all().delete()
    ms = 1e3
    lines += [
        BenchLine("dashboards-page-vs-duckdb-memory", dashboards * ms, "ms", n, dash_memory * ms),
        BenchLine("dashboards-page-vs-duckdb-parquet", dashboards * ms, "ms", n, dash_file * ms),
        BenchLine(
            "dashboards-rollups-vs-duckdb-memory", counting * ms, "ms", n, counting_memory * ms
        ),
        BenchLine("scorecard-snapshot-vs-duckdb-memory", card_read * ms, "ms", n, card_memory * ms),
        BenchLine("scorecard-snapshot-vs-duckdb-parquet", card_read * ms, "ms", n, card_file * ms),
        BenchLine(
            "scorecard-computed-vs-duckdb-memory", card_computed * ms, "ms", n, card_memory * ms
        ),
    ]
    return lines


BENCHMARK = Benchmark(key="insights.duckdb", run=run, app="insights")
