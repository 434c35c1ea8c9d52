"""Forms of the staff case page. They parse what the browser sends and offer the choices that apply
to the case (allowed transitions, candidate officers, departments, provisions); the rules
themselves (permissions, capacity, states) live in `insieme.cases.handling`, whose ValidationErrors
the views put back on the form with `add_action_errors`.

Every form carries the case's `version` (optimistic concurrency): the views compare it with the
case as it is now and pass it to the actions that accept it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# What an information request can name besides a form field (field_code "document[:name]" or
# "other:name"; the insights read these prefixes for S4, fields the form lacks).
from insieme.cases.labels import DOCUMENT, OTHER
from insieme.cases.lifecycle import MAX_DESCRIPTION
from insieme.cases.models import TRANSITIONS, Decision, Status, TimeLog
from insieme.catalog.forms import ActionFormMixin, style_widgets
from insieme.core.safe_input import CheckedInputMixin

# What staff log time on by hand (hand-offs log theirs themselves).
TIME_ACTIONS = [(a.value, a.label) for a in TimeLog.Action if a != TimeLog.Action.HANDOFF]


class CaseForm(ActionFormMixin, forms.Form):
    """A form of the case page: a prefix per form (several share the page) and the version."""

    prefix_name = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ReplyForm(CaseForm):
    prefix_name = "reply"
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            ("public", _("Public reply: the citizen (and the public page of a report) see it")),
            ("internal", _("Internal note: only staff see it")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the reply.")},
    )
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("template") and data.get("visibility") == "internal":
            self.add_error(
                "visibility", _("A reply from a template is public: choose “Public reply”.")
            )
        return data


class TemplatePickForm(CheckedInputMixin, forms.Form):
    """GET form: fill the reply's text from a response template (the officer edits it)."""

    template = forms.TypedChoiceField(label=_("Response template"), coerce=int, required=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("Choose a template"))] + [
            (t.pk, t.name if t.service_id else _("%(name)s (all services)") % {"name": t.name})
            for t in templates
        ]
        style_widgets(self)


class StatusForm(CaseForm):
    prefix_name = "status"
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Public note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the citizen with the new status."),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(case.status, frozenset()) if case else frozenset()
        self.fields["status"].choices = [(s, label) for s, label in Status.choices if s in allowed]


class AssignForm(CaseForm):
    prefix_name = "assign"
    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, empty_value=None, required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for assigning beyond capacity"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the person already carries as many cases as their capacity."),
    )

    def __init__(self, *args, candidates=(), loads=None, me=None, **kwargs):
        """`candidates`: memberships who may take the case; `me`: the viewer, who may take it
        themselves."""
        super().__init__(*args, **kwargs)
        loads = loads or {}
        choices = [("", _("Nobody: back to the department's queue"))]
        seen = set()
        for m in candidates:
            if m.user_id in seen:
                continue
            seen.add(m.user_id)
            load = loads.get(m.user_id, 0)
            label = _("%(name)s — %(load)d of %(capacity)d open cases") % {
                "name": m.user.full_name or m.user.email,
                "load": load,
                "capacity": m.capacity,
            }
            if load >= m.capacity:
                label = _("%(label)s (at capacity)") % {"label": label}
            choices.append((m.user_id, label))
        if me is not None and me.pk not in seen:
            choices.append((me.pk, me.full_name or me.email))
        self.fields["assignee"].choices = choices


class InformationForm(CaseForm):
    prefix_name = "info"
    field = forms.ChoiceField(label=_("What is missing"))
    other_name = forms.CharField(
        label=_("Name of the document or information"),
        required=False,
        max_length=50,
        help_text=_("For a document, or for something the form does not ask: name it."),
    )
    text = forms.CharField(
        label=_("Message to the citizen"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what is missing.")},
    )

    def __init__(self, *args, attributes=(), **kwargs):
        super().__init__(*args, **kwargs)
        fields = [(a.code, f"{a.i18n.label} ({a.code})") for a in attributes if a.variable]
        self.fields["field"].choices = [
            ("", _("Choose")),
            (_("Fields of the form"), fields),
            (
                _("Not a field of the form"),
                [(DOCUMENT, _("A document")), (OTHER, _("Something the form does not ask"))],
            ),
        ]

    def clean(self):
        data = super().clean()
        name = (data.get("other_name") or "").strip()
        if data.get("field") == OTHER and not name:
            self.add_error("other_name", _("Name what the form does not ask."))
        return data

    def field_code(self) -> str:
        """The code the action records: the form field's code, "document[:name]" or
        "other:name"."""
        field = self.cleaned_data["field"]
        name = " ".join(self.cleaned_data.get("other_name", "").split())
        if field == OTHER:
            return f"{OTHER}:{name}"[:60]
        if field == DOCUMENT:
            return (f"{DOCUMENT}:{name}" if name else DOCUMENT)[:60]
        return field


def _department_choices(departments):
    return [("", _("Choose a department"))] + [(d.pk, d.name) for d in departments]


class HandoffForm(CaseForm):
    prefix_name = "handoff"
    to_department = forms.TypedChoiceField(label=_("Hand off to"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the case goes to the other department.")},
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_department"].choices = _department_choices(departments)


class HandoffReturnForm(CaseForm):
    prefix_name = "return"
    response = forms.CharField(
        label=_("Why do you send it back?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the case is sent back.")},
    )


class HandoffAcceptForm(CaseForm):
    prefix_name = "accept"


class ShareForm(CaseForm):
    prefix_name = "share"
    department = forms.TypedChoiceField(label=_("Share with"), coerce=int)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(departments)


class TimeForm(CaseForm):
    prefix_name = "time"
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=0,
        max_value=24 * 60,
        error_messages={"invalid": _("Give the minutes as a whole number.")},
    )
    action = forms.ChoiceField(label=_("Spent on"), choices=TIME_ACTIONS, initial="work")


class MergeForm(CaseForm):
    prefix_name = "merge"
    into = forms.CharField(
        label=_("Reference of the case to keep"),
        max_length=20,
        help_text=_("For example 2026-000123. This case closes as its duplicate."),
        error_messages={"required": _("Give the reference of the case to keep.")},
    )

    def clean_into(self):
        return self.cleaned_data["into"].strip()


class DecideForm(CaseForm):
    prefix_name = "decide"
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for a refusal; shown to the citizen."),
    )
    provision = forms.TypedChoiceField(
        label=_("Provision applied"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Required for a refusal."),
    )

    def __init__(self, *args, traced=(), others=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices: list = [("", _("None"))]
        if traced:
            choices.append((_("Traced to this service"), [(p.pk, label) for p, label in traced]))
        if others:
            choices.append((_("Other provisions in force"), [(p.pk, label) for p, label in others]))
        self.fields["provision"].choices = choices
