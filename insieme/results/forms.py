"""Forms of results. They parse what the browser sends; the rules (who may, which parent, which
progress) live in `insieme.results.actions`, whose ValidationErrors the views put back on the
form with `add_action_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.catalog.forms import (
    ActionFormMixin,
    ActionModelForm,
    DateInput,
    TranslationsMixin,
    style_widgets,
)
from insieme.results.models import (
    MAX_NOTE,
    MAX_TITLE,
    MAX_WEIGHT,
    LinkKind,
    Result,
    Status,
)


class ProcessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.i18n.title)


class ResultForm(TranslationsMixin, ActionModelForm):
    translated = ("title", "description")

    class Meta:
        model = Result
        fields = [
            "title",
            "description",
            "process",
            "parent",
            "weight",
            "starts_on",
            "due_on",
            "is_published",
        ]
        widgets = {
            "starts_on": DateInput,
            "due_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, administration, processes, parents, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.instance.language if self.instance.pk else administration.locale
        self.setup_translations(language, self.instance.translations)
        self.fields["process"] = ProcessChoiceField(
            label=_("Process"),
            queryset=processes,
            required=False,
            empty_label=_("No process"),
            error_messages={"invalid_choice": _("Choose a process of this administration.")},
        )
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False
        self.fields["parent"].empty_label = _("None: a result of its own")
        self.fields["parent"].error_messages["invalid_choice"] = _(
            "Choose a result of this administration."
        )
        self.fields["weight"].min_value = 1
        self.fields["weight"].max_value = MAX_WEIGHT
        style_widgets(self)

    @property
    def groups(self):
        return [
            (_("The result"), ["title", "description", "process", "is_published"]),
            (_("Part of a larger result"), ["parent", "weight"]),
            (_("Dates"), ["starts_on", "due_on"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = super().changes()
        data["translations"] = self.translations_changes()
        return data


class ProgressForm(ActionFormMixin, forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Set from the progress"))] + list(Status.choices),
        required=False,
    )
    note = forms.CharField(
        label=_("What happened (published on the result's page)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MilestoneForm(TranslationsMixin, ActionFormMixin, forms.Form):
    translated = ("title",)
    title = forms.CharField(label=_("Milestone"), max_length=MAX_TITLE)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput)

    def __init__(self, *args, result: Result, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = result  # the languages are the result's
        self.setup_translations(result.language, {})
        style_widgets(self)

    def _plain_label(self, field: str) -> str:
        return str(self.fields[field].label) if field in self.fields else field

    def translations_changes(self) -> dict:
        out = {}
        for lang in self.translation_languages:
            text = self.cleaned_data.get(f"title__{lang}") or ""
            if text.strip():
                out[lang] = {"title": text}
        return out


class LinkForm(ActionFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    label = forms.CharField(label=_("Label"), max_length=200)
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        help_text=_("https://… or a page of this site (/…)."),
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=120,
        required=False,
        help_text=_("Optional: a short name that identifies the link; the address by default."),
    )
    staff_only = forms.BooleanField(label=_("Shown to staff only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ResultFilterForm(ActionFormMixin, forms.Form):
    process = forms.TypedChoiceField(label=_("Process"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, processes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", _("All processes"))] + [
            (p.pk, str(p.i18n.title)) for p in processes
        ]
        self.fields["status"].choices = [("", _("All statuses"))] + list(Status.choices)
        style_widgets(self)

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
