"""BENCH_ONLY picks benchmarks by app or key, in their order; a name that matches none is refused
with the names there are, before anything is measured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from insieme.bench import selected
from insieme.core.registry import benchmarks


def test_empty_means_every_benchmark():
    assert selected(benchmarks, "") == list(benchmarks)
    assert selected(benchmarks, " , ") == list(benchmarks)


def test_apps_and_keys_in_the_registry_order():
    picked = selected(benchmarks, "insights, dashboards.page")
    assert [b.key for b in picked] == [
        b.key for b in benchmarks if b.app == "insights" or b.key == "dashboards.page"
    ]
    assert {b.app for b in picked} == {"insights", "dashboards"}


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"names no benchmark: nothing.*apps and keys: .*insights"):
        selected(benchmarks, "insights,nothing")


def test_make_bench_stops_at_once_on_an_unknown_name():
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "BENCH_ONLY": "nothing", "DJANGO_SETTINGS_MODULE": "insieme.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "insieme.bench"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "BENCH_ONLY names no benchmark: nothing" in done.stderr
