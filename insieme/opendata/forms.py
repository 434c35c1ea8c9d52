"""Forms of the data steward's screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.safe_input import CheckedInputMixin
from insieme.opendata.models import DatasetSetting, ServiceTextPolicy


class SettingForm(CheckedInputMixin, forms.ModelForm):
    class Meta:
        model = DatasetSetting
        fields = ["threshold", "licence"]


class StateForm(CheckedInputMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (DatasetSetting.State.PUBLISHED, _("Publish")),
            (DatasetSetting.State.WITHDRAWN, _("Withdraw")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=300,
        required=False,
        help_text=_("Needed to withdraw a dataset; kept in the audit log."),
    )


class TextPolicyForm(CheckedInputMixin, forms.Form):
    text = forms.ChoiceField(
        label=_("Free text in open data"), choices=ServiceTextPolicy.Text.choices
    )
    sensitive_places = forms.BooleanField(
        label=_("Sensitive places (moved at random within their square)"), required=False
    )
