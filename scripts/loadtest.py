"""`make loadtest`: production mode under a realistic mix of people, then a count of what was kept.

Starts production mode (scripts/prodlocal.py: PostgreSQL, Redis, several web processes, a Celery
worker), runs the mix of scripts/locustfile.py with LOADTEST_USERS people (200) for
LOADTEST_SECONDS (300), prints throughput, p50/p95/p99 and errors per kind of request, then
checks that every submission the server acknowledged is in the database exactly once. Ends with
the bench lines of ../shared/DESIGN.md §6.

All simulated people come from 127.0.0.1, so the per-address rate limits (meant for one person)
are lifted for the run; per-key and per-person limits keep their meaning but are raised too, as
a few demo accounts stand for many people.
"""

# ruff: noqa: S603, S607 - this tool runs fixed programs (PostgreSQL, Redis, insieme, locust)
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodlocal import ROOT, Stack, env_int, log, stop_on_sigterm  # noqa: E402

GOAL_P95_MS = 500.0
LIFTED_LIMITS = {
    "INSIEME_OPEN311_RATE_ADDRESS": "100000/minute",
    "INSIEME_OPEN311_RATE_KEY": "100000/minute",
    "INSIEME_API_RATE_KEY": "100000/minute",
    "INSIEME_API_RATE_USER": "100000/minute",
    "INSIEME_API_RATE_ADDRESS": "100000/minute",
    "INSIEME_LOGIN_RATE_LIMIT": "100000",
    "INSIEME_WEBHOOKS_ALLOW_PRIVATE": "true",
}


def settings_from_env() -> tuple[int, int]:
    users = env_int("LOADTEST_USERS", 200, 1, 5000)
    seconds = env_int("LOADTEST_SECONDS", 300, 10, 86400)
    return users, seconds


def make_api_key(stack: Stack) -> str:
    result = stack.run(
        "apikey",
        "create",
        "--name",
        f"loadtest {time.strftime('%Y-%m-%d %H:%M')}",
        "--administration",
        "lago-verde",
        "--scope",
        "cases:read",
        "--scope",
        "cases:write",
        "--scope",
        "open311:write",
        "--scope",
        "services:read",
        capture=True,
    )
    return result.stdout.strip().splitlines()[-1]


def run_locust(
    stack: Stack, users: int, seconds: int, prefix: Path, acks: Path, key: str
) -> subprocess.Popen:
    env = {
        **os.environ,
        "LOADTEST_ACKS": str(acks),
        "LOADTEST_API_KEY": key,
    }
    spawn_rate = max(1.0, users / max(5.0, min(30.0, seconds / 6)))
    argv = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "scripts" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:.2f}",
        "--run-time",
        f"{seconds}s",
        "--host",
        stack.base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    out = open(stack.logs / "locust.log", "wb")  # noqa: SIM115 - the child keeps it open
    return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def read_stats(prefix: Path) -> tuple[list[dict], dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return [r for r in rows if r["Name"] != "Aggregated"], total


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def check_submissions(stack: Stack, acks: Path, settle_seconds: float = 120) -> dict:
    """Every acknowledged submission in the database exactly once (waiting for the worker to
    file queued ones); markers found twice are duplicates, acknowledged or not."""
    import psycopg

    acknowledged = []
    if acks.exists():
        acknowledged = [json.loads(line) for line in acks.read_text().splitlines() if line]
    wanted = {a["marker"] for a in acknowledged}
    deadline = time.monotonic() + settle_seconds
    while True:
        counts: dict[str, int] = {}
        with psycopg.connect(stack.database_url) as conn:
            for (description,) in conn.execute(
                "SELECT description FROM cases_case WHERE description LIKE %s", ("%[lt-%",)
            ):
                start = description.rfind("[lt-")
                tag = description[start + 1 : description.find("]", start)]
                counts[tag] = counts.get(tag, 0) + 1
        lost = sorted(wanted - set(counts))
        if not lost or time.monotonic() > deadline:
            break
        time.sleep(2)
    duplicates = sorted(tag for tag, n in counts.items() if n > 1)
    by_channel: dict[str, int] = {}
    for ack in acknowledged:
        by_channel[ack["channel"]] = by_channel.get(ack["channel"], 0) + 1
    return {
        "acknowledged": len(acknowledged),
        "by_channel": by_channel,
        "stored": sum(counts.values()),
        "lost": lost,
        "duplicates": duplicates,
    }


def report(rows: list[dict], total: dict, seconds: float, failures: list[dict]) -> dict:
    log(f"{'request':<28} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}")
    for row in sorted(rows, key=lambda r: -int(r["Request Count"])):
        log(
            f"{row['Name'][:28]:<28} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {float(row['Requests/s']):>7.1f}"
        )
    figures = {
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
    }
    log(
        f"all: {figures['requests']} requests in {seconds:.0f} s, {figures['rps']:.1f}/s; "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms; "
        f"{figures['errors']} errors"
    )
    for failure in failures[:20]:
        log(
            f"  error: {failure.get('Method')} {failure.get('Name')}: {failure.get('Error')} "
            f"x{failure.get('Occurrences')}"
        )
    return figures


def bench_line(name: str, value: float, unit: str, n: int, baseline: float | None = None) -> str:
    line = f"bench {name} value={value:g} unit={unit}"
    if baseline is not None:
        line += f" baseline={baseline:g} ratio={value / baseline if baseline else 0:.4g}"
    return line + f" n={n}"


def main() -> int:
    users, seconds = settings_from_env()
    stop_on_sigterm()
    stack = Stack()
    stack.extra_env.update(LIFTED_LIMITS)
    out = stack.root / "loadtest"
    out.mkdir(parents=True, exist_ok=True)
    acks = out / "acks.jsonl"
    acks.unlink(missing_ok=True)
    try:
        stack.start()
        stack.supervise()
        key = make_api_key(stack)
        log(f"load: {users} people for {seconds} s against {stack.base_url}")
        started = time.monotonic()
        locust = run_locust(stack, users, seconds, out / "stats", acks, key)
        locust.wait(seconds + 120)
        elapsed = time.monotonic() - started
        rows, total = read_stats(out / "stats")
        figures = report(rows, total, elapsed, read_failures(out / "stats"))
        check = check_submissions(stack, acks)
    finally:
        if not os.environ.get("LOADTEST_KEEP"):
            stack.stop()
    log(
        f"submissions: {check['acknowledged']} acknowledged {check['by_channel']}, "
        f"{len(check['lost'])} lost, {len(check['duplicates'])} duplicated"
    )
    for tag in check["lost"][:10]:
        log(f"  lost: {tag}")
    correct = figures["errors"] == 0 and not check["lost"] and not check["duplicates"]
    fast = figures["p95"] < GOAL_P95_MS
    print(bench_line("loadtest_rps", figures["rps"], "req/s", users))
    print(bench_line("loadtest_p50", figures["p50"], "ms", users))
    print(bench_line("loadtest_p95", figures["p95"], "ms", users, baseline=GOAL_P95_MS))
    print(bench_line("loadtest_p99", figures["p99"], "ms", users))
    print(bench_line("loadtest_errors", figures["errors"], "requests", figures["requests"]))
    print(
        bench_line("loadtest_lost_submissions", len(check["lost"]), "count", check["acknowledged"])
    )
    print(
        bench_line(
            "loadtest_duplicate_submissions",
            len(check["duplicates"]),
            "count",
            check["acknowledged"],
        )
    )
    log(
        f"correctness (0 errors, 0 lost, 0 duplicated): {'met' if correct else 'NOT MET'}; "
        f"p95 under {GOAL_P95_MS:g} ms: {'met' if fast else 'NOT MET'}"
    )
    # A time on a shared machine is a measurement, not a verdict: only LOADTEST_STRICT=1 (a
    # quiet machine) makes a slow p95 fail the command; errors and lost work always do.
    return 0 if correct and (fast or not strict()) else 1


def strict() -> bool:
    return os.environ.get("LOADTEST_STRICT", "").lower() in ("1", "true", "yes")


if __name__ == "__main__":
    sys.exit(main())
