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
            Benchmark,
            register_benchmark,
            register_dataset,
            register_demo_seed,
            register_home_section,
            register_indicator,
            register_permissions,
        )
        from insieme.participation import (
            actions,
            bench_spam,
            case_comments,
            demo,
            home,
            indicators,
            threads,
        )
        from insieme.participation import datasets as open_datasets

        register_permissions(self.label, [p for p in Perm if p.value.startswith("participation:")])
        for dataset in open_datasets.DATASETS:
            register_dataset(dataset)
        register_demo_seed(demo.SEED)
        register_home_section(home.OPEN_PROCESSES)
        # Comment threads: processes and ideas, and the public cases' pages.
        threads.register_builtin_targets()
        case_comments.register()
        register_benchmark(Benchmark("participation_spam", bench_spam.run, app="participation"))
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        # What integrators can subscribe to (webhooks): public processes only, never who.
        for name, description in [
            ("participation.idea_created", _("Someone proposed an idea in a public process.")),
            ("participation.idea_answered", _("The administration answered an idea officially.")),
            ("participation.phase_started", _("A phase of a public process began.")),
        ]:
            events.register_event_type(name, description)
        events.register_internal_event_type(actions.IDEA_DECIDED)
        # The administration's dashboard lists a link per section the person's role allows.
        # core keeps that list (core.views_staff.SECTIONS); participation adds its own to it
        # here, once, rather than core naming a later app's screens.
        for section in home.staff_sections(core_staff.Section):
            if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
                core_staff.SECTIONS.append(section)
        # Read endpoints of the REST API (/api/v1/processes/, /api/v1/ideas/) and the
        # process page's benchmark (insieme.participation.api, .bench_page).
        from insieme.core.registry import ApiRoutes, register_api_routes, register_benchmark
        from insieme.participation import bench_page

        register_api_routes(
            ApiRoutes("participation", "", "insieme.participation.api", app=self.label)
        )
        register_benchmark(bench_page.BENCHMARK)
        # Its part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core.registry import register_personal_data
        from insieme.participation import personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
