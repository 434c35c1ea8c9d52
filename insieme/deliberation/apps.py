from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "insieme.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        from insieme.core.registry import Benchmark, register_benchmark, register_demo_seed
        from insieme.deliberation import bench_opinion, demo

        register_demo_seed(demo.SEED)
        register_benchmark(Benchmark("opinion_groups", bench_opinion.run, app=self.label))
