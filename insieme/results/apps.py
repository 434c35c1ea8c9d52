from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "insieme.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        from insieme.core import events
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            ApiRoutes,
            register_api_routes,
            register_demo_seed,
            register_indicator,
            register_page_panel,
            register_permissions,
        )
        from insieme.results import actions, comments, demo, indicators, panels

        register_permissions(self.label, [p for p in Perm if p.value.startswith("results:")])
        # What integrators can subscribe to (webhooks): publicly visible results only, never who.
        for name, description in [
            ("results.result_published", _("A result of the administration was published.")),
            ("results.progress_updated", _("The progress or status of a result changed.")),
        ]:
            events.register_event_type(name, description)
        # An accepted idea becomes a result in the same transaction as the answer.
        events.listen(actions.on_idea_answered, in_transaction=True)
        # Comments on a result: participation's threads, moderation and spam filter.
        comments.register()
        register_demo_seed(demo.SEED)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        for panel in panels.PANELS:
            register_page_panel(panel)
        register_api_routes(
            ApiRoutes(
                key="results", prefix="results/", urls="insieme.results.api_urls", app=self.label
            )
        )
        # The administration's dashboard: a link to the results' staff screens.
        for section in panels.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core.registry import register_personal_data
        from insieme.results import personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
