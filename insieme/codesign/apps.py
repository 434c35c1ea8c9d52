from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesignConfig(AppConfig):
    name = "insieme.codesign"
    label = "codesign"
    verbose_name = _("Co-design")

    def ready(self) -> None:
        from insieme.codesign import actions, comments, demo, panels
        from insieme.core import events
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_consent_purpose,
            register_demo_seed,
            register_page_panel,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("codesign:")])
        events.register_event_type(
            actions.ADOPTED_EVENT,
            _("A service changed through co-design: a proposal was adopted."),
        )
        # An accepted idea becomes a work item in the answer's own transaction.
        events.listen(actions.on_idea_answered, in_transaction=True)
        for panel in panels.PANELS:
            register_page_panel(panel)
        # Participants comment on a proposal open for comments (participation's threads).
        comments.register()
        register_demo_seed(demo.SEED)
        # Inviting people to co-design is optional processing: only with their consent.
        from insieme.codesign import contacts

        register_consent_purpose(contacts.PURPOSE)
        for section in panels.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
