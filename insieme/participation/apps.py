from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "insieme.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from insieme.core import events
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_demo_seed,
            register_home_section,
            register_permissions,
        )
        from insieme.participation import demo, home

        register_permissions(self.label, [p for p in Perm if p.value.startswith("participation:")])
        register_demo_seed(demo.SEED)
        register_home_section(home.OPEN_PROCESSES)
        # What integrators can subscribe to (webhooks): public processes only, never who.
        for name, description in [
            ("participation.idea_created", _("Someone proposed an idea in a public process.")),
            ("participation.idea_answered", _("The administration answered an idea officially.")),
            ("participation.phase_started", _("A phase of a public process began.")),
        ]:
            events.register_event_type(name, description)
        # The administration's dashboard lists a link per section the person's role allows.
        # core keeps that list (core.views_staff.SECTIONS); participation adds its own to it
        # here, once, rather than core naming a later app's screens.
        for section in home.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
