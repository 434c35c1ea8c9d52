from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TailoringConfig(AppConfig):
    name = "insieme.tailoring"
    label = "tailoring"
    verbose_name = _("Tailoring")

    def ready(self) -> None:
        from insieme.core.registry import (
            register_demo_seed,
            register_indicator,
            register_page_panel,
            register_prefill,
        )
        from insieme.tailoring import demo, indicators, prefill

        # The filing form's once-only prefill, its notice above the form, and what it measures.
        register_prefill(prefill.PREFILL)
        register_page_panel(prefill.NOTICE)
        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        register_demo_seed(demo.SEED)
