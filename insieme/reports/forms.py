"""What a report is for: the day it is as of, the scope, and for the series how many points."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.forms_staff import StaffForm

EARLIEST = dt.date(2000, 1, 1)
MAX_POINTS = 24


class ReportForm(StaffForm):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the report covers; empty for today."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        required=False,
        choices=[
            ("hosted", _("This administration and the ones it hosts")),
            ("self", _("This administration only")),
        ],
    )

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_as_of(self) -> dt.date:
        day = self.cleaned_data.get("as_of") or self.today
        if day > self.today:
            raise forms.ValidationError(_("A report cannot be as of a day still to come."))
        if day < EARLIEST:
            raise forms.ValidationError(
                _("A report can go back to %(day)s at the earliest.") % {"day": EARLIEST}
            )
        return day


class SeriesForm(ReportForm):
    points = forms.IntegerField(
        label=_("Points"),
        required=False,
        min_value=1,
        max_value=MAX_POINTS,
        help_text=_("How many values per indicator, one every 30 days back from the day."),
    )

    def clean_points(self) -> int:
        return self.cleaned_data.get("points") or 12
