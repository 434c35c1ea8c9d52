"""Where the processes of one installation keep their metrics (prometheus_client's multiprocess
mode), without importing prometheus_client: the mode is chosen when it is first imported, from
PROMETHEUS_MULTIPROC_DIR, so the commands set that variable before anything imports it.

Layout under settings.METRICS_DIR (INSIEME_METRICS_DIR, default var/metrics): `web/` for the
gunicorn workers of `insieme serve`, `worker/` for the Celery processes of `insieme worker`. Each
process writes its own files (`counter_<pid>.db`, ...); /metrics adds up every file of both
folders, so the answer is the same whichever web worker answers the scrape.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
_PID = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def prepare(service: str, *, wipe: bool) -> Path:
    """Create METRICS_DIR/<service>, remove what earlier runs left there (every file with
    `wipe`, as `insieme serve` does before its workers start; else the files of processes no
    longer running, as `insieme worker` does, since more than one may share the folder), and
    point this process and its children at it (PROMETHEUS_MULTIPROC_DIR)."""
    from django.conf import settings

    folder = Path(settings.METRICS_DIR) / service
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        match = _PID.search(path.name)
        if wipe or (match and not _alive(int(match.group(1)))):
            path.unlink(missing_ok=True)
    os.environ[ENV] = str(folder)
    return folder


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def files() -> list[str]:
    """Every metrics file to add up: those of PROMETHEUS_MULTIPROC_DIR and of each service's
    folder under METRICS_DIR (they are the same files when the commands set the variable)."""
    from django.conf import settings

    found: set[str] = set()
    own = os.environ.get(ENV)
    if own:
        found.update(str(p.resolve()) for p in Path(own).glob("*.db"))
    found.update(str(p.resolve()) for p in Path(settings.METRICS_DIR).glob("*/*.db"))
    return sorted(found)
