"""Forms of surveys. They parse what the browser sends; the rules live in
insieme.surveys.actions (and, for answers, insieme.surveys.answers), whose ValidationErrors the
views put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.forms import ActionFormMixin, ActionModelForm, TranslationsMixin
from insieme.catalog.forms import _label_in as label_in
from insieme.surveys import answers as parser
from insieme.surveys.actions import KEY_RE, fill_keys
from insieme.surveys.models import (
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    OPTIONS,
    SCALE_BOUNDS,
    TEXT_LIMIT,
    Question,
    Survey,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _datetime_field(label, help_text):
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DateTimeInput,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
    )


# --- staff ----------------------------------------------------------------------------------------


class SurveyForm(TranslationsMixin, ActionModelForm):
    translated = ("title", "description")

    opens_at = _datetime_field(
        _("Opens at"), _("Optional: an open survey takes answers from this moment.")
    )
    closes_at = _datetime_field(
        _("Closes at"), _("Optional: an open survey takes no answer after this moment.")
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "description",
            "process",
            "service",
            "audience",
            "results_public",
            "opens_at",
            "closes_at",
        ]
        widgets = {
            "audience": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, administration, processes, services, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.instance.language if self.instance.pk else administration.locale
        self.setup_translations(language, self.instance.translations)
        process, service = self.fields["process"], self.fields["service"]
        process.queryset, service.queryset = processes, services
        process.required = service.required = False
        process.empty_label = service.empty_label = _("None")
        process.label_from_instance = lambda p: str(p.i18n.title)
        service.label_from_instance = lambda s: str(s.i18n.name)
        process.help_text = _("Attach the survey to a process, to a service, or to both.")
        for name in ("process", "service"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choose one of this administration's in the list."
            )

    @property
    def groups(self):
        return [
            (_("The survey"), ["title", "description"]),
            (_("What it is about"), ["process", "service"]),
            (_("Who answers, and when"), ["audience", "opens_at", "closes_at", "results_public"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = super().changes()
        data["translations"] = self.translations_changes()
        return data


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o['key']} = {o['label']}" for o in options or [])


def _split_line(line: str) -> tuple[str, str]:
    """("key", "label") from "key = label"; ("", line) when the line has no key."""
    key, sep, label = line.partition("=")
    key = key.strip().lower()
    if sep and KEY_RE.match(key):
        return key, label.strip()
    return "", line.strip()


def parse_options(text: str) -> list[dict]:
    rows = [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    return [dict(zip(("key", "label"), _split_line(line), strict=True)) for line in rows]


def parse_option_labels(text: str, keys: list[str]) -> dict[str, str]:
    """{key: label} from lines "key = label", or from plain lines in the options' order."""
    out = {}
    rows = [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    for index, line in enumerate(rows):
        key, label = _split_line(line)
        if not key and index < len(keys):
            key = keys[index]
        if key and label:
            out[key] = label
    return out


class QuestionForm(TranslationsMixin, ActionModelForm):
    translated = ("text", "min_label", "max_label")

    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest value"),
        required=False,
        min_value=SCALE_BOUNDS[0],
        max_value=SCALE_BOUNDS[1],
    )
    scale_max = forms.IntegerField(
        label=_("Highest value"),
        required=False,
        min_value=SCALE_BOUNDS[0],
        max_value=SCALE_BOUNDS[1],
    )
    max_length = forms.IntegerField(
        label=_("Longest answer (characters)"),
        required=False,
        min_value=1,
        max_value=TEXT_LIMIT,
        help_text=_("Text questions: 1000 when left empty."),
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "text",
            "required",
            "scale_min",
            "scale_max",
            "min_label",
            "max_label",
            "max_length",
        ]

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.setup_translations(survey.language, self.instance.translations)
        self.fields["options_text"].label = label_in(_("Options"), survey.language)
        self.fields["options_text"].help_text = _(
            "Choice questions: one option per line, as “key = label” (a key of small letters, "
            "digits and hyphens; left out, it is made from the label). At most %(n)d options."
        ) % {"n": MAX_OPTIONS}
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = options_text(self.instance.options)
        keys = self.instance.option_keys() if self.instance.pk else []
        for lang in self.translation_languages:
            have = ((self.instance.translations or {}).get(lang) or {}).get(OPTIONS) or {}
            self.fields[f"options__{lang}"] = forms.CharField(
                label=label_in(_("Options"), lang),
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "lang": lang}),
                help_text=_("One label per line, as “key = label”, or in the options' order."),
                max_length=MAX_OPTIONS * (MAX_OPTION_LABEL + 50),
                initial="\n".join(f"{k} = {have[k]}" for k in keys if have.get(k)),
            )
        self.fields["options_text"].max_length = MAX_OPTIONS * (MAX_OPTION_LABEL + 50)

    @property
    def groups(self):
        extra = [
            (legend, [*names, f"options__{lang}"])
            for (legend, names), lang in zip(
                self.translation_groups, self.translation_languages, strict=True
            )
        ]
        return [
            (_("The question"), ["kind", "text", "required"]),
            (_("Choice questions"), ["options_text"]),
            (_("Scales"), ["scale_min", "scale_max", "min_label", "max_label"]),
            (_("Text questions"), ["max_length"]),
            *extra,
        ]

    def changes(self) -> dict:
        data = super().changes()
        options = fill_keys(parse_options(self.cleaned_data.get("options_text", "")))
        translations = self.translations_changes()
        keys = [o["key"] for o in options]
        for lang in self.translation_languages:
            labels = parse_option_labels(self.cleaned_data.get(f"options__{lang}", ""), keys)
            if labels:
                translations.setdefault(lang, {})[OPTIONS] = labels
            else:
                (translations.get(lang) or {}).pop(OPTIONS, None)
        data["options"] = options
        data["translations"] = {k: v for k, v in translations.items() if v}
        return data


class StatusForm(ActionFormMixin, forms.Form):
    to = forms.ChoiceField(choices=Survey.Status.choices)


class MoveForm(ActionFormMixin, forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


# --- respondents --------------------------------------------------------------------------------


class _OpenChoice(forms.ChoiceField):
    """A choice the parser checks (insieme.surveys.answers), with its own messages."""

    def validate(self, value):
        pass


class _OpenMultiple(forms.MultipleChoiceField):
    def validate(self, value):
        pass


class AnswerForm(ActionFormMixin, forms.Form):
    """One field per question (`q<id>`): radio buttons for single choices and scales, check
    boxes for multiple choices, a text box for texts. Whether an answer is acceptable is the
    parser's decision, as it is for every other way in."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = str(question.i18n.text)
            if question.kind == Question.Kind.SINGLE:
                field = _OpenChoice(
                    label=label,
                    choices=[(o["key"], o["label"]) for o in question.option_labels()],
                    widget=forms.RadioSelect,
                )
            elif question.kind == Question.Kind.MULTIPLE:
                field = _OpenMultiple(
                    label=label,
                    choices=[(o["key"], o["label"]) for o in question.option_labels()],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif question.kind == Question.Kind.SCALE:
                field = _OpenChoice(
                    label=label,
                    choices=[(str(v), str(v)) for v in question.scale_values()],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=label,
                    widget=forms.Textarea(
                        attrs={"rows": 4, "class": "form-control", "maxlength": question.max_length}
                    ),
                    strip=False,
                )
                field.help_text = _("Up to %(n)d characters.") % {
                    "n": question.max_length or parser.DEFAULT_TEXT_LIMIT
                }
            field.required = False  # the parser says what a required question needs
            field.question = question
            self.fields[question.field_name] = field

    def values_for(self, question: Question) -> list:
        key = self.add_prefix(question.field_name)
        if hasattr(self.data, "getlist"):
            return self.data.getlist(key)
        value = self.data.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def clean(self):
        data = super().clean()
        _answers, errors = parser.parse_all(self.questions, self.values_for)
        for pk, message in errors.items():
            name = f"q{pk}"
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def raw_values(self) -> dict[str, list]:
        return {q.field_name: self.values_for(q) for q in self.questions}

    def rows(self):
        """(question, bound field) in order, for the template."""
        return [(q, self[q.field_name]) for q in self.questions]


def language_label(code: str) -> str:
    return i18n.language_name(code)
