from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "insieme.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self) -> None:
        from insieme.budgets import demo, panels
        from insieme.core import events
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            ApiRoutes,
            register_api_routes,
            register_demo_seed,
            register_page_panel,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("budgets:")])
        register_demo_seed(demo.SEED)
        register_page_panel(panels.PROCESS_PANEL)
        # Read endpoints: /api/v1/budgets/ (insieme.budgets.api).
        register_api_routes(ApiRoutes("budgets", "budgets/", "insieme.budgets.api", self.label))
        # What integrators can subscribe to (webhooks): public budgets only, never who voted.
        events.register_event_type(
            "budgets.results_published",
            _("The results of a participatory budget were published: the funded projects."),
        )
        for section in panels.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.budgets import personal_data
        from insieme.core.registry import register_personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
