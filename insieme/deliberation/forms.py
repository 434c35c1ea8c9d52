"""Forms of deliberation. They parse what the browser sends; the rules (who may, when, how long a
statement is) live in `insieme.deliberation.actions`, whose ValidationErrors the views put back
on the form with `add_action_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.catalog.forms import ActionFormMixin, TranslationsMixin, style_widgets
from insieme.deliberation.actions import MAX_QUESTION, MAX_STATEMENT
from insieme.deliberation.models import Vote
from insieme.participation.models import MAX_REASON

# What a vote button sends, and the value the vote row keeps.
VOTE_VALUES = {
    "agree": Vote.Value.AGREE,
    "disagree": Vote.Value.DISAGREE,
    "pass": Vote.Value.PASS,
}


class VoteForm(ActionFormMixin, forms.Form):
    """The button pressed (`vote`), and the page of the statement list to come back to."""

    vote = forms.ChoiceField(
        choices=[(key, key) for key in VOTE_VALUES],
        error_messages={
            "required": _("Choose agree, disagree or pass."),
            "invalid_choice": _("A vote is agree, disagree or pass."),
        },
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    @property
    def value(self) -> int:
        return int(VOTE_VALUES[self.cleaned_data["vote"]])


class StatementForm(ActionFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One short, clear opinion others can agree or disagree with; 10 to 400 "
            "characters. A moderator reads it before it is open for votes."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


# --- staff ----------------------------------------------------------------------------------------


class _PlainTranslationsMixin(TranslationsMixin):
    """TranslationsMixin for a form without a model: a translation's label is the field's own."""

    def _plain_label(self, field: str) -> str:
        return self.base_fields[field].label


class ConversationForm(_PlainTranslationsMixin, ActionFormMixin, forms.Form):
    """The question (in the process's language, with its translations) and the two switches."""

    translated = ("question",)

    question = forms.CharField(
        label=_("Question put to participants"),
        max_length=MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_open = forms.BooleanField(
        label=_("Open for votes"),
        required=False,
        initial=True,
        help_text=_("When the process has phases, votes are taken during its deliberation phase."),
    )
    accepts_statements = forms.BooleanField(
        label=_("Participants may add statements"),
        required=False,
        initial=True,
        help_text=_("New statements wait for a moderator before anyone votes on them."),
    )

    def __init__(self, *args, language: str, conversation=None, **kwargs):
        if conversation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "question": conversation.question,
                    "is_open": conversation.is_open,
                    "accepts_statements": conversation.accepts_statements,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = conversation
        self.setup_translations(language, conversation.translations if conversation else {})
        style_widgets(self)

    @property
    def groups(self):
        return [
            (_("The conversation"), ["question", "is_open", "accepts_statements"]),
            *self.translation_groups,
        ]

    def translations_changes(self) -> dict:
        from insieme.catalog import i18n

        current = dict((self.instance.translations or {}) if self.instance else {})
        for lang in self.translation_languages:
            texts = dict(current.get(lang) or {})
            texts["question"] = self.cleaned_data.get(f"question__{lang}", "")
            current[lang] = texts
        return i18n.clean_translations(current)

    def changes(self) -> dict:
        return {
            "question": self.cleaned_data["question"],
            "is_open": self.cleaned_data["is_open"],
            "accepts_statements": self.cleaned_data["accepts_statements"],
            "translations": self.translations_changes(),
        }


class SeedStatementForm(_PlainTranslationsMixin, ActionFormMixin, forms.Form):
    translated = ("text",)
    prefix = "seed"

    text = forms.CharField(
        label=_("Statement"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("10 to 400 characters; open for votes at once."),
    )
    is_meta = forms.BooleanField(
        label=_("About the participant, not an opinion (e.g. “I live in the centre”)"),
        required=False,
        help_text=_("Voted on and reported, but left out of the opinion groups."),
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = None
        self.setup_translations(language, {})
        style_widgets(self)

    @property
    def groups(self):
        return [(_("New statement"), ["text", "is_meta"]), *self.translation_groups]

    def translations_changes(self) -> dict:
        from insieme.catalog import i18n

        return i18n.clean_translations(
            {
                lang: {"text": self.cleaned_data.get(f"text__{lang}", "")}
                for lang in self.translation_languages
            }
        )


class ModerationForm(ActionFormMixin, forms.Form):
    """One decision on a pending statement; the button pressed says which (`decision`)."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        error_messages={"invalid_choice": _("Accept or reject the statement.")},
    )
    reason = forms.CharField(
        label=_("Reason for rejecting (kept for the record, not shown to voters)"),
        required=False,
        max_length=MAX_REASON,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the statement is rejected."))
        return data


class MetaForm(ActionFormMixin, forms.Form):
    is_meta = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", empty_value=None
    )
