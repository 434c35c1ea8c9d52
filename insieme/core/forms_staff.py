"""Forms of the staff screens of the core app.

Forms only turn text into values and check their shape; the rules that need the database or span
objects live in `insieme.core.actions`, whose ValidationErrors the views copy back onto the form.
"""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from insieme.core.geo import GeometryError, parse_boundary
from insieme.core.models import (
    Administration,
    ApiKey,
    Department,
    Holiday,
    Membership,
    PartnerOrganisation,
    is_time_zone,
)
from insieme.core.permissions import Role
from insieme.core.safe_input import CheckedInputMixin

_WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
}

colour_field_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #0066cc.")
)


class StaffForm(CheckedInputMixin, forms.Form):
    """A form whose widgets carry Bootstrap Italia classes (errors get ARIA from Django itself)."""

    template_name = "core/staff/_form_fields.html"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next(
                (c for w, c in _WIDGET_CLASSES.items() if isinstance(field.widget, w)),
                "form-control",
            )
            field.widget.attrs.setdefault("class", css)


# --- administration settings ---------------------------------------------------------------


def parse_holidays(text: str) -> list[tuple[date, str]]:
    """Parse "YYYY-MM-DD name" lines (blank lines ignored) into [(date, name)], sorted by date.

    Raises ValidationError naming the first bad line by its number (1-based).
    """
    days: dict[date, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        day_text, _sep, name = line.partition(" ")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise ValidationError(
                _("Line %(n)d: “%(line)s” does not start with a date as YYYY-MM-DD."),
                params={"n": number, "line": line},
            ) from None
        name = name.strip()
        if not name:
            raise ValidationError(
                _("Line %(n)d: give the holiday a name after the date."), params={"n": number}
            )
        if day in days:
            raise ValidationError(
                _("Line %(n)d: %(day)s is listed twice."), params={"n": number, "day": day_text}
            )
        if len(name) > Holiday._meta.get_field("name").max_length:
            raise ValidationError(_("Line %(n)d: the name is too long."), params={"n": number})
        days[day] = name
    return sorted(days.items())


def format_holidays(holidays) -> str:
    """The textarea form of an iterable of Holiday rows."""
    return "\n".join(f"{h.date:%Y-%m-%d} {h.name}" for h in holidays)


def _json_object(text: str, what: str) -> dict | None:
    """Parse `text` as a JSON object; None when blank."""
    if not (text or "").strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("%(what)s is not valid JSON (line %(line)d, column %(col)d: %(msg)s)."),
            params={"what": what, "line": exc.lineno, "col": exc.colno, "msg": exc.msg},
        ) from None
    if not isinstance(value, dict):
        raise ValidationError(_("%(what)s must be a JSON object."), params={"what": what})
    return value


class AdministrationSettingsForm(StaffForm):
    """Everything an administrator may change about their administration, holidays included."""

    SETTINGS_FIELDS = [
        "name",
        "ipa_code",
        "locale",
        "timezone",
        "boundary",
        "brand_name",
        "primary_colour",
        "secondary_colour",
        "feature_flags",
    ]

    name = forms.CharField(label=_("Name"), max_length=200)
    ipa_code = forms.CharField(
        label=_("IPA code"),
        max_length=20,
        required=False,
        help_text=_("Code of the body in Italy's Indice delle Pubbliche Amministrazioni."),
    )
    locale = forms.ChoiceField(
        label=_("Language of the administration"),
        choices=Administration._meta.get_field("locale").choices,
    )
    timezone = forms.CharField(
        label=_("Time zone"), max_length=60, help_text=_("An IANA name such as Europe/Rome.")
    )
    boundary = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A Polygon or MultiPolygon in longitude, latitude; leave empty for none."),
    )
    brand_name = forms.CharField(label=_("Brand name"), max_length=200, required=False)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_(
            "A PNG, JPEG or WebP image of at most 2 MB, shown beside the name on the public "
            "pages. It is stored as a PNG of at most 320 × 320 pixels, without metadata."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    primary_colour = forms.CharField(
        label=_("Primary colour"),
        max_length=7,
        validators=[colour_field_validator],
        help_text=_(
            "As #RRGGBB. The header, buttons and links; white text must stand out on it "
            "(contrast of at least 4.5:1), or a darker shade of it is used."
        ),
    )
    secondary_colour = forms.CharField(
        label=_("Secondary colour"),
        max_length=7,
        validators=[colour_field_validator],
        help_text=_(
            "As #RRGGBB. The top bar and the footer, under white text: the same contrast rule."
        ),
    )
    feature_flags = forms.CharField(
        label=_("Feature flags (JSON object)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('For example {"ideas": true}. Leave empty for none.'),
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line: the date as YYYY-MM-DD, a space, then the name."),
    )

    @classmethod
    def initial_for(cls, admin: Administration) -> dict:
        """Initial values showing `admin` as it is stored."""
        initial = {name: getattr(admin, name) for name in cls.SETTINGS_FIELDS}
        initial["boundary"] = json.dumps(admin.boundary, indent=2) if admin.boundary else ""
        initial["feature_flags"] = (
            json.dumps(admin.feature_flags, indent=2, sort_keys=True) if admin.feature_flags else ""
        )
        initial["holidays"] = format_holidays(admin.holidays.order_by("date"))
        return initial

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if not is_time_zone(value):
            raise ValidationError(_("Unknown time zone “%(tz)s”."), params={"tz": value})
        return value

    def clean_boundary(self) -> dict | None:
        value = _json_object(self.cleaned_data["boundary"], _("The boundary"))
        if value is not None:
            try:
                parse_boundary(value)
            except GeometryError as exc:
                raise ValidationError(
                    _("The boundary is not usable: %(error)s"), params={"error": str(exc)}
                ) from None
        return value

    def clean_feature_flags(self) -> dict:
        return _json_object(self.cleaned_data["feature_flags"], _("Feature flags")) or {}

    def clean_holidays(self) -> list[tuple[date, str]]:
        return parse_holidays(self.cleaned_data["holidays"])

    def settings_changes(self) -> dict:
        """The cleaned values of the administration's own fields (holidays excluded)."""
        return {name: self.cleaned_data[name] for name in self.SETTINGS_FIELDS}


# --- departments -----------------------------------------------------------------------------


class DepartmentForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short, unique within the administration: letters, digits, -"),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = ["name", "code", "email", "description"]

    def __init__(
        self, *args, administration: Administration, instance: Department | None = None, **kwargs
    ) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {n: getattr(instance, n) for n in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.administration = administration
        self.instance = instance

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        taken = Department.objects.filter(administration=self.administration, code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another department already uses this code."))
        return code


# --- people ----------------------------------------------------------------------------------


class MembershipForm(StaffForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=1000,
        help_text=_("Open cases this person can carry at once."),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    FIELDS = ["role", "department", "capacity", "job_title", "is_active"]

    def __init__(self, *args, membership: Membership, **kwargs) -> None:
        kwargs.setdefault("initial", {n: getattr(membership, n) for n in self.FIELDS})
        super().__init__(*args, **kwargs)
        # Only this administration's departments can be chosen.
        self.fields["department"].queryset = Department.objects.filter(
            administration_id=membership.administration_id
        )


# --- partners --------------------------------------------------------------------------------


class PartnerForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerOrganisation.Kind.choices)
    tax_code = forms.CharField(label=_("Tax code / VAT number"), max_length=20, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = ["name", "kind", "tax_code", "website", "description"]

    def __init__(
        self,
        *args,
        administration: Administration,
        instance: PartnerOrganisation | None = None,
        **kwargs,
    ) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {n: getattr(instance, n) for n in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.administration = administration
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = PartnerOrganisation.objects.filter(
            administration=self.administration, name__iexact=name
        )
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another partner organisation already has this name."))
        return name


class PartnerMemberForm(StaffForm):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("The person must already have an account."),
    )
    is_representative = forms.BooleanField(label=_("Can act for the organisation"), required=False)


# --- API keys --------------------------------------------------------------------------------


class ApiKeyForm(StaffForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who or what uses the key, e.g. “Municipal app”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiKey.SCOPES, widget=forms.CheckboxSelectMultiple
    )


# --- audit -----------------------------------------------------------------------------------


class AuditFilterForm(StaffForm):
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *[(a, a) for a in actions]]
