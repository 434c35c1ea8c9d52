from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "insieme.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from insieme.catalog import bench, demo, home, indicators
        from insieme.catalog import datasets as open_datasets
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_dataset,
            register_demo_seed,
            register_home_section,
            register_indicator,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("catalog:")])
        for dataset in open_datasets.DATASETS:
            register_dataset(dataset)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        register_home_section(home.SEARCH)
