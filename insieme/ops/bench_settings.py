"""Settings of the server `make bench` measures requests per second on: the production settings,
with one more URL, a bare Django view (`/__bench/bare`), as the same run's baseline."""

from insieme.settings import *  # noqa: F403

ROOT_URLCONF = "insieme.ops.bench_urls"
