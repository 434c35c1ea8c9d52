"""The production server over `make bench`'s throw-away database, for the benchmarks that
measure requests per second (insieme.api.bench_throughput, insieme.open311.bench).

`database_url()` gives a URL by which another process opens the bench's database: PostgreSQL's
test database as it is; an in-memory SQLite one copied first to a temporary file with SQLite's
backup API (no other process can open it). `serving(url)` runs `insieme serve` (gunicorn, DEBUG
off, every middleware) on it, on a free loopback port, with the sessions of this process valid
there (the same secret key) and the rate limits lifted (a 429 would be measured as a fast
answer), and always stops its whole process group.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections

STARTUP_TIMEOUT = 90.0
UNLIMITED = "1000000/minute"
RATE_SETTINGS = (
    "INSIEME_API_RATE_KEY",
    "INSIEME_API_RATE_USER",
    "INSIEME_API_RATE_ADDRESS",
    "INSIEME_OPEN311_RATE_KEY",
    "INSIEME_OPEN311_RATE_ADDRESS",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_url() -> Iterator[str]:
    """A DATABASE_URL for another process reaching this connection's database (see above)."""
    real = connections[connection.alias]
    data = real.settings_dict
    if real.vendor == "postgresql":
        user = quote(data.get("USER") or "", safe="")
        password = quote(data.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = data.get("HOST") or "127.0.0.1"
        port = f":{data['PORT']}" if data.get("PORT") else ""
        yield f"postgres://{auth}{host}{port}/{quote(data['NAME'], safe='')}"
        return
    if real.vendor != "sqlite":
        raise RuntimeError(f"the bench's server cannot open a {real.vendor} database")
    if not real.is_in_memory_db():
        yield f"sqlite:///{Path(data['NAME']).resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="insieme-bench-db-") as folder:
        target = Path(folder) / "bench.sqlite3"
        real.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            real.connection.backup(copy)
        finally:
            copy.close()
        yield f"sqlite:///{target}"


def _wait_healthy(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the bench's server ended at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the bench's server did not answer /healthz within {STARTUP_TIMEOUT} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except ProcessLookupError:
            server.wait()
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@contextmanager
def serving(
    url: str, *, workers: int = 2, threads: int = 1, env: dict[str, str] | None = None
) -> Iterator[int]:
    """`insieme serve` on the database at `url`; yields its port. `env` adds to (or replaces)
    the server's environment, e.g. DJANGO_SETTINGS_MODULE."""
    port = free_port()
    server_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    server_env.update(
        DATABASE_URL=url,
        INSIEME_SECRET_KEY=settings.SECRET_KEY,
        INSIEME_DEBUG="false",
        INSIEME_PRODUCTION="false",
        PYTHONUNBUFFERED="1",
        **dict.fromkeys(RATE_SETTINGS, UNLIMITED),
    )
    server_env.setdefault("DJANGO_SETTINGS_MODULE", "insieme.settings")
    server_env.update(env or {})
    with tempfile.TemporaryDirectory(prefix="insieme-bench-server-") as folder:
        server_env.setdefault("INSIEME_METRICS_DIR", str(Path(folder) / "metrics"))
        log_path = Path(folder) / "server.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "django",
                    "serve",
                    "--no-collectstatic",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
                env=server_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: gunicorn's workers stop with it
            )
            try:
                _wait_healthy(port, server)
                yield port
            except Exception:
                # What the server said (a traceback behind a 500, a refused setting) is the
                # first thing to read when a measurement stops.
                sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
                raise
            finally:
                _stop(server)
