"""On the demo region: the page answers for the region's administrator (every panel computed
over the region and its municipalities), and the benchmark prints its line."""

from __future__ import annotations

import re

from insieme.core.registry import benchmarks
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)


def test_the_benchmark_measures_the_page_on_the_demo(loaded_demo):  # noqa: F811
    lines = benchmarks.get("dashboards.page").run("small")
    assert len(lines) == 1
    line = lines[0].format()
    print(line)
    assert re.fullmatch(
        r"bench dashboards-page value=\S+ unit=ms baseline=\S+ ratio=\S+ n=\d+", line
    )
    assert lines[0].n > 1000  # the region's cases
