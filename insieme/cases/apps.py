from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "insieme.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from insieme.cases import bench, bench_pages, bench_queue, demo, home, indicators
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_home_section,
            register_indicator,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("cases:")])

        register_demo_seed(demo.SEED)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        register_benchmark(bench.BENCHMARK)
        register_benchmark(bench_queue.BENCHMARK)
        register_benchmark(bench_pages.BENCHMARK)
        for section in home.SECTIONS:
            register_home_section(section)
        # What integrators can subscribe to (webhooks); the payloads carry public data only.
        from insieme.core import events

        for name, description in [
            ("case.created", _("A request or application was filed.")),
            ("case.status_changed", _("A case moved to another status.")),
            ("case.public_reply", _("The administration replied publicly on a case.")),
            ("case.information_requested", _("Staff asked the filer for missing information.")),
            ("case.rated", _("The filer rated the outcome of a case.")),
        ]:
            events.register_event_type(name, description)
