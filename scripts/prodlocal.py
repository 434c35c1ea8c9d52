"""Production mode on one machine: PostgreSQL, Redis, several web processes, a Celery worker with
the periodic jobs, all started here (`make prod-local`; `make loadtest` and `make faulttest`
start the same stack).

PostgreSQL and Redis are Debian's packages (installed when missing and run as root), but run as
private instances of this checkout: a cluster in var/prod/pg on its own port, a Redis on its own
port, both on loopback only. So stopping them (as the fault test does) never touches a database
anything else uses, and nothing here needs a service set up beforehand.

    .venv/bin/python scripts/prodlocal.py            # start everything, serve until Ctrl-C
    .venv/bin/python scripts/prodlocal.py --stop     # stop a stack left running

Ports and sizes come from the environment: PORT (8000), PROD_PG_PORT (54329), PROD_REDIS_PORT
(63799), WEB_CONCURRENCY (web processes, 3), WEB_THREADS (threads per process, 4),
WORKER_CONCURRENCY (task processes, 2), DEMO_REQUESTS (cases in the demo, 5000).
"""

# ruff: noqa: S603, S607 - this tool runs fixed programs (PostgreSQL, Redis, insieme, locust)
from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
INSIEME = str(VENV_BIN / "insieme")


def env_int(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the environment, or a one-line refusal naming the variable."""
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SystemExit(f"{name} must be between {low} and {high}, not {value}")
    return value


def log(message: str) -> None:
    print(f"[prod-local] {message}", flush=True)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for(check, seconds: float, what: str, interval: float = 0.2) -> float:
    """Poll `check()` until true; the seconds it took. RuntimeError after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if check():
                return time.monotonic() - start
        except Exception:  # noqa: BLE001, S110 - not up yet, whatever the reason
            pass
        time.sleep(interval)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def http_status(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Stack:
    """The processes of production mode, started and stopped one by one (the fault test stops
    some of them on purpose)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or os.environ.get("PROD_DIR") or ROOT / "var" / "prod")
        self.web_port = env_int("PORT", 8000, 1, 65535)
        self.pg_port = env_int("PROD_PG_PORT", 54329, 1, 65535)
        self.redis_port = env_int("PROD_REDIS_PORT", 63799, 1, 65535)
        self.web_processes = env_int("WEB_CONCURRENCY", 3, 1, 64)
        self.web_threads = env_int("WEB_THREADS", 4, 1, 64)
        self.worker_concurrency = env_int("WORKER_CONCURRENCY", 2, 1, 64)
        self.extra_env: dict[str, str] = {}
        self.restarts: list[tuple[float, str, int]] = []  # (moment, process, exit status)
        self._supervising = threading.Event()
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        self.pg_dir = self.root / "pg"
        self.redis_dir = self.root / "redis"
        self.logs = self.root / "logs"

    # --- the engines ---------------------------------------------------------------------------

    @staticmethod
    def pg_bin(name: str) -> str:
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        if found:
            return found[-1]
        path = shutil.which(name)
        if path:
            return path
        raise RuntimeError(f"PostgreSQL's {name} is not installed")

    def ensure_packages(self) -> None:
        """Debian's postgresql and redis-server, installed when missing (as root)."""
        missing = []
        if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
            missing.append("postgresql")
        if not shutil.which("redis-server"):
            missing.append("redis-server")
        if not missing:
            return
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise RuntimeError(
                f"install {' '.join(missing)} (Debian packages) first, or run this as root"
            )
        log(f"installing {' '.join(missing)} from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def _as_pg(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self.as_postgres else argv

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._as_pg([self.pg_bin("pg_ctl"), "-D", str(self.pg_dir), *args]),
            check=check,
            capture_output=True,
            text=True,
        )

    def _prepare_dirs(self) -> None:
        for folder in (self.root, self.logs, self.redis_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            # The cluster belongs to the postgres user, who must be able to reach it.
            reachable = subprocess.run(
                ["runuser", "-u", "postgres", "--", "test", "-x", str(self.root)],
                check=False,
            )
            if reachable.returncode != 0:
                digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:10]
                alt = Path("/var/tmp") / f"insieme-prod-{digest}"  # noqa: S108 - owned, private
                log(f"the postgres user cannot reach {self.root}; its cluster goes to {alt}")
                self.pg_dir = alt / "pg"
            self.pg_dir.parent.mkdir(parents=True, exist_ok=True)

    def pg_running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def start_postgres(self) -> None:
        self._prepare_dirs()
        if not (self.pg_dir / "PG_VERSION").exists():
            log(f"creating a PostgreSQL cluster in {self.pg_dir}")
            self.pg_dir.mkdir(parents=True, exist_ok=True)
            if self.as_postgres:
                shutil.chown(self.pg_dir, "postgres", "postgres")
            subprocess.run(
                self._as_pg(
                    [
                        self.pg_bin("initdb"),
                        "-D",
                        str(self.pg_dir),
                        "-U",
                        "postgres",
                        "--auth=trust",  # loopback only: listen_addresses below
                        "-E",
                        "UTF8",
                        "--no-instructions",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        if self.pg_running():
            return
        if not port_free(self.pg_port):
            raise RuntimeError(f"port {self.pg_port} is taken (PROD_PG_PORT)")
        options = (
            f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=256MB -c fsync=on"
        )
        self._pg_ctl("-l", str(self.pg_dir / "server.log"), "-o", options, "-w", "start")
        log(f"PostgreSQL on 127.0.0.1:{self.pg_port}")

    def stop_postgres(self, mode: str = "fast") -> None:
        if self.pg_running():
            self._pg_ctl("-m", mode, "-w", "stop", check=False)

    def pg_ready(self) -> bool:
        return (
            subprocess.run(
                [self.pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-q"],
                check=False,
            ).returncode
            == 0
        )

    def start_redis(self) -> None:
        if self.redis_ping():
            return
        if not port_free(self.redis_port):
            raise RuntimeError(f"port {self.redis_port} is taken (PROD_REDIS_PORT)")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",  # the task queue survives a restart of Redis
                "--dir",
                str(self.redis_dir),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.redis_dir / "redis.pid"),
                "--logfile",
                str(self.redis_dir / "redis.log"),
            ],
            check=True,
        )
        wait_for(self.redis_ping, 10, "Redis")
        log(f"Redis on 127.0.0.1:{self.redis_port}")

    def redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop_redis(self) -> None:
        pid_file = self.redis_dir / "redis.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        try:
            wait_for(lambda: not self.redis_ping(), 10, "Redis stopping")
        except RuntimeError:
            log("Redis did not stop")

    # --- the application -----------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/insieme"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        secret = self.root / "secret_key"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(50))
            secret.chmod(0o600)
        redis = f"redis://127.0.0.1:{self.redis_port}"
        metrics = self.root / "metrics"
        metrics.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"{redis}/0",
            "INSIEME_BROKER_URL": f"{redis}/1",
            "INSIEME_SECRET_KEY_FILE": str(secret),
            "INSIEME_PRODUCTION": "true",
            "INSIEME_DEBUG": "false",
            "INSIEME_BASE_URL": self.base_url,
            "INSIEME_LOG_FORMAT": os.environ.get("INSIEME_LOG_FORMAT", "json"),
            "EMAIL_URL": f"filemail:///{self.root / 'mail'}",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "INSIEME_STATIC_ROOT": str(self.root / "static"),
            "INSIEME_MEDIA_ROOT": str(self.root / "media"),
            "INSIEME_OPENDATA_ROOT": str(self.root / "opendata"),
            "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        }
        env.pop("INSIEME_SECRET_KEY", None)
        env.update(self.extra_env)
        return env

    def run(self, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(
            [INSIEME, *args], check=True, env=self.env(), capture_output=capture, text=True
        )

    def prepare(self, demo: bool = True) -> None:
        """The database, its schema, the demo region when it is empty, the static files."""
        import psycopg

        admin = f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'insieme'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE insieme")
        log("migrating")
        self.run("migrate", "--verbosity", "0")
        if demo:
            with psycopg.connect(self.database_url) as conn:
                count = conn.execute("SELECT count(*) FROM core_administration").fetchone()[0]
            if not count:
                size = os.environ.get("DEMO_REQUESTS", "5000")
                log(f"loading the demo region ({size} cases)")
                self.run("demo", "--requests", size)
        self.collect_static()

    def collect_static(self) -> None:
        """collectstatic, which compresses every file (a minute on 2 cores), only when a static
        source changed since the last time."""
        modules = ROOT / "node_modules"
        sources = [
            ROOT / "insieme",
            ROOT / "var" / "assets",
            modules / "bootstrap-italia" / "dist",
            modules / "leaflet" / "dist",
        ]
        newest = max(
            (
                path.stat().st_mtime
                for folder in sources
                if folder.exists()
                for path in folder.rglob("*")
                if folder.name != "insieme" or "static" in path.parts
            ),
            default=0.0,
        )
        stamp = self.root / "static.stamp"
        manifest = self.root / "static" / "staticfiles.json"
        if manifest.exists() and stamp.exists() and float(stamp.read_text() or 0) >= newest:
            return
        log("collecting static files")
        self.run("collectstatic", "--noinput", "--verbosity", "0")
        stamp.write_text(str(newest))

    def start_web(self) -> None:
        if not port_free(self.web_port):
            raise RuntimeError(f"port {self.web_port} is taken (PORT)")
        out = open(self.logs / "web.log", "ab")  # noqa: SIM115 - the child keeps it open
        self.web = subprocess.Popen(
            [
                INSIEME,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.web_port),
                "--workers",
                str(self.web_processes),
                "--threads",
                str(self.web_threads),
                "--no-collectstatic",
            ],
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        (self.root / "web.pid").write_text(str(self.web.pid))
        wait_for(lambda: http_status(self.base_url + "/healthz") == 200, 60, "the web server")
        log(f"web: {self.web_processes} processes x {self.web_threads} threads on {self.base_url}")

    def web_worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        if self.web is None:
            return []
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.web.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(p) for p in out.stdout.split()]

    def start_worker(self) -> None:
        out = open(self.logs / "worker.log", "ab")  # noqa: SIM115 - the child keeps it open
        self.worker = subprocess.Popen(
            [
                INSIEME,
                "worker",
                "--concurrency",
                str(self.worker_concurrency),
                "--loglevel",
                "INFO",
            ],
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        (self.root / "worker.pid").write_text(str(self.worker.pid))
        log(f"worker: {self.worker_concurrency} task processes, with the periodic jobs")

    def worker_pool_pids(self) -> list[int]:
        """The worker's pool processes (the ones running tasks), children of its main one; not
        the periodic jobs' scheduler (beat), which is a child too."""
        if self.worker is None:
            return []
        out = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(self.worker.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        rows = [line.split(None, 1) for line in out.stdout.splitlines() if line.strip()]
        return [int(row[0]) for row in rows if "beat" not in (row[1] if len(row) > 1 else "")]

    @staticmethod
    def _stop(process: subprocess.Popen | None, seconds: float = 20) -> None:
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def supervise(self) -> None:
        """Start again a web server or worker that ended, as a service manager would (compose's
        restart policy, systemd's Restart=always): one that crashes is back within seconds."""

        def watch() -> None:
            while self._supervising.is_set():
                for name in ("web", "worker"):
                    process = getattr(self, name)
                    if process is not None and process.poll() is not None:
                        self.restarts.append((time.time(), name, process.returncode))
                        log(f"the {name} process ended ({process.returncode}); starting it again")
                        try:
                            (self.start_web if name == "web" else self.start_worker)()
                        except RuntimeError as exc:
                            log(f"could not start the {name} again: {exc}")
                time.sleep(1)

        self._supervising.set()
        threading.Thread(target=watch, daemon=True).start()

    def stop_leftovers(self) -> None:
        """Web and worker processes of an earlier run that ended without stopping them."""
        for name in ("web", "worker"):
            pid_file = self.root / f"{name}.pid"
            if not pid_file.exists():
                continue
            try:
                os.killpg(int(pid_file.read_text().strip()), signal.SIGTERM)
                log(f"stopped the {name} processes of an earlier run")
                time.sleep(2)
            except (ProcessLookupError, ValueError, PermissionError):
                pass
            pid_file.unlink()

    def stop_web(self) -> None:
        self._stop(self.web)
        self.web = None

    def stop_worker(self) -> None:
        self._stop(self.worker)
        self.worker = None

    def start(self, demo: bool = True) -> None:
        self.ensure_packages()
        self.stop_leftovers()
        self.start_postgres()
        self.start_redis()
        self.prepare(demo=demo)
        for stale in (self.root / "metrics").glob("*.db"):
            stale.unlink()  # counters of processes of an earlier run
        self.start_worker()
        self.start_web()

    def stop(self) -> None:
        self._supervising.clear()
        time.sleep(1.1)  # the watcher's last look is over
        self.stop_web()
        self.stop_worker()
        self.stop_redis()
        self.stop_postgres()


def stop_on_sigterm() -> None:
    """SIGTERM (a `timeout`, a service manager) stops the stack as Ctrl-C does."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stop", action="store_true", help="stop a stack left running")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo region")
    args = parser.parse_args()
    stack = Stack()
    if args.stop:
        stack._prepare_dirs()
        stack.stop_leftovers()
        stack.stop_redis()
        stack.stop_postgres()
        return
    try:
        stack.start(demo=not args.no_demo)
        log(f"ready: {stack.base_url}/ (health {stack.base_url}/healthz, readiness /readyz,")
        log(f"metrics /metrics); logs in {stack.logs}; Ctrl-C stops everything")
        stack.supervise()
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        log("stopping")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
