"""The forecasts page's one filter: a service of the latest run (an unknown or malformed id is a
400 with a message, never a silent "all")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.forms_staff import StaffForm


class ServiceFilterForm(StaffForm):
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        error_messages={
            "invalid_choice": _("There is no forecast for such a service; choose one of the list.")
        },
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services"))] + [
            (str(s.pk), s.i18n.name) for s in services
        ]

    def service_id(self) -> int | None:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["service"]:
            return None
        return int(self.cleaned_data["service"])
