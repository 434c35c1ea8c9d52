"""Forms of the citizen's follow-up pages: they parse what the browser sends; the rules (who may do
what, in which status, which files) live in `insieme.cases.citizen.actions`, whose ValidationErrors
the views put back on the form with `add_action_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.cases.lifecycle import MAX_DESCRIPTION
from insieme.cases.models import Status
from insieme.catalog.forms import ActionFormMixin, style_widgets
from insieme.core.safe_input import CheckedInputMixin
from insieme.core.uploads import MAX_BYTES, MAX_FILES


class CaseStateFilterForm(CheckedInputMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        # Each choice selects exactly what it says: "Open" the statuses still being handled,
        # then one choice per final status ("Closed" never lists a resolved request).
        choices=[
            ("", _("All requests")),
            ("open", _("Open (still being handled)")),
            (Status.RESOLVED, Status.RESOLVED.label),
            (Status.CLOSED, Status.CLOSED.label),
            (Status.REFUSED, Status.REFUSED.label),
            (Status.DUPLICATE, Status.DUPLICATE.label),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def state_value(self) -> str:
        return self.cleaned_data.get("state", "") if self.is_valid() else ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the action (type, size, metadata)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProvideInformationForm(ActionFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("Images (JPEG, PNG, WebP) or PDF; up to %(n)d files of %(mb)d MB each.")
        % {"n": MAX_FILES, "mb": MAX_BYTES // 2**20},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="info", **kwargs)
        style_widgets(self)


class WithdrawForm(ActionFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw it? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="withdraw", **kwargs)
        style_widgets(self)


SCORE_CHOICES = [
    ("1", _("1 – very poor")),
    ("2", _("2 – poor")),
    ("3", _("3 – fair")),
    ("4", _("4 – good")),
    ("5", _("5 – very good")),
]


class RatingForm(ActionFormMixin, forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="rating", **kwargs)
        style_widgets(self)
