from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "insieme.improvements"
    label = "improvements"
    verbose_name = _("Improvement backlog")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_demo_seed,
            register_indicator,
            register_permissions,
        )
        from insieme.improvements import demo, demo_insights, indicators

        register_permissions(self.label, [p for p in Perm if p.value.startswith("improvements:")])
        register_demo_seed(demo.SEED)
        register_demo_seed(demo_insights.SEED)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        # The administration's dashboard: a link to the backlog.
        section = core_staff.Section(
            "improvements:staff_list",
            _("Improvement backlog"),
            _("Insights turned into actions: owners, links to co-design, and the measured effect."),
            Perm.IMPROVEMENT_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
