"""The filing form's own fields (besides the service's questions, built by citizen_form_for):
description, location, attachments, contact details, and the hidden fields that carry the
idempotency token, the signed render time and the "duplicates already checked" flag.

The form only parses what the browser sends; the rules live in
`insieme.cases.filing.actions.submit_case`.
"""

from __future__ import annotations

import time
import uuid

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from insieme.cases.lifecycle import MAX_DESCRIPTION
from insieme.catalog.forms import style_widgets
from insieme.core.safe_input import CheckedInputMixin
from insieme.places import lookup as places_lookup

ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"
STARTED_SALT = "insieme.cases.filing.started"
# Longer than this on one form is a tab left open, not time spent filling it in.
MAX_FORM_SECONDS = 24 * 3600


def sign_started(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=STARTED_SALT)


def form_seconds(signed: str, now: float | None = None) -> int | None:
    """Seconds since the form was rendered, or None when the value is missing or tampered with."""
    try:
        started = int(signing.loads(signed or "", salt=STARTED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    seconds = int((now if now is not None else time.time()) - started)
    return seconds if 0 <= seconds <= MAX_FORM_SECONDS else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; their type and size are checked by the action."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def latitude_field() -> forms.FloatField:
    """The latitude input of every form that takes a place (the map picker fills it)."""
    return forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("Write the latitude as a number, e.g. 43.1234.")},
    )


def longitude_field() -> forms.FloatField:
    return forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("Write the longitude as a number, e.g. 11.1234.")},
    )


class FilingForm(CheckedInputMixin, forms.Form):
    description = forms.CharField(
        label=_("Describe the problem or your request"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Up to 4000 characters. Please write no personal data about other people."),
    )
    lat = latitude_field()
    lon = longitude_field()
    address = forms.CharField(
        label=_("Address or description of the place"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Photos (JPEG, PNG, WebP) or PDF documents, up to 5 files."),
    )
    contact_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Write a valid e-mail address, e.g. name@example.org.")},
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    checked = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, located: bool = True, administration=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
            self.initial.setdefault("started", sign_started())
        if not located:
            for name in ("lat", "lon", "address"):
                del self.fields[name]
        # With a street register the address is street and number, checked against it.
        self.register = administration if located and administration else None
        if self.register is not None and not places_lookup.has_register(self.register):
            self.register = None
        if self.register is not None:
            address = self.fields["address"]
            address.label = _("Street and house number")
            address.widget.attrs["autocomplete"] = "address-line1"
        style_widgets(self)
        self.fields["attachments"].widget.attrs["class"] = "form-control"
        self.location_errors: list[str] = []

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "")
        try:
            return uuid.UUID(token).hex
        except ValueError:
            return ""  # no usable token: no idempotency, but the filing still goes through

    def clean(self):
        data = super().clean()
        one_missing = (data.get("lat") is None) != (data.get("lon") is None)
        if (
            "lat" in self.fields
            and one_missing
            and not self.errors.get("lat")
            and not self.errors.get("lon")
        ):
            self.location_errors.append(str(_("Give both latitude and longitude.")))
        if self.register is not None and not one_missing and data.get("lat") is None:
            self._place_by_address(data)
        return data

    def _place_by_address(self, data: dict) -> None:
        """No point on the map: the written address, checked against the street register,
        gives the place (the form without JavaScript)."""
        if self.errors.get("address"):
            return
        text = (data.get("address") or "").strip()
        if not text:
            self.add_error(
                "address",
                _("Write the street and the house number of the place, e.g. Via Roma 12."),
            )
            return
        try:
            found = places_lookup.resolve(self.register, text)
        except places_lookup.AddressProblem as problem:
            self.add_error("address", str(problem))
            return
        data["lat"], data["lon"] = found.lat, found.lon
        data["address"] = found.label

    def is_complete(self) -> bool:
        return self.is_valid() and not self.location_errors
