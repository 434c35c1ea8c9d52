"""A small closed-loop HTTP load generator for `make bench` (standard library only).

`python -m insieme.ops.httpload URL --seconds S --connections C [--header 'Name: value']...`
keeps C persistent connections busy, each sending the next GET as soon as the last answer is
read, for S seconds after a warm-up (`--warm-up`, one second) whose answers are not counted, and prints one JSON object: requests answered,
requests per second, the p50 and p95 latency in milliseconds and the count of answers by status.

It runs in its own process so that the server's processes and it share the cores the way any
load generator on the same machine would; the figures it prints are only ever compared with a
bare view measured by the same generator in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit

WARM_UP_SECONDS = 1.0


def _worker(url, headers, stop_at, warm_until, latencies, statuses, lock) -> None:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = None
    mine: list[float] = []
    counts: dict[str, int] = {}
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        if connection is None:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            status = "error"
            connection.close()
            connection = None
        done = time.perf_counter()
        if now >= warm_until:
            mine.append(done - now)
            counts[status] = counts.get(status, 0) + 1
    if connection is not None:
        connection.close()
    with lock:
        latencies.extend(mine)
        for status, n in counts.items():
            statuses[status] = statuses.get(status, 0) + n


def measure(
    url: str,
    seconds: float,
    connections: int,
    headers: dict[str, str],
    warm_up: float = WARM_UP_SECONDS,
) -> dict:
    """Load `url` with `connections` persistent connections for `seconds` after `warm_up`
    seconds whose answers are not counted."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    warm_until = time.perf_counter() + warm_up
    stop_at = warm_until + seconds
    threads = [
        threading.Thread(
            target=_worker,
            args=(url, headers, stop_at, warm_until, latencies, statuses, lock),
            daemon=True,
        )
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    answered = len(latencies)
    return {
        "requests": answered,
        "rps": answered / seconds,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[int(0.95 * (answered - 1))] * 1000 if latencies else None,
        "statuses": statuses,
    }


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"a header is 'Name: value', not {text!r}")
    return name.strip(), value.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warm-up", type=float, default=WARM_UP_SECONDS)
    parser.add_argument("--header", type=_header, action="append", default=[])
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.connections < 1 or args.warm_up < 0:
        parser.error("--seconds must be above 0, --warm-up not below 0, --connections at least 1")
    if urlsplit(args.url).scheme != "http":
        parser.error("only http:// URLs are measured")
    result = measure(args.url, args.seconds, args.connections, dict(args.header), args.warm_up)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
