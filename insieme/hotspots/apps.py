from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "insieme.hotspots"
    label = "hotspots"
    verbose_name = _("Hotspots")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_permissions,
        )
        from insieme.hotspots import bench, demo

        register_permissions(self.label, [p for p in Perm if p.value.startswith("hotspots:")])
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        section = core_staff.Section(
            "hotspots:staff_map",
            _("Hotspots"),
            _("Places where reports keep coming back, on a map and in a table."),
            Perm.HOTSPOT_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
