"""Plain forms of the proposal's staff screen; the actions validate against the catalogue's own
rules (a field's questions reuse the catalogue's AttributeForm)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.catalog import actions as catalog
from insieme.catalog.forms import ActionFormMixin, ActionModelForm, TranslationsMixin, style_widgets
from insieme.catalog.models import DayType, Provision, Service
from insieme.codesign.models import CHANGE_TEXTS, ServiceChange
from insieme.core.models import CHANNELS
from insieme.core.safe_input import CheckedInputMixin

MAX_DAYS = 3650


class TextsForm(TranslationsMixin, ActionModelForm):
    """The proposal's title and why, in its language and translated."""

    translated = CHANGE_TEXTS

    class Meta:
        model = ServiceChange
        fields = ["title", "rationale"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_translations(self.instance.language, self.instance.translations)

    def texts(self) -> dict:
        return {
            "title": self.cleaned_data.get("title", ""),
            "rationale": self.cleaned_data.get("rationale", ""),
            "translations": self.translations_changes(),
        }


class StartForm(TextsForm):
    """A new draft: the service it changes, and its texts."""

    service = forms.ModelChoiceField(label=_("Service to change"), queryset=Service.objects.none())

    class Meta(TextsForm.Meta):
        fields = ["title", "rationale"]

    def __init__(self, *args, administration, **kwargs):
        super().__init__(*args, **kwargs)
        from insieme.codesign.actions import INTERNAL_SERVICE_CODE

        self.fields["service"].queryset = (
            Service.objects.filter(administration=administration)
            .exclude(code=INTERNAL_SERVICE_CODE)
            .exclude(status=Service.Status.RETIRED)
            .order_by("name")
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.i18n.name} ({s.code})"
        self.order_fields(["service"])
        style_widgets(self)


class TermsForm(ActionFormMixin, forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Channels offered"), choices=CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    acknowledge_days = forms.IntegerField(
        label=_("Days to acknowledge"), min_value=1, max_value=MAX_DAYS
    )
    resolve_days = forms.IntegerField(label=_("Days to resolve"), min_value=1, max_value=MAX_DAYS)
    day_type = forms.ChoiceField(label=_("SLA counted in"), choices=DayType.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    @classmethod
    def initial_for(cls, proposed: dict) -> dict:
        return {"channels": proposed["channels"], **proposed["sla"]}

    def sla(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("acknowledge_days", "resolve_days", "day_type")}


class TraceForm(CheckedInputMixin, forms.Form):
    """A trace of the service (its legal basis) or of one of the proposal's fields."""

    field = forms.ChoiceField(label=_("What it justifies"), required=False)
    provision = forms.ModelChoiceField(
        label=_("Provision"), queryset=Provision.objects.none(), required=False
    )
    policy_need = forms.CharField(
        label=_("or the policy need it serves"), required=False, max_length=300
    )

    def __init__(self, *args, service: Service, proposed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            ("", _("The service itself (legal basis)")),
            *[(f["code"], f"{f['label']} ({f['code']})") for f in proposed["fields"]],
        ]
        self.fields["provision"].queryset = (
            catalog.visible_provisions(service.administration)
            .select_related("regulation")
            .order_by("regulation__reference", "article")
        )
        self.fields["provision"].label_from_instance = lambda p: f"{p.reference} — {p.title}"
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if not data.get("provision") and not (data.get("policy_need") or "").strip():
            raise forms.ValidationError(
                _("Choose the provision that requires it, or state the policy need it serves.")
            )
        return data
