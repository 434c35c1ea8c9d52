from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.events import EVENT_TYPES
from insieme.core.forms_staff import StaffForm


class SubscriptionForm(StaffForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who receives the events, e.g. “Street maintenance contractor”."),
    )
    # A plain text field: Django's URLField would quietly add http:// to "example.org", and the
    # action's own check gives the clearer message.
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("The address that receives a POST for each event, starting with https://."),
        widget=forms.URLInput,
    )
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [
            (name, f"{name} — {description}") for name, description in sorted(EVENT_TYPES.items())
        ]
