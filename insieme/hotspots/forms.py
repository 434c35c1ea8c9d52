"""The filters of the hotspot page: which periods (a first and a last day), which service,
which lead department, which channel. Every bad value (an unknown id, a period that ends before
it starts, an impossible date, control characters) is a field error, and the page answers 400."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Channel
from insieme.core.forms_staff import StaffForm


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.i18n.name)


class HotspotFilterForm(StaffForm):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the first day as YYYY-MM-DD, e.g. 2026-03-01.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the last day as YYYY-MM-DD, e.g. 2026-08-31.")},
    )
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=None,
        required=False,
        empty_label=_("All services"),
        error_messages={
            "invalid_choice": _("There is no such service here; choose one of the list.")
        },
    )
    department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=None,
        required=False,
        empty_label=_("All departments"),
        error_messages={
            "invalid_choice": _("There is no such department here; choose one of the list.")
        },
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        error_messages={"invalid_choice": _("There is no such channel; choose one of the list.")},
    )

    def __init__(self, *args, services, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["department"].queryset = departments
        self.fields["channel"].choices = [("", _("All channels"))] + list(Channel.choices)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts: choose a later last day."))
        return data

    def values(self) -> dict:
        """The filters chosen (empty when the form is unbound or has errors)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def query(self) -> str:
        """The chosen filters as a query string (for the CSV link)."""
        shown = {
            k: (v.pk if hasattr(v, "pk") else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in self.values().items()
        }
        return urlencode(shown)
