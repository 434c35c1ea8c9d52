"""Forms of the catalogue: staff forms over the catalogue's models, and the citizen form.

Staff forms parse and check what a browser sends (types, choices, the `key | name` list syntax,
minutes for channels not ticked); the business rules live in `insieme.catalog.actions`, the one
write path, whose ValidationErrors the views put back on the form with `add_action_errors`. So
the model validation a ModelForm would run is left to the action (see `_post_clean`).

`citizen_form_for(service)` is the single source of the form a citizen fills: the staff preview,
the public page and the filing screens all build it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BoundField
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog import i18n
from insieme.catalog.actions import visible_provisions, visible_regulations
from insieme.catalog.models import (
    LIST_DATATYPES,
    Attribute,
    AttributeFields,
    Datatype,
    Provision,
    Regulation,
    Service,
    ServiceTemplate,
    TemplateAttribute,
    Trace,
)
from insieme.catalog.templatetags.catalog_i18n import marked
from insieme.core.models import CHANNELS, Administration, Membership
from insieme.core.safe_input import CheckedInputMixin

# A single-choice question with more options than this is a drop-down instead of radio buttons.
RADIO_MAX_OPTIONS = 5
VALUE_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
CHANNEL_LABELS = dict(CHANNELS)

TEXT_WIDGETS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.Textarea,
)


def style_widgets(form: forms.BaseForm) -> None:
    """Give text-like widgets Bootstrap Italia's classes (no inline styles: CSP forbids them)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, TEXT_WIDGETS):
            widget.attrs.setdefault("class", "form-control")
        elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-select")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ActionFormMixin(CheckedInputMixin):
    """Field groups for rendering, and a place for the action's errors."""

    # [(legend, [field names])]; fields not listed follow in a last, unnamed group.
    groups: list[tuple[object, list[str]]] = []

    def add_action_errors(self, exc: ValidationError) -> None:
        """Put an action's ValidationError on the field it names, or at the top of the form
        (prefixed with the field's name) when the form has no such field."""
        errors = (
            exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        )
        for name, error_list in errors.items():
            messages = [m for e in error_list for m in e.messages]
            if name in self.fields and not self.fields[name].widget.is_hidden:
                self.add_error(name, messages)
            elif name == NON_FIELD_ERRORS:
                self.add_error(None, messages)
            else:
                label = self._label_for(name)
                self.add_error(None, [f"{label}: {m}" for m in messages])

    def _label_for(self, name: str) -> str:
        if name in self.fields and self.fields[name].label:
            return str(self.fields[name].label)
        model = getattr(getattr(self, "_meta", None), "model", None)
        if model is not None:
            try:
                return str(capfirst(model._meta.get_field(name).verbose_name))
            except Exception:  # noqa: BLE001 - an unknown name just keeps its own spelling
                return name
        return name

    def grouped(self) -> list[tuple[object, list[BoundField]]]:
        """Visible fields in their groups, for the template."""
        seen: set[str] = set()
        result = []
        for legend, names in self.groups:
            bound = [self[n] for n in names if n in self.fields]
            seen.update(n for n in names if n in self.fields)
            if bound:
                result.append((legend, bound))
        rest = [
            self[n] for n in self.fields if n not in seen and not self.fields[n].widget.is_hidden
        ]
        if rest:
            result.append(("", rest))
        return result


class ActionModelForm(ActionFormMixin, forms.ModelForm):
    """A ModelForm whose model validation is the action's job (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def _post_clean(self) -> None:
        """Leave the instance untouched: the action validates and writes it."""

    def changes(self) -> dict:
        """The model field values this form sets, ready for the action's keyword arguments."""
        return {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }


# --- texts in every language ---------------------------------------------------------------------


def translated_name(field: str, language: str) -> str:
    return f"{field}__{language}"


class TranslationsMixin:
    """One input per language for each text: the model's own field holds the source language
    (its label says which), and `<field>__<language>` fields the translations. `changes()`
    carries them to the action as `translations`."""

    translated: tuple[str, ...] = ()
    translation_languages: list[str] = []

    def setup_translations(self, source: str, translations: dict | None) -> None:
        self.source_language = source
        self.translation_languages = [lang for lang in i18n.languages() if lang != source]
        translations = translations or {}
        for field in self.translated:
            if field in self.fields:
                base = self.fields[field]
                base.label = _label_in(base.label, source)
                base.widget.attrs["lang"] = source
        for lang in self.translation_languages:
            have = translations.get(lang) or {}
            for field in self.translated:
                if field not in self.fields:
                    continue
                base = self.fields[field]
                widget = (
                    forms.Textarea(attrs={"rows": 4, "lang": lang})
                    if isinstance(base.widget, forms.Textarea)
                    else forms.TextInput(attrs={"lang": lang})
                )
                self.fields[translated_name(field, lang)] = forms.CharField(
                    label=_label_in(self._plain_label(field), lang),
                    required=False,
                    max_length=getattr(base, "max_length", None),
                    widget=widget,
                    initial=have.get(field, ""),
                )
        style_widgets(self)

    def _plain_label(self, field: str) -> str:
        model_field = self._meta.model._meta.get_field(field)
        return capfirst(model_field.verbose_name)

    @property
    def translation_groups(self) -> list[tuple[object, list[str]]]:
        return [
            (
                _("Texts in %(language)s") % {"language": i18n.language_name(lang)},
                [translated_name(f, lang) for f in self.translated],
            )
            for lang in self.translation_languages
        ]

    def translations_changes(self) -> dict:
        current = dict(self.instance.translations or {}) if self.instance.pk else {}
        current.update(getattr(self, "initial_translations", {}) or {})
        for lang in self.translation_languages:
            texts = dict(current.get(lang) or {})
            for field in self.translated:
                name = translated_name(field, lang)
                if name in self.cleaned_data:
                    texts[field] = self.cleaned_data[name]
            current[lang] = texts
        return i18n.clean_translations(current)


def _label_in(label, language: str) -> str:
    return _("%(label)s (%(language)s)") % {
        "label": label,
        "language": i18n.language_name(language),
    }


# --- services and templates ----------------------------------------------------------------------

SERVICE_BASE_FIELDS = [
    "code",
    "name",
    "description",
    "group",
    "keywords",
    "service_type",
    "kind",
    "located",
    "channels",
    "anonymous_allowed",
    "sla_acknowledge_days",
    "sla_resolve_days",
    "sla_day_type",
    "citizen_minutes",
    "hourly_cost",
]


def minutes_field_name(channel: str) -> str:
    return f"minutes_{channel}"


class ServiceFieldsForm(TranslationsMixin, ActionModelForm):
    """What a template and a service share; staff minutes are one number per channel; name,
    description, group and keywords in every language."""

    translated = i18n.SERVICE_TEXTS

    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels offered"),
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Offer the service on at least one channel.")},
    )
    sla_acknowledge_days = forms.IntegerField(
        label=gettext_lazy("Days to acknowledge"),
        min_value=1,
        max_value=3650,
        error_messages={
            "min_value": gettext_lazy("The time to acknowledge must be at least one day.")
        },
    )
    sla_resolve_days = forms.IntegerField(
        label=gettext_lazy("Days to resolve"),
        min_value=1,
        max_value=3650,
        error_messages={"min_value": gettext_lazy("The time to resolve must be at least one day.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minutes = (
            self.instance.staff_minutes if isinstance(self.instance.staff_minutes, dict) else {}
        )
        for channel, label in CHANNELS:
            self.fields[minutes_field_name(channel)] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=100000,
                initial=minutes.get(channel),
            )
        style_widgets(self)

    @property
    def groups(self):
        return [
            (
                _("The service"),
                [
                    "code",
                    "name",
                    "description",
                    "group",
                    "keywords",
                    "kind",
                    "service_type",
                    "located",
                    "anonymous_allowed",
                    "department",
                    "status",
                    "shared",
                ],
            ),
            (_("How citizens reach it"), ["channels"]),
            (_("Expected times"), ["sla_acknowledge_days", "sla_resolve_days", "sla_day_type"]),
            (
                _(
                    "Standard Cost Model: staff minutes per case, by channel (leave channels not "
                    "offered empty)"
                ),
                [minutes_field_name(c) for c, _label in CHANNELS],
            ),
            (_("Standard Cost Model: other figures"), ["citizen_minutes", "hourly_cost"]),
            *self.translation_groups,
        ]

    def clean_description(self) -> str:
        # Browsers send textarea line breaks as CRLF; store plain newlines.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean_channels(self) -> list[str]:
        chosen = set(self.cleaned_data["channels"])
        return [c for c, _label in CHANNELS if c in chosen]

    def clean(self):
        data = super().clean()
        channels = data.get("channels") or []
        minutes = {}
        for channel, label in CHANNELS:
            value = data.get(minutes_field_name(channel))
            if value is None:
                continue
            if "channels" in data and channel not in channels:
                self.add_error(
                    minutes_field_name(channel),
                    _(
                        "%(c)s is not offered: tick it under “Channels offered” or leave "
                        "its minutes empty."
                    )
                    % {"c": label},
                )
                continue
            minutes[channel] = value
        data["staff_minutes"] = minutes
        ack, res = data.get("sla_acknowledge_days"), data.get("sla_resolve_days")
        if ack and res and ack > res:
            self.add_error(
                "sla_acknowledge_days", _("Acknowledging cannot take longer than resolving.")
            )
        return data

    def changes(self) -> dict:
        return {
            **super().changes(),
            "staff_minutes": self.cleaned_data["staff_minutes"],
            "translations": self.translations_changes(),
        }


class ServiceForm(ServiceFieldsForm):
    """Create or edit a service of one administration (department limited to it)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Service
        fields = [*SERVICE_BASE_FIELDS, "department", "status"]

    def __init__(
        self, *args, administration: Administration, source: ServiceTemplate | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.administration = administration
        if self.instance.pk:
            self.setup_translations(self.instance.language, self.instance.translations)
        elif source is not None:  # a new service from a template: its language and translations
            self.initial_translations = source.translations
            self.setup_translations(source.language, source.translations)
        else:
            self.setup_translations(administration.locale, {})
        department = self.fields["department"]
        department.queryset = administration.departments.all()
        department.empty_label = _("No department")
        department.error_messages["invalid_choice"] = _(
            "Choose a department of this administration."
        )
        if self.instance.pk:
            version = self.fields["version"]
            version.initial = self.instance.version
            version.required = True
            version.error_messages["required"] = _(
                "This form is out of date: reload the page and make your changes again."
            )
        else:
            del self.fields["version"]


class NewServiceForm(ServiceForm):
    """A new service, from scratch or from a template offered to the administration."""

    template = forms.ModelChoiceField(
        queryset=ServiceTemplate.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": gettext_lazy("That template is not offered to this administration.")
        },
    )

    def __init__(self, *args, administration: Administration, templates, **kwargs):
        super().__init__(*args, administration=administration, **kwargs)
        self.fields["template"].queryset = templates


def initial_from_template(template: ServiceTemplate) -> dict:
    """A new-service form's starting values: the template's fields and minutes, as a draft."""
    initial = {name: getattr(template, name) for name in SERVICE_BASE_FIELDS}
    initial.update(template=template.pk, status=Service.Status.DRAFT)
    for channel, minutes in (template.staff_minutes or {}).items():
        initial[minutes_field_name(channel)] = minutes
    return initial


class TemplateForm(ServiceFieldsForm):
    """Create or edit a template owned by this administration."""

    class Meta:
        model = ServiceTemplate
        fields = [*SERVICE_BASE_FIELDS, "shared"]

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.instance.language if self.instance.pk else administration.locale
        self.setup_translations(language, self.instance.translations)


# --- form questions ------------------------------------------------------------------------------


def parse_values(text: str) -> list[dict[str, str]]:
    """`key | name` per line into Open311 values; blank lines are skipped.

    Raises ValidationError naming each faulty line."""
    values: list[dict[str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, bar, name = (part.strip() for part in line.partition("|"))
        if not bar:
            errors.append(
                _(
                    "Line %(n)d: write the key, a vertical bar and the name, "
                    "e.g. “large | Large pothole”."
                )
                % {"n": number}
            )
        elif not key or not name:
            errors.append(_("Line %(n)d: both the key and the name are needed.") % {"n": number})
        elif not VALUE_KEY_RE.match(key):
            errors.append(
                _("Line %(n)d: the key “%(k)s” may use only letters, digits, “-”, “_” and “.”.")
                % {"n": number, "k": key}
            )
        elif key in seen:
            errors.append(
                _("Line %(n)d: the key “%(k)s” is already used on line %(m)d.")
                % {"n": number, "k": key, "m": seen[key]}
            )
        else:
            seen[key] = number
            values.append({"key": key, "name": name})
    if errors:
        raise ValidationError(errors)
    return values


def format_values(values: Iterable[dict]) -> str:
    """The inverse of parse_values, for a form's initial text."""
    return "\n".join(f"{v.get('key', '')} | {v.get('name', '')}" for v in values or [])


class AttributeForm(TranslationsMixin, ActionModelForm):
    """A question of a service's form (subclassed for templates' questions): its label, help
    text and value names in every language."""

    translated = i18n.ATTRIBUTE_TEXTS

    values = forms.CharField(
        label=gettext_lazy("List values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For list questions only: one value per line, written as "
            "“key | name”, e.g. “large | Large pothole”."
        ),
    )

    class Meta:
        model = Attribute
        fields = ["label", "code", "datatype", "help_text", "required", "variable", "order"]

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["values"] = format_values(self.instance.values)
        self.setup_translations(language, self.instance.translations)
        self.fields["values"].label = _label_in(gettext_lazy("List values"), language)
        for lang in self.translation_languages:
            names = ((self.instance.translations or {}).get(lang) or {}).get(i18n.VALUES) or {}
            self.fields[translated_name(i18n.VALUES, lang)] = forms.CharField(
                label=_label_in(gettext_lazy("List values"), lang),
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "lang": lang, "class": "form-control"}),
                help_text=gettext_lazy(
                    "The same keys, each with its name in this language: “key | name”."
                ),
                initial=format_values(
                    [
                        {"key": v.get("key"), "name": names.get(str(v.get("key")), "")}
                        for v in self.instance.values or []
                        if names.get(str(v.get("key")))
                    ]
                ),
            )

    @property
    def groups(self):
        return [
            (
                gettext_lazy("The question"),
                ["label", "code", "datatype", "help_text", "required", "variable", "order"],
            ),
            (gettext_lazy("Choices"), ["values"]),
            *[
                (legend, [*names, translated_name(i18n.VALUES, names[0].rsplit("__", 1)[1])])
                for legend, names in self.translation_groups
            ],
        ]

    def clean_values(self) -> list[dict[str, str]]:
        return parse_values(self.cleaned_data.get("values", ""))

    def _translated_values(self, lang: str) -> dict[str, str]:
        name = translated_name(i18n.VALUES, lang)
        try:
            parsed = parse_values(self.cleaned_data.get(name, ""))
        except ValidationError as exc:
            self.add_error(name, exc)
            return {}
        keys = {v["key"] for v in self.cleaned_data.get("values") or []}
        unknown = sorted({v["key"] for v in parsed} - keys)
        if unknown:
            self.add_error(
                name,
                _("These keys are not in the list: %(k)s.") % {"k": ", ".join(unknown)},
            )
        return {v["key"]: v["name"] for v in parsed if v["key"] in keys}

    def clean(self):
        data = super().clean()
        datatype, values = data.get("datatype"), data.get("values")
        if datatype in LIST_DATATYPES and values == []:
            self.add_error(
                "values",
                _(
                    "A list question needs at least one value to choose "
                    "from: write one per line as “key | name”."
                ),
            )
        elif datatype and datatype not in LIST_DATATYPES and values:
            self.add_error(
                "values",
                _("Only list questions take values: empty this box or choose a list datatype."),
            )
        if "values" in data:
            self.value_names = {
                lang: self._translated_values(lang) for lang in self.translation_languages
            }
        return data

    def changes(self) -> dict:
        translations = self.translations_changes()
        for lang, names in getattr(self, "value_names", {}).items():
            translations.setdefault(lang, {})[i18n.VALUES] = names
        return {
            **super().changes(),
            "values": self.cleaned_data["values"],
            "translations": i18n.clean_translations(translations),
        }


class TemplateAttributeForm(AttributeForm):
    """A question of a template's form."""

    class Meta(AttributeForm.Meta):
        model = TemplateAttribute


# --- regulation register -------------------------------------------------------------------------


def _link_field() -> forms.URLField:
    return forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=gettext_lazy("Where the official text can be read."),
    )


class RegulationForm(ActionModelForm):
    url = _link_field()

    class Meta:
        model = Regulation
        fields = [
            "kind",
            "reference",
            "title",
            "issuer",
            "url",
            "in_force_from",
            "in_force_until",
            "review_due",
            "superseded_by",
        ]
        widgets = {"in_force_from": DateInput, "in_force_until": DateInput, "review_due": DateInput}

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = visible_regulations(administration).select_related("administration")
        if self.instance.pk:
            candidates = candidates.exclude(pk=self.instance.pk)
        self.fields["superseded_by"].queryset = candidates
        self.fields["superseded_by"].error_messages["invalid_choice"] = _(
            "Choose a regulation of this register or of a host's register."
        )


class ProvisionForm(ActionModelForm):
    url = _link_field()

    class Meta:
        model = Provision
        fields = [
            "article",
            "title",
            "summary",
            "url",
            "in_force_from",
            "in_force_until",
            "review_due",
            "superseded_by",
        ]
        widgets = {
            "in_force_from": DateInput,
            "in_force_until": DateInput,
            "review_due": DateInput,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = visible_provisions(administration).select_related("regulation")
        if self.instance.pk:
            candidates = candidates.exclude(pk=self.instance.pk)
        field = self.fields["superseded_by"]
        field.queryset = candidates
        field.label_from_instance = lambda p: f"{p.reference} {p.title}".strip()
        field.error_messages["invalid_choice"] = _(
            "Choose a provision of this register or of a host's register."
        )


# --- traces and skilled staff --------------------------------------------------------------------


class TraceForm(ActionModelForm):
    """Trace the service or one of its fields to a provision or a policy need."""

    class Meta:
        model = Trace
        fields = ["attribute", "provision", "policy_need"]

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        attribute = self.fields["attribute"]
        attribute.queryset = service.attributes.all()
        attribute.empty_label = _("The service as a whole")
        attribute.label_from_instance = lambda a: f"{a.label} ({a.code})"
        attribute.error_messages["invalid_choice"] = _("Choose a field of this service's form.")
        provision = self.fields["provision"]
        provision.queryset = visible_provisions(service.administration).select_related("regulation")
        provision.empty_label = _("No provision: a policy need")
        provision.label_from_instance = lambda p: f"{p.reference} {p.title}".strip()
        provision.error_messages["invalid_choice"] = _(
            "That provision is not in this administration's register or its hosts' registers."
        )

    def clean(self):
        data = super().clean()
        if (
            not data.get("provision")
            and not (data.get("policy_need") or "").strip()
            and "provision" not in self.errors
        ):
            self.add_error(
                None,
                _("Choose the provision that requires it, or state the policy need it serves."),
            )
        return data


class SkilledForm(ActionFormMixin, forms.Form):
    """The staff of the administration who are skilled for a service."""

    skilled = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff skilled for this service"),
        required=False,
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Only active staff of this administration can be skilled for it."
            ),
            "invalid_pk_value": gettext_lazy("Choose people from the list."),
        },
    )

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["skilled"]
        field.queryset = Membership.objects.filter(
            administration=administration, is_active=True
        ).select_related("user", "department")
        field.label_from_instance = _membership_label


def _membership_label(m: Membership) -> str:
    parts = [m.user.full_name or m.user.email, str(m.get_role_display())]
    if m.department_id:
        parts.append(m.department.name)
    return " · ".join(parts)


# --- list filters --------------------------------------------------------------------------------


def parsed_filters(form: forms.Form) -> dict:
    """The fields of a GET filter form that parse; the others are ignored (and shown as errors)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


class ServiceFilterForm(CheckedInputMixin, forms.Form):
    """Filters of the staff service list (GET; every field optional)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    origin = forms.ChoiceField(
        label=gettext_lazy("Origin"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("template", gettext_lazy("From a template")),
            ("local", gettext_lazy("Local, no template")),
        ],
    )

    def __init__(self, *args, groups: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups")), *((g, g) for g in groups)]
        self.fields["status"].choices = [("", _("All")), *Service.Status.choices]
        style_widgets(self)


class CatalogueSearchForm(CheckedInputMixin, forms.Form):
    """The public catalogue's search (GET; every field optional)."""

    q = forms.CharField(label=gettext_lazy("Search services"), required=False, max_length=100)
    administration = forms.ChoiceField(label=gettext_lazy("Administration"), required=False)
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False)

    def __init__(self, *args, administrations: list[tuple[str, str]], groups: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administration"].choices = [("", _("All administrations")), *administrations]
        self.fields["group"].choices = [("", _("All groups")), *((g, g) for g in groups)]
        style_widgets(self)


# --- the citizen form ----------------------------------------------------------------------------

NUMBER_MAX_DIGITS = 18
NUMBER_DECIMAL_PLACES = 6


def citizen_field_name(attribute: AttributeFields) -> str:
    """The HTML name of a question's input (prefixed, so it never clashes with other fields)."""
    return f"attr_{attribute.code}"


def _choices(attribute: AttributeFields) -> list[tuple[str, str]]:
    return [(o["key"], o["name"]) for o in i18n.options(attribute)]


def _string_field(attribute: AttributeFields, **common) -> forms.Field:
    return forms.CharField(max_length=500, **common)


def _text_field(attribute: AttributeFields, **common) -> forms.Field:
    return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **common)


def _number_field(attribute: AttributeFields, **common) -> forms.Field:
    # A text input with inputmode, so that an Italian "3,5" is accepted (localize) like "3.5".
    return forms.DecimalField(
        max_digits=NUMBER_MAX_DIGITS,
        decimal_places=NUMBER_DECIMAL_PLACES,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **common,
    )


def _datetime_field(attribute: AttributeFields, **common) -> forms.Field:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(widget=widget, **common)


def _single_field(attribute: AttributeFields, **common) -> forms.Field:
    choices = _choices(attribute)
    if len(choices) <= RADIO_MAX_OPTIONS:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)


def _multi_field(attribute: AttributeFields, **common) -> forms.Field:
    return forms.MultipleChoiceField(
        choices=_choices(attribute), widget=forms.CheckboxSelectMultiple, **common
    )


FIELD_BUILDERS = {
    Datatype.STRING: _string_field,
    Datatype.TEXT: _text_field,
    Datatype.NUMBER: _number_field,
    Datatype.DATETIME: _datetime_field,
    Datatype.SINGLEVALUELIST: _single_field,
    Datatype.MULTIVALUELIST: _multi_field,
}


def citizen_field(attribute: AttributeFields) -> forms.Field:
    """The form field for one question the citizen answers."""
    builder = FIELD_BUILDERS[attribute.datatype]
    texts = attribute.i18n
    return builder(
        attribute,
        label=marked(texts.label),
        required=attribute.required,
        help_text=marked(texts.help_text),
    )


@dataclass(frozen=True)
class Entry:
    """One line of the citizen form, in order: a question (with its field) or information."""

    attribute: AttributeFields
    field: BoundField | None

    @property
    def is_information(self) -> bool:
        return self.field is None


class CitizenForm(ActionFormMixin, forms.Form):
    """The questions of one service, in order. Information-only lines have no field but keep
    their place in `entries`; `answers()` gives the validated answers keyed by question code."""

    def __init__(self, *args, attributes: Iterable[AttributeFields], **kwargs):
        super().__init__(*args, **kwargs)
        self.attributes = sorted(attributes, key=lambda a: (a.order, a.code))
        for attribute in self.attributes:
            if attribute.variable:
                self.fields[citizen_field_name(attribute)] = citizen_field(attribute)
        style_widgets(self)

    @property
    def entries(self) -> list[Entry]:
        return [
            Entry(a, self[citizen_field_name(a)] if a.variable else None) for a in self.attributes
        ]

    def make_read_only(self) -> None:
        """Disable every input (for previews that must not be filed)."""
        for field in self.fields.values():
            field.disabled = True

    def answers(self) -> dict[str, object]:
        """{question code: value} after is_valid(); unanswered optional questions are left out.

        Values: str (string, text, one choice's key), Decimal (number), aware datetime
        (datetime), list of keys (several choices)."""
        result = {}
        for attribute in self.attributes:
            if not attribute.variable:
                continue
            value = self.cleaned_data.get(citizen_field_name(attribute))
            if value not in (None, "", []):
                result[attribute.code] = value
        return result


def citizen_form_from_attributes(
    attributes: Iterable[AttributeFields], data=None, files=None, **kwargs
) -> CitizenForm:
    """The citizen form for a list of questions (saved or not)."""
    return CitizenForm(data, files, attributes=list(attributes), **kwargs)


def citizen_form_for(service: Service, data=None, files=None, **kwargs) -> CitizenForm:
    """The form a citizen fills for `service`, bound to `data` when given.

    Uses `service.attributes.all()`, so a prefetch of `attributes` spares the query."""
    return citizen_form_from_attributes(service.attributes.all(), data, files, **kwargs)
