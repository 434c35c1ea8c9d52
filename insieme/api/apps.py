from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "insieme.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from insieme.api import bench, bench_throughput
        from insieme.core.registry import register_benchmark

        register_benchmark(bench.BENCHMARK)
        register_benchmark(bench_throughput.BENCHMARK)

        from insieme.api.errors import bad_request_response
        from insieme.core.safe_input import register_bad_request_format

        register_bad_request_format("/api/", bad_request_response)
