from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "insieme.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from insieme.core import events
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_demo_seed,
            register_page_panel,
            register_permissions,
        )
        from insieme.surveys import actions, demo, panels

        register_permissions(self.label, [p for p in Perm if p.value.startswith("surveys:")])
        events.register_event_type(
            actions.OPENED_EVENT,
            _(
                "A survey everyone may answer was opened (its title and address, never who answers)."
            ),
        )
        for panel in panels.PANELS:
            register_page_panel(panel)
        register_demo_seed(demo.SEED)
        # The administration's dashboard: a link to the surveys for those who manage them.
        for section in panels.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core.registry import register_personal_data
        from insieme.surveys import personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
