from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.forms_staff import StaffForm


class RoundForm(StaffForm):
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Closes on"),
        help_text=_("The last day answers are taken."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
