"""The form of the consents page: one purpose, and whether consent is given or withdrawn."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.registry import consent_purposes
from insieme.core.safe_input import CheckedInputMixin

GIVE, WITHDRAW = "give", "withdraw"


class ConsentForm(CheckedInputMixin, forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Say which purpose your decision is about."),
            "invalid_choice": _("This site does not ask consent for that."),
        },
    )
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[(GIVE, _("I agree")), (WITHDRAW, _("I withdraw my consent"))],
        error_messages={
            "required": _("Choose to give or to withdraw your consent."),
            "invalid_choice": _("Choose to give or to withdraw your consent."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(p.key, p.title) for p in consent_purposes]

    @property
    def granted(self) -> bool:
        return self.cleaned_data["decision"] == GIVE
