from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerceptionConfig(AppConfig):
    name = "insieme.perception"
    label = "perception"
    verbose_name = _("Staff perception survey")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_demo_seed,
            register_perception,
            register_permissions,
        )
        from insieme.perception import demo, results

        register_permissions(self.label, [p for p in Perm if p.value.startswith("perception:")])
        # The Scorecard's "what employees report" side of every cell.
        register_perception("perception", results.perceived)
        register_demo_seed(demo.SEED)
        for section in (
            core_staff.Section(
                "perception:answer",
                _("Staff survey"),
                _("Say how co-production works for you: anonymous, a few minutes."),
                Perm.SERVICE_READ,
            ),
            core_staff.Section(
                "perception:rounds",
                _("Staff survey rounds"),
                _("Open and close rounds of the staff survey; see its results."),
                Perm.PERCEPTION_MANAGE,
            ),
        ):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core.registry import register_personal_data
        from insieme.perception import personal_data

        for item in personal_data.SECTIONS:
            register_personal_data(item)
