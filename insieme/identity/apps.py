from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "insieme.identity"
    label = "identity"
    verbose_name = _("Sign-in with digital identity")

    def ready(self) -> None:
        from insieme.core.registry import register_page_panel, register_personal_data
        from insieme.identity import panels, personal_data

        # The button on the login page and the linked identities on the account page (both
        # absent while no provider is configured).
        register_page_panel(panels.LOGIN_PANEL)
        register_page_panel(panels.ACCOUNT_PANEL)
        # Its part of a person's copy of their own data, and of the erasure of their account.
        for section in personal_data.SECTIONS:
            register_personal_data(section)
