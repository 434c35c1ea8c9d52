from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "insieme.topics"
    label = "topics"
    verbose_name = _("Topics in the free text")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            Benchmark,
            register_benchmark,
            register_demo_seed,
            register_permissions,
        )
        from insieme.topics import bench, demo

        register_permissions(self.label, [p for p in Perm if p.value.startswith("topics:")])
        register_demo_seed(demo.SEED)
        register_benchmark(Benchmark("topics", bench.run, app="topics"))
        # The administration's dashboard: a link to the topics.
        section = core_staff.Section(
            "topics:staff_list",
            _("Topics in the free text"),
            _("What cases, ideas and comments talk about, and which topics are rising."),
            Perm.TOPIC_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
