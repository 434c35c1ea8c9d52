from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "insieme.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from insieme.cases.models import Case
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_permissions,
        )
        from insieme.dashboards import bench, demo, panels, rollups

        register_permissions(self.label, [p for p in Perm if p.value.startswith("dashboards:")])
        panels.register_builtin()
        pre_delete.connect(rollups.on_case_deleted, sender=Case, dispatch_uid="rollups-forget")
        register_benchmark(bench.BENCHMARK)
        register_demo_seed(demo.SEED)
        section = core_staff.Section(
            "dashboards:page",
            _("Dashboards"),
            _(
                "Demand, use by hour and channel, backlog, promises kept, times to answer, team "
                "workload, cost and burden, satisfaction, data quality, rules and templates, "
                "participation: each chart with its table and CSV."
            ),
            Perm.DASHBOARD_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
