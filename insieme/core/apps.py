from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "insieme.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.urls import register_converter

        from insieme.core import bench, bench_accounts, demo, sessions  # noqa: F401 - receivers
        from insieme.core.permissions import Perm
        from insieme.core.registry import (
            register_benchmark,
            register_demo_seed,
            register_permissions,
        )
        from insieme.core.safe_input import RowIdConverter

        register_converter(RowIdConverter, "id")
        register_permissions(self.label, [p for p in Perm if p.value.startswith("core:")])
        register_demo_seed(demo.SEED)
        register_benchmark(bench.BENCHMARK)
        register_benchmark(bench_accounts.BENCHMARK)
        # The account's part of a person's copy of their own data (insieme.privacy.export).
        from insieme.core import personal_data
        from insieme.core.registry import register_personal_data

        for section in personal_data.SECTIONS:
            register_personal_data(section)
