"""Forms of the account and invitation screens.

Forms only collect and shape input; the rules (password strength, uniqueness, who may do what)
live in insieme.core.actions, whose ValidationErrors `apply_errors` puts back on the form.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from insieme.core.actions import PROFILE_FIELDS
from insieme.core.models import Administration, User
from insieme.core.permissions import Role
from insieme.core.safe_input import CheckedInputMixin

_AUTOCOMPLETE = {
    "email": "email",
    "new_email": "email",
    "full_name": "name",
    "phone": "tel",
    "password": "new-password",
    "password_confirm": "new-password",
    "current_password": "current-password",
    "new_password": "new-password",
    "new_password_confirm": "new-password",
}


class StyledForm(CheckedInputMixin, forms.Form):
    """Adds Bootstrap Italia classes and autocomplete hints to every widget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Set the classes and hints; call again after adding fields."""
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxInput):
                # Checkboxes get no class: Bootstrap Italia draws them from `.form-check` markup.
                widget.attrs.setdefault("class", "form-control")
            if name in _AUTOCOMPLETE:
                widget.attrs.setdefault("autocomplete", _AUTOCOMPLETE[name])


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on `form`: by field where the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


PASSWORD_HELP = _(
    "At least 12 characters; not a common password or one published in a breach, not "
    "only digits, not like your name. A few unrelated words make a good one."
)


def _password_field(label, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


class _ConfirmedPasswordMixin:
    """Checks that `<base>_confirm` repeats `<base>`; the strength check is the action's."""

    password_pair: tuple[str, str] = ("password", "password_confirm")

    def clean(self):
        data = super().clean()
        first, second = self.password_pair
        if data.get(first) and data.get(second) and data[first] != data[second]:
            self.add_error(second, _("The two passwords do not match."))
        return data


class LoginForm(StyledForm):
    email = forms.EmailField(label=_("E-mail address"))
    password = _password_field(_("Password"), "current-password")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RegisterForm(_ConfirmedPasswordMixin, StyledForm):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    preferred_language = _language_field()
    password = _password_field(_("Password"))
    password_confirm = _password_field(_("Repeat the password"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = PASSWORD_HELP


class PasswordResetRequestForm(StyledForm):
    email = forms.EmailField(label=_("E-mail address"))


class SetPasswordForm(_ConfirmedPasswordMixin, StyledForm):
    password_pair = ("new_password", "new_password_confirm")
    new_password = _password_field(_("New password"))
    new_password_confirm = _password_field(_("Repeat the new password"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = PASSWORD_HELP


class PasswordChangeForm(SetPasswordForm):
    current_password = _password_field(_("Current password"), "current-password")
    field_order = ["current_password", "new_password", "new_password_confirm"]


class EmailChangeForm(StyledForm):
    new_email = forms.EmailField(label=_("New e-mail address"))
    password = _password_field(_("Current password"), "current-password")


_phone = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{4,30}$", _("Enter a phone number: digits, spaces, and + ( ) . - only.")
)


class ProfileForm(StyledForm):
    """The person's details and preferences; fields, labels and choices come from the User model."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Built per instance (not a ModelForm): validation must not touch the signed-in user.
        self.fields.update(fields_for_model(User, fields=PROFILE_FIELDS))
        self.fields["phone"].validators.append(_phone)
        self.fields["phone"].widget.input_type = "tel"
        self.style_widgets()

    @staticmethod
    def initial_for(user: User) -> dict:
        return {name: getattr(user, name) for name in PROFILE_FIELDS}


class InvitationForm(StyledForm):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("No department")
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=10000,
        initial=20,
        help_text=_("How many open cases this person can carry at once."),
    )

    def __init__(self, *args, administration: Administration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this administration's departments can be chosen; any other id is "not a choice".
        self.fields["department"].queryset = administration.departments.order_by("name")


class InvitationSignupForm(_ConfirmedPasswordMixin, StyledForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password = _password_field(_("Password"))
    password_confirm = _password_field(_("Repeat the password"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = PASSWORD_HELP


class CodeForm(StyledForm):
    """A code from the authenticator app (six digits) or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class SetupCodeForm(CodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The six digits your authenticator app shows now.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ConfirmPasswordForm(StyledForm):
    password = _password_field(_("Current password"), "current-password")
