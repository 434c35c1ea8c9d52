"""Readiness (/readyz): can this process serve the site now?

The database answers, every migration the code has is applied, and, where the installation uses
them, the Redis cache and the task broker answer. The checks run side by side, each on a
connection of its own with a short timeout (services.TIMEOUT; PostgreSQL's connect_timeout), and
the whole answer comes within DEADLINE seconds: a check that has not answered by then counts as
failed. A check that fails is reported, never raised.
"""

from __future__ import annotations

import copy
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from django.conf import settings

from insieme.core.logsafety import mask_secrets
from insieme.ops import services

log = logging.getLogger(__name__)
DEADLINE = 2.0  # seconds for the whole answer
PENDING_SHOWN = 20
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="insieme-readyz")
# Databases seen with every migration applied: they stay so for the life of this process (new
# migrations come with new code, that is a new process); until then each probe looks again.
_migrated: set[tuple] = set()


@dataclass
class Check:
    status: str = "ok"  # ok, error, skipped
    ms: float = 0.0
    error: str = ""
    details: dict = field(default_factory=dict)

    def public(self, detailed: bool) -> dict:
        out: dict = {"status": self.status, "ms": round(self.ms, 1)}
        if detailed:
            if self.error:
                out["error"] = self.error
            out.update(self.details)
        return out


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return mask_secrets(first[:300])


def _fresh_connection(alias: str):
    """A new connection to the database `alias`, not the one requests share, that gives up
    connecting after about two seconds (libpq counts whole seconds, at least two)."""
    from django.db import connections
    from django.db.utils import load_backend

    config = connections.configure_settings({alias: copy.deepcopy(settings.DATABASES[alias])})
    config = config[alias]
    options = config.setdefault("OPTIONS", {})
    engine = config["ENGINE"]
    if "postgresql" in engine or "mysql" in engine:
        options["connect_timeout"] = max(2, int(services.TIMEOUT))
    elif "sqlite3" in engine:
        options["timeout"] = services.TIMEOUT
    config["CONN_MAX_AGE"] = 0
    return load_backend(engine).DatabaseWrapper(config, alias)


@functools.cache
def _migrations_on_disk() -> tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """Every migration of the code, in the order `migrate` applies them, with the migrations
    each one replaces (a squash): read once per process, since the code does not change."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    ordered: dict[tuple[str, str], tuple] = {}
    for leaf in sorted(graph.leaf_nodes()):
        for key in graph.forwards_plan(leaf):
            if key not in ordered:
                ordered[key] = tuple(tuple(r) for r in graph.nodes[key].replaces or ())
    return tuple(ordered.items())


def _pending_migrations(connection) -> list[str]:
    """The migrations not applied to the database behind `connection`. Read with that
    connection's own cursor: the ORM (MigrationRecorder) would query the shared connection of
    the same alias instead, without the short timeout, and leave it open in this thread."""
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            applied: set[tuple[str, str]] = set()
        else:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
    return [
        f"{app}.{name}"
        for (app, name), replaces in _migrations_on_disk()
        if (app, name) not in applied and not (replaces and set(replaces) <= applied)
    ]


def _database(alias: str = "default") -> tuple[Check, Check]:
    database, migrations = Check(), Check()
    start = time.perf_counter()
    connection = _fresh_connection(alias)
    try:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            database.status, database.error = "error", _describe(exc)
            migrations.status = "skipped"
            _count_db_error(exc)
            return database, migrations
        finally:
            database.ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        where = tuple(
            str(connection.settings_dict.get(k)) for k in ("ENGINE", "HOST", "PORT", "NAME")
        )
        if where not in _migrated:
            try:
                pending = _pending_migrations(connection)
            except Exception as exc:  # noqa: BLE001
                migrations.status, migrations.error = "error", _describe(exc)
            else:
                if pending:
                    migrations.status = "error"
                    migrations.error = f"{len(pending)} migration(s) not applied"
                    migrations.details["pending"] = pending[:PENDING_SHOWN]
                else:
                    _migrated.add(where)
        migrations.ms = (time.perf_counter() - start) * 1000
        return database, migrations
    finally:
        connection.close()


def _count_db_error(exc: BaseException) -> None:
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        from insieme.ops import metrics

        metrics.count_db_error("readiness")


def _timed(probe, *args) -> Check:
    check, start = Check(), time.perf_counter()
    try:
        probe(*args)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        check.status, check.error = "error", _describe(exc)
    check.ms = (time.perf_counter() - start) * 1000
    return check


def redis_cache_location() -> str | None:
    """The Redis server of the default cache, when it is one."""
    cache = settings.CACHES.get("default", {})
    if not cache.get("BACKEND", "").endswith("RedisCache"):
        return None
    location = cache.get("LOCATION") or ""
    if isinstance(location, list | tuple):
        location = location[0] if location else ""
    return location.split(",")[0].strip() or None


def run() -> tuple[bool, dict[str, Check]]:
    """(ready, {check name: result}), within DEADLINE seconds."""
    started = time.perf_counter()
    jobs = {"database": _pool.submit(_database)}
    cache_url = redis_cache_location()
    if cache_url:
        jobs["cache"] = _pool.submit(_timed, services.redis_ping, cache_url)
    broker_url = settings.CELERY_BROKER_URL
    if broker_url and not settings.CELERY_TASK_ALWAYS_EAGER:
        jobs["broker"] = _pool.submit(_timed, services.broker_ping, broker_url)
    results: dict[str, Check] = {}
    for name, future in jobs.items():
        remaining = max(0.0, DEADLINE - (time.perf_counter() - started))
        try:
            outcome = future.result(timeout=remaining)
        except FutureTimeout:
            late = Check("error", (time.perf_counter() - started) * 1000, "no answer in time")
            outcome = (late, Check("skipped")) if name == "database" else late
        except Exception as exc:  # noqa: BLE001 - a check that broke is a failed check
            broken = Check("error", (time.perf_counter() - started) * 1000, _describe(exc))
            outcome = (broken, Check("skipped")) if name == "database" else broken
        if name == "database":
            results["database"], results["migrations"] = outcome
        else:
            results[name] = outcome
    ready = all(check.status == "ok" for check in results.values())
    _log_change(ready, results)
    return ready, results


_last_ready: bool | None = None


def _log_change(ready: bool, results: dict[str, Check]) -> None:
    """One line when this process finds the site ready again, or no longer ready."""
    global _last_ready
    if ready == _last_ready:
        return
    _last_ready = ready
    if ready:
        log.info("readiness: ready")
    else:
        failed = ", ".join(
            f"{name} ({check.error or check.status})"
            for name, check in results.items()
            if check.status != "ok"
        )
        log.warning("readiness: not ready: %s", failed)
