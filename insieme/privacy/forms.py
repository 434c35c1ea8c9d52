"""Forms of a person's data page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.safe_input import CheckedInputMixin


class EraseForm(CheckedInputMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=200,
    )
    understood = forms.BooleanField(
        label=_(
            "I understand: my account closes for good; my requests, ideas and comments stay "
            "without my name, contacts or what identifies me."
        )
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class DefaultPolicyForm(CheckedInputMixin, forms.Form):
    months = forms.IntegerField(
        label=_("Default: months after closure"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_(
            "For the services without their own period, and for ideas and comments (from the "
            "end of their process). Leave empty for no default: then only the services below "
            "forget on schedule."
        ),
    )


class ServicePolicyForm(CheckedInputMixin, forms.Form):
    service = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    months = forms.IntegerField(
        label=_("Months after closure"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("Leave empty to follow the default."),
    )


class RunForm(CheckedInputMixin, forms.Form):
    understood = forms.BooleanField(
        label=_(
            "I understand: the personal data of these records is removed for good; the "
            "statistics stay."
        )
    )


class CloseRequestForm(CheckedInputMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("done", _("Done: the person has what they asked for")), ("refuse", _("Refused"))],
    )
    note = forms.CharField(
        label=_("What was done, or why it is refused"),
        max_length=300,
        widget=forms.TextInput,
    )
