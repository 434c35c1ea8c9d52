from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "insieme.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_dataset,
            register_demo_seed,
            register_indicator,
            register_permissions,
        )
        from insieme.core.safe_input import register_bad_request_format
        from insieme.opendata import bench, ckan, demo, indicators, sources_cases

        register_permissions(self.label, [p for p in Perm if p.value.startswith("opendata:")])
        register_demo_seed(demo.SEED)
        # The CKAN API answers malformed requests in CKAN's shape, not the REST API's.
        for prefix in ("/api/action/", "/api/3/action/"):
            register_bad_request_format(prefix, ckan.bad_request_response)
        register_benchmark(bench.BENCHMARK)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        for dataset in sources_cases.DATASETS:
            register_dataset(dataset)
        section = core_staff.Section(
            "opendata:staff_datasets",
            _("Open data"),
            _("Publish, review and withdraw anonymised datasets."),
            Perm.OPENDATA_MANAGE,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
