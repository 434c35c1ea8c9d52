"""The topics page's filter: which source's texts to count (a bad value is a field error, 400)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.forms_staff import StaffForm

SOURCE_LABELS = {"cases": _("Cases"), "ideas": _("Ideas"), "comments": _("Comments")}
SOURCE_CHOICES = [("", _("All sources")), *SOURCE_LABELS.items()]


class SourceForm(StaffForm):
    source = forms.ChoiceField(
        label=_("Texts from"),
        choices=SOURCE_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("There is no such source; choose one of the list.")},
    )

    def sources(self) -> tuple[str, ...] | None:
        """The sources chosen (all three when none), or None when the value is bad."""
        if not self.is_bound:
            return ("cases", "ideas", "comments")
        if not self.is_valid():
            return None
        chosen = self.cleaned_data.get("source")
        return (chosen,) if chosen else ("cases", "ideas", "comments")
