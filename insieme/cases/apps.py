from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "insieme.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from insieme.cases import bench, demo, indicators
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_indicator,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("cases:")])

        register_demo_seed(demo.SEED)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        register_benchmark(bench.BENCHMARK)
