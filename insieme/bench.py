"""`make bench`: run every registered benchmark on a throw-away database holding the demo region.

Prints a human-readable report, then one line per figure:
`bench <name> value=<number> unit=<unit> baseline=<number> ratio=<number> n=<data size>`.
BENCH_SIZE=small uses the default demo size; the default (`full`) uses the scale data set.
BENCH_ONLY=app-or-key,... runs only the benchmarks of those apps or with those keys.
"""

from __future__ import annotations

import os
import sys
import time

FULL_REQUESTS = 1_000_000


def _ground_truth_path():
    from pathlib import Path

    from django.conf import settings

    return Path(settings.VAR_DIR) / "bench" / "ground-truth.json"


def _load_demo(call_command, options: dict) -> None:
    from insieme.core import progress

    progress.note(f"bench: loading the demo ({options.get('requests', 'default')} requests)")
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command("demo", verbosity=0, stdout=devnull, **options)
    print(f"  demo region loaded in {time.perf_counter() - started:.1f} s")


def selected(benchmarks, only: str) -> list:
    """The benchmarks that BENCH_ONLY (`only`: apps or keys, comma-separated; empty for all)
    names, in their order. Raises ValueError naming what matches none."""
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    if not wanted:
        return list(benchmarks)
    known = {b.app for b in benchmarks} | {b.key for b in benchmarks}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(
            f"BENCH_ONLY names no benchmark: {', '.join(unknown)} "
            f"(apps and keys: {', '.join(sorted(known))})"
        )
    return [b for b in benchmarks if b.app in wanted or b.key in wanted]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insieme.settings")
    import django

    django.setup()
    from insieme.core import progress

    # The report goes to standard output; progress (stages, bars, time left) to standard error.
    with progress.reporting():
        return _run()


def _run() -> int:
    from django.core.management import call_command
    from django.db import connection

    from insieme.core import progress
    from insieme.core.registry import benchmarks

    try:
        benchmarks = selected(benchmarks, os.environ.get("BENCH_ONLY", ""))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    ground_truth = _ground_truth_path()
    # Benchmarks that measure quality read this run's ground truth (not the laptop demo's).
    os.environ["INSIEME_GROUND_TRUTH"] = str(ground_truth)

    # As tests do: pages requested through django.test.Client are allowed ('testserver'), and
    # e-mails stay in memory rather than reaching a configured server.
    from django.test.utils import setup_test_environment

    setup_test_environment()
    size = os.environ.get("BENCH_SIZE", "full")
    if size not in ("small", "full"):
        print("BENCH_SIZE must be 'small' or 'full'", file=sys.stderr)
        return 2
    # Pages are measured as production serves them: with the hashed static-file manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    old_name = connection.settings_dict["NAME"]
    with_baseline = [b for b in benchmarks if b.baseline is not None]
    lines = []
    if size == "full" and with_baseline:
        # Figures compared across data sizes: measured first on the default demo, then the
        # throw-away database is made again for the run's own data.
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            print(f"Baselines on a throw-away {connection.vendor} database, default demo size")
            _load_demo(call_command, {"ground_truth": str(ground_truth)})
            for number, bench in enumerate(with_baseline, 1):
                progress.note(f"bench: baseline {bench.key} ({number}/{len(with_baseline)})")
                bench.baseline(size)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"Benchmarks on a throw-away {connection.vendor} database ({test_db}), size={size}")
        options = {"ground_truth": str(ground_truth)}
        if size == "full":
            options["requests"] = FULL_REQUESTS
        _load_demo(call_command, options)
        for number, bench in enumerate(benchmarks, 1):
            progress.note(f"bench: {bench.key} ({number}/{len(benchmarks)})")
            if size != "full" and bench.baseline is not None:
                bench.baseline(size)  # the same data at this size: the ratio is about 1
            for line in bench.run(size):
                lines.append(line)
                print(
                    f"  {line.name}: {line.value:.4g} {line.unit}"
                    + (
                        f" (baseline {line.baseline:.4g}, ratio {line.value / line.baseline:.3g})"
                        if line.baseline
                        else ""
                    )
                    + f", n={line.n}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    # The summary: every figure of the run, one line each, for a script to read.
    print(f"Summary ({len(lines)} figures, {connection.vendor}, size={size}):")
    for line in lines:
        print(line.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
