from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "insieme.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from insieme.core import events
        from insieme.core.permissions import Perm
        from insieme.core.registry import register_permissions
        from insieme.webhooks.actions import record_event

        register_permissions(self.label, [p for p in Perm if p.value.startswith("webhooks:")])
        # An outbox: delivery rows commit with the write that caused the event, or not at all.
        events.listen(record_event, in_transaction=True)
