from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "insieme.places"
    label = "places"
    verbose_name = _("Street register")

    def ready(self) -> None:
        from insieme.core.registry import register_benchmark, register_demo_seed
        from insieme.places import bench, demo

        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
