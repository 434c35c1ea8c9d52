from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "insieme.community"
    label = "community"
    verbose_name = _("Community survey")

    def ready(self) -> None:
        from insieme.community import bench, demo, results
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_community,
            register_demo_seed,
            register_permissions,
        )

        register_permissions(self.label, [p for p in Perm if p.value.startswith("community:")])
        # The Scorecard's "what residents say" side of the cells residents can judge.
        register_community("community", results.community)
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        section = core_staff.Section(
            "community:rounds",
            _("Community survey"),
            _("What residents say about trust, services and taking part, by area and over time."),
            Perm.SCORECARD_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.community import personal_data
        from insieme.core.registry import register_personal_data

        for item in personal_data.SECTIONS:
            register_personal_data(item)
