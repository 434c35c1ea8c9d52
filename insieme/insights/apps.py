from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insieme.insights"
    label = "insights"
    verbose_name = _("Insights and Scorecard")

    def ready(self) -> None:
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_home_section,
            register_permissions,
        )
        from insieme.insights import bench, bench_duckdb, demo, home

        register_permissions(self.label, [p for p in Perm if p.value.startswith("insights:")])
        register_home_section(home.FIGURES)
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        register_benchmark(bench_duckdb.BENCHMARK)
