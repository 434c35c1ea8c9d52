"""Forms of participatory budgeting. They parse what the browser sends; the rules live in
insieme.budgets.actions and .verification, whose ValidationErrors the views put back on the form
with `add_action_errors`. Amounts are typed in euro and carried to the actions in cents."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.budgets.models import Budget, DocumentType, Project
from insieme.budgets.register import MAX_UPLOAD_BYTES
from insieme.cases.filing.forms import latitude_field, longitude_field
from insieme.catalog.forms import (
    ActionFormMixin,
    ActionModelForm,
    DateInput,
    TranslationsMixin,
    style_widgets,
)
from insieme.participation.models import Category

MAX_EURO = Decimal("1000000000000")


def euro_field(label, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=15,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_EURO,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def euro_value(cents_value: int | None) -> Decimal | None:
    return None if cents_value is None else Decimal(cents_value) / 100


class BudgetForm(TranslationsMixin, ActionModelForm):
    translated = ("title", "description")
    total = euro_field(_("Total amount (euro)"))

    class Meta:
        model = Budget
        fields = [
            "title",
            "description",
            "kind",
            "max_choices",
            "voting_opens_on",
            "voting_closes_on",
            "is_published",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "voting_opens_on": DateInput,
            "voting_closes_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "max_choices": _("Approval ballots only: each ballot chooses at most this many."),
            "voting_opens_on": _(
                "Leave both dates empty to follow the voting phase of the process."
            ),
        }

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_translations(language, self.instance.translations)
        if self.instance.pk and not self.is_bound:
            self.initial["total"] = euro_value(self.instance.total_cents)
        style_widgets(self)

    @property
    def groups(self):
        return [
            (_("The budget"), ["title", "description", "total", "is_published"]),
            (_("The ballot"), ["kind", "max_choices"]),
            (_("Voting dates"), ["voting_opens_on", "voting_closes_on"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = super().changes()
        data["total_cents"] = cents(self.cleaned_data.get("total"))
        data["translations"] = self.translations_changes()
        return data


class NewBudgetForm(BudgetForm):
    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a process of this administration.")},
    )

    def __init__(self, *args, processes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = processes
        self.fields["process"].label_from_instance = lambda p: str(p.i18n.title)
        style_widgets(self)

    @property
    def groups(self):
        first, *rest = super().groups
        return [(first[0], ["process", *first[1]]), *rest]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj.i18n.name)


class ProjectForm(TranslationsMixin, ActionModelForm):
    translated = ("title", "description")
    cost = euro_field(_("Cost (euro)"))
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("No category"),
        error_messages={"invalid_choice": _("Choose a category of this process.")},
    )
    lat = latitude_field()
    lon = longitude_field()

    class Meta:
        model = Project
        fields = ["title", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_translations(budget.process.language, self.instance.translations)
        self.fields["category"].queryset = Category.objects.filter(process=budget.process)
        self.fields["position"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial.update(
                cost=euro_value(self.instance.cost_cents),
                category=self.instance.category_id,
                lat=self.instance.lat,
                lon=self.instance.lon,
            )
        style_widgets(self)

    @property
    def groups(self):
        return [
            (_("The project"), ["title", "description", "cost", "category", "position"]),
            (_("Where? (optional)"), ["lat", "lon"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "translations": self.translations_changes(),
            "cost_cents": cents(data.get("cost")),
            "category": data.get("category"),
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "position": data.get("position"),
        }


class IdeasForm(ActionFormMixin, forms.Form):
    """Accepted ideas of the process to turn into projects: a box and a cost for each."""

    def __init__(self, *args, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.ideas = list(ideas)
        for idea in self.ideas:
            self.fields[f"idea_{idea.pk}"] = forms.BooleanField(
                label=_("Make “%(title)s” a project") % {"title": idea.title}, required=False
            )
            field = euro_field(_("Cost of “%(title)s” (euro)") % {"title": idea.title})
            field.required = False
            self.fields[f"cost_{idea.pk}"] = field
        style_widgets(self)

    def rows(self):
        return [(idea, self[f"idea_{idea.pk}"], self[f"cost_{idea.pk}"]) for idea in self.ideas]

    def clean(self):
        data = super().clean()
        chosen = {}
        for idea in self.ideas:
            if data.get(f"idea_{idea.pk}"):
                cost = data.get(f"cost_{idea.pk}")
                if cost is None:
                    if f"cost_{idea.pk}" not in self.errors:
                        self.add_error(f"cost_{idea.pk}", _("Give the cost of this project."))
                    continue
                chosen[idea.pk] = cents(cost)
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose at least one idea and give its cost."))
        data["costs"] = chosen
        return data


class RegisterForm(ActionFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Resident register (CSV)"),
        help_text=_(
            "A CSV file in UTF-8 whose first line names the columns fiscal_code and birth_date "
            "(or codice_fiscale and data_nascita); one resident a line. At most %(mb)d MB."
        )
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class SelfCheckForm(ActionFormMixin, forms.Form):
    fiscal_code = forms.CharField(
        label=_("Fiscal code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("The 16 characters on your health insurance card."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=DateInput,
        error_messages={"invalid": _("Write the birth date as YYYY-MM-DD or DD/MM/YYYY.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CounterForm(SelfCheckForm):
    email = forms.EmailField(
        label=_("E-mail address of the person's account"),
        help_text=_("The person signs up first, or tells you the address they signed up with."),
    )
    document_type = forms.ChoiceField(
        label=_("Document you saw"),
        choices=[("", _("Choose…")), *DocumentType.choices],
        help_text=_("Only the type of document is kept: never write down its number."),
    )

    field_order = ["email", "document_type", "fiscal_code", "birth_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_code"].help_text = _("As written on the document or the health card.")
        style_widgets(self)


class BallotForm(ActionFormMixin, forms.Form):
    projects = forms.TypedMultipleChoiceField(
        label=_("Projects"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose projects of this budget only.")},
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(p.pk, str(p.i18n.title)) for p in projects]
