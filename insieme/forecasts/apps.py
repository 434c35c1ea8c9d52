from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastsConfig(AppConfig):
    name = "insieme.forecasts"
    label = "forecasts"
    verbose_name = _("Demand forecasts")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_permissions,
        )
        from insieme.forecasts import bench, demo

        register_permissions(self.label, [p for p in Perm if p.value.startswith("forecasts:")])
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        # The administration's dashboard: a link to the forecasts.
        section = core_staff.Section(
            "forecasts:staff_page",
            _("Demand forecasts"),
            _(
                "Requests expected in the next eight weeks per service, how far the forecast has "
                "erred, and alerts when demand departs from it."
            ),
            Perm.FORECAST_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
