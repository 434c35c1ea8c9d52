"""Forms of participation. They parse what the browser sends; the rules (who may do what, in
which phase, inside which boundary) live in `insieme.participation.actions`, whose
ValidationErrors the views put back on the form with `add_action_errors`."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.cases.filing.forms import (
    ACCEPT,
    MultipleFileField,
    MultipleFileInput,
    latitude_field,
    longitude_field,
)
from insieme.catalog.forms import (
    ActionFormMixin,
    ActionModelForm,
    DateInput,
    TranslationsMixin,
    style_widgets,
)
from insieme.participation.models import (
    MAX_COMMENT,
    MAX_IDEA_BODY,
    MAX_IDEA_TITLE,
    MAX_REASON,
    AuthorType,
    Category,
    CommentFlag,
    Idea,
    Phase,
    Process,
)

# --- participants ---------------------------------------------------------------------------------


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj.i18n.name)


class IdeaForm(ActionFormMixin, forms.Form):
    """A new idea. Without JavaScript it takes two steps when similar ideas exist: the first
    submission shows them, the second (with `checked`) files the idea."""

    title = forms.CharField(label=_("Title"), max_length=MAX_IDEA_TITLE)
    body = forms.CharField(
        label=_("Your idea"),
        max_length=MAX_IDEA_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should change, and why? Up to 4000 characters."),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("No category"),
        error_messages={"invalid_choice": _("Choose a category of this process.")},
    )
    lat = latitude_field()
    lon = longitude_field()
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Photos (JPEG, PNG, WebP) or PDF documents, up to 5 files."),
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the idea (otherwise it is published without a name)"),
        required=False,
        initial=True,
    )
    checked = forms.BooleanField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args, process: Process, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(process.categories.all())
        for category in categories:
            category.process = process
        field = self.fields["category"]
        field.queryset = process.categories.all()
        if not categories:
            del self.fields["category"]
        else:
            field.choices = [("", field.empty_label)] + [
                (c.pk, str(c.i18n.name)) for c in categories
            ]
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
        style_widgets(self)
        self.fields["attachments"].widget.attrs["class"] = "form-control"

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None) and not (
            self.errors.get("lat") or self.errors.get("lon")
        ):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        return data

    @property
    def groups(self):
        return [
            ("", ["title", "body", "category"]),
            (
                _("Where? (optional)"),
                ["lat", "lon"],
            ),
            ("", ["attachments", "show_name"]),
        ]


class CommentForm(ActionFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Up to 2000 characters. Be kind; write no personal data about others."),
    )
    show_name = forms.BooleanField(
        label=_("Show my name (otherwise the comment is published without a name)"),
        required=False,
        initial=True,
    )
    official = forms.BooleanField(
        label=_("Answer on behalf of the administration"),
        help_text=_("Shown as the administration's official answer, signed with your name."),
        required=False,
    )

    def __init__(self, *args, may_answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_answer:
            del self.fields["official"]
        style_widgets(self)

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")


class FlagForm(ActionFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=CommentFlag.Reason.choices,
        widget=forms.RadioSelect,
    )


class CoauthorForm(ActionFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of their account"),
        error_messages={"invalid": _("Write a valid e-mail address, e.g. name@example.org.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


ORDERS = [("recent", _("Newest first")), ("supports", _("Most supported first"))]
UNANSWERED = "none"


class IdeaFilterForm(ActionFormMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    answer = forms.ChoiceField(
        label=_("Official answer"),
        required=False,
        choices=[("", _("Any")), *Idea.Answer.choices, (UNANSWERED, _("Not answered yet"))],
    )
    author_type = forms.ChoiceField(
        label=_("Proposed by"), required=False, choices=[("", _("Anyone")), *AuthorType.choices]
    )
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDERS)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, str(c.i18n.name)) for c in categories
        ]
        if not categories:
            del self.fields["category"]
        style_widgets(self)

    def values(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


# --- staff ----------------------------------------------------------------------------------------


class ProcessForm(TranslationsMixin, ActionModelForm):
    translated = ("title", "description")

    class Meta:
        model = Process
        fields = [
            "title",
            "slug",
            "description",
            "audience",
            "invited_partners",
            "services",
            "is_published",
            "support_threshold",
            "support_deadline",
        ]
        widgets = {
            "invited_partners": forms.CheckboxSelectMultiple,
            "services": forms.CheckboxSelectMultiple,
            "audience": forms.RadioSelect,
            "support_deadline": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, administration, partners, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.administration = administration
        language = self.instance.language if self.instance.pk else administration.locale
        self.setup_translations(language, self.instance.translations)
        self.fields["invited_partners"].queryset = partners
        self.fields["invited_partners"].required = False
        self.fields["services"].queryset = services
        self.fields["services"].required = False
        self.fields["services"].label_from_instance = lambda s: str(s.i18n.name)
        self.fields["slug"].help_text = _(
            "Letters, digits and hyphens: the process's address is /participation/%(admin)s/"
            "<short name>/."
        ) % {"admin": administration.slug}

    @property
    def groups(self):
        return [
            (_("The process"), ["title", "slug", "description", "is_published"]),
            (_("Who takes part"), ["audience", "invited_partners"]),
            (_("What it aims to change"), ["services"]),
            (_("Supports"), ["support_threshold", "support_deadline"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = super().changes()
        data["invited_partners"] = list(self.cleaned_data.get("invited_partners") or [])
        data["services"] = list(self.cleaned_data.get("services") or [])
        data["translations"] = self.translations_changes()
        return data


class PhaseForm(TranslationsMixin, ActionModelForm):
    translated = ("name", "description")

    class Meta:
        model = Phase
        fields = ["kind", "name", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, process: Process, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_translations(process.language, self.instance.translations)

    @property
    def groups(self):
        return [
            (_("The phase"), ["kind", "name", "starts_on", "ends_on", "description"]),
            *self.translation_groups,
        ]

    def changes(self) -> dict:
        data = super().changes()
        data["translations"] = self.translations_changes()
        return data


class CategoryForm(TranslationsMixin, ActionModelForm):
    translated = ("name",)

    class Meta:
        model = Category
        fields = ["name", "position"]

    def __init__(self, *args, process: Process, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_translations(process.language, self.instance.translations)

    @property
    def groups(self):
        return [(_("The category"), ["name", "position"]), *self.translation_groups]

    def changes(self) -> dict:
        data = super().changes()
        data["translations"] = self.translations_changes()
        return data


class AnswerForm(ActionFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Answer"), choices=Idea.Answer.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Explanation (published with the answer; required when rejecting)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class EvaluatorForm(ActionFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Member of staff"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a member of staff from the list.")},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.full_name or u.email
        style_widgets(self)


class NoteForm(ActionFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Private note (staff only)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MergeForm(ActionFormMixin, forms.Form):
    into = forms.IntegerField(
        label=_("Number of the idea to merge this one into"),
        min_value=1,
        help_text=_("The number shown on every idea of the same process (#123)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


SPLIT_PARTS = 3


class SplitForm(ActionFormMixin, forms.Form):
    """Up to SPLIT_PARTS parts (empty ones are left out; at least two are needed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, SPLIT_PARTS + 1):
            self.fields[f"title_{n}"] = forms.CharField(
                label=_("Title of part %(n)d") % {"n": n},
                required=False,
                max_length=MAX_IDEA_TITLE,
            )
            self.fields[f"body_{n}"] = forms.CharField(
                label=_("Text of part %(n)d") % {"n": n},
                required=False,
                max_length=MAX_IDEA_BODY,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        style_widgets(self)

    def parts(self) -> list[dict]:
        return [
            {
                "title": self.cleaned_data.get(f"title_{n}", ""),
                "body": self.cleaned_data.get(f"body_{n}", ""),
            }
            for n in range(1, SPLIT_PARTS + 1)
        ]


class ModerationForm(ActionFormMixin, forms.Form):
    """One decision on a comment; the button pressed says which (`action`)."""

    action = forms.ChoiceField(
        choices=[
            ("hide", _("Hide")),
            ("keep", _("Keep")),
            ("restore", _("Show again")),
            ("release", _("Release")),
        ]
    )
    ground = forms.ChoiceField(
        label=_("Why it is hidden (spam and abuse teach the spam filter)"),
        choices=[("", _("Not said"))] + list(CommentFlag.Reason.choices),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason (shown to everyone in place of a hidden comment)"),
        required=False,
        max_length=MAX_REASON,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
