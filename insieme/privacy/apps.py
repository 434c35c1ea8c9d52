from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "insieme.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from insieme.core import views_staff as core_staff
        from insieme.core.permissions import Perm
        from insieme.core.registry import register_page_panel, register_permissions
        from insieme.privacy import views_account

        register_permissions(self.label, [p for p in Perm if p.value.startswith("privacy:")])
        register_page_panel(views_account.ACCOUNT_PANEL)
        section = core_staff.Section(
            "privacy:staff_home",
            _("Data protection"),
            _("Personal data found in free text, and the requests of data subjects."),
            Perm.PRIVACY_MANAGE,
        )
        if all(s.url_name != section.url_name for s in core_staff.SECTIONS):
            core_staff.SECTIONS.append(section)
        # The personal-data scanner's Scorecard indicator (D3) and demo seed. Its command and its
        # Celery task (insieme.privacy.tasks.scan_all) are found by Django's and Celery's own
        # discovery.
        from insieme.core.registry import register_demo_seed, register_indicator
        from insieme.privacy import demo_findings, demo_retention, indicators

        for indicator in indicators.INDICATORS:
            register_indicator(indicator)
        register_demo_seed(demo_findings.SEED)
        register_demo_seed(demo_retention.SEED)
        # A person's copy of their own data: privacy's own part, and the cases' part, kept
        # here because the cases app must not grow (insieme.privacy.providers_cases).
        from insieme.core.registry import register_personal_data
        from insieme.privacy import providers_cases, providers_privacy

        for item in (*providers_cases.SECTIONS, *providers_privacy.SECTIONS):
            register_personal_data(item)
        # Consent to optional processing: this app keeps the decisions and answers every app's
        # question (insieme.core.consent); the purposes are each app's own.
        from insieme.core import consent
        from insieme.privacy import consents, demo_consents

        consent.register_provider(consents.PROVIDER)
        register_demo_seed(demo_consents.SEED)
