from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "insieme.open311"
    label = "open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self) -> None:
        from insieme.core.registry import register_benchmark
        from insieme.core.safe_input import register_bad_request_format
        from insieme.open311 import bench, formats, tasks  # noqa: F401 - tasks: the Celery task

        register_benchmark(bench.BENCHMARK)
        register_bad_request_format("/open311/", formats.bad_request_response)
