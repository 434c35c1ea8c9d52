"""Forms of the improvement backlog. They parse what the browser sends; the rules (who may own
an item, which links, which moves) live in `insieme.improvements.actions`, whose
ValidationErrors the views put back on the form with `add_action_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.catalog.forms import ActionFormMixin, ActionModelForm, style_widgets
from insieme.improvements import measure
from insieme.improvements.models import MAX_REASON, Item, Source, Status


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class TitledChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.i18n.title)


class ItemForm(ActionModelForm):
    class Meta:
        model = Item
        fields = [
            "title",
            "description",
            "source",
            "indicator_key",
            "source_detail",
            "owner",
            "process",
            "service_change",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, owners, processes, service_changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"] = forms.ChoiceField(
            label=_("Where it comes from"),
            choices=Source.choices,
            error_messages={"invalid_choice": _("Choose where the item comes from.")},
        )
        self.fields["indicator_key"] = forms.ChoiceField(
            label=_("Scorecard indicator"),
            choices=[("", _("None"))] + measure.choices(),
            required=False,
            help_text=_(
                "Required when the item comes from an indicator; its value is measured "
                "when the item is opened and again when it is done."
            ),
            error_messages={"invalid_choice": _("No Scorecard indicator has this key.")},
        )
        self.fields["source_detail"].help_text = _(
            "In a sentence: what the data showed (e.g. which field, which team)."
        )
        self.fields["owner"] = OwnerChoiceField(
            label=_("Owner"),
            queryset=owners,
            empty_label=_("Choose a person"),
            error_messages={
                "invalid_choice": _("Choose an active member of this administration's staff."),
                "required": _("Choose who owns the item."),
            },
        )
        self.fields["process"] = TitledChoiceField(
            label=_("Co-design process"),
            queryset=processes,
            required=False,
            empty_label=_("No process"),
            error_messages={"invalid_choice": _("Choose a process of this administration.")},
        )
        self.fields["service_change"] = TitledChoiceField(
            label=_("Service change proposal"),
            queryset=service_changes,
            required=False,
            empty_label=_("No service change"),
            error_messages={
                "invalid_choice": _("Choose a service change proposal of this administration.")
            },
        )
        style_widgets(self)

    @property
    def groups(self):
        return [
            (_("The item"), ["title", "description", "owner"]),
            (_("The insight it comes from"), ["source", "indicator_key", "source_detail"]),
            (_("What it leads to"), ["process", "service_change"]),
        ]


class StatusForm(ActionFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Status.OPEN, Status.OPEN.label), (Status.IN_PROGRESS, Status.IN_PROGRESS.label)],
        error_messages={"invalid_choice": _("Choose open or in progress.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CloseForm(ActionFormMixin, forms.Form):
    DONE, DROPPED = Status.DONE.value, Status.DROPPED.value

    outcome = forms.ChoiceField(
        label=_("How it ends"),
        choices=[
            (Status.DONE.value, _("Done: measure the indicator again")),
            (Status.DROPPED.value, _("Dropped: not done")),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose done or dropped.")},
    )
    reason = forms.CharField(
        label=_("Why it is dropped"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the item is dropped."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.DROPPED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the item is dropped."))
        return data


class ItemFilterForm(ActionFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        error_messages={"invalid_choice": _("There is no such status; choose one of the list.")},
    )
    source = forms.ChoiceField(
        label=_("Where it comes from"),
        required=False,
        error_messages={
            "invalid_choice": _("There is no such kind of insight; choose one of the list.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses"))] + list(Status.choices)
        self.fields["source"].choices = [("", _("All kinds"))] + list(Source.choices)
        style_widgets(self)

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
