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
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core.registry import register_personal_data
        from insieme.deliberation import personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
