from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "insieme.reports"
    label = "reports"
    verbose_name = _("Scorecard reports")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm

        # The administration's dashboard: a link to the report (those who read the Scorecard).
        section = core_staff.Section(
            "reports:scorecard",
            _("Scorecard report"),
            _(
                "The seventeen cells for a day you choose: to print, as a PDF, and every "
                "indicator's series as CSV."
            ),
            Perm.SCORECARD_READ,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
