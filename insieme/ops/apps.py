from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "insieme.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.core import checks as django_checks

        from insieme.ops import checks, signals

        django_checks.register(checks.secret_files, checks.TAG)
        django_checks.register(checks.production_settings, checks.TAG)
        signals.connect()
