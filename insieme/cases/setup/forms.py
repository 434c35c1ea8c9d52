"""Forms of the case-handling setup screens (reply templates, routing rules) and of the
workload view's reassignment. They parse what the browser sends; the rules live in
`insieme.cases.setup.actions` and `insieme.cases.handling.assignment`, whose errors the views
put back with `add_action_errors`."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import Status
from insieme.cases.setup.actions import placeholder_error, unknown_placeholders
from insieme.catalog.forms import ActionFormMixin, style_widgets
from insieme.catalog.models import Service
from insieme.core.geo import GeometryError, parse_boundary
from insieme.core.models import Administration, Department


def _services(admin: Administration):
    return Service.objects.filter(administration=admin).order_by("name")


class ResponseTemplateForm(ActionFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every service"),
        help_text=gettext_lazy("Leave “Every service” for a reply any service may use."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Placeholders in braces are filled from the case: see the list."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status it sets"),
        required=False,
        choices=[("", gettext_lazy("Leave the status as it is"))] + list(Status.choices),
    )

    def __init__(self, *args, administration: Administration, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "service": instance.service_id,
                "body": instance.body,
                "status": instance.status,
            }
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = _services(administration)
        self.fields["service"].label_from_instance = lambda s: f"{s.i18n.name} ({s.code})"
        self.fields["body"].widget.attrs["aria-describedby"] = "id_body_helptext placeholders"
        style_widgets(self)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        unknown = unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(placeholder_error(unknown))
        return body


class RoutingRuleForm(ActionFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=gettext_lazy("Service"), queryset=Service.objects.none())
    name = forms.CharField(label=gettext_lazy("Area name"), max_length=120)
    area = forms.CharField(
        label=gettext_lazy("Area (GeoJSON polygon)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "A GeoJSON Polygon or MultiPolygon (or a Feature holding one), with longitude, "
            "latitude in degrees."
        ),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none()
    )
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=gettext_lazy("Lower numbers are tried first."),
    )

    def __init__(self, *args, administration: Administration, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "service": instance.service_id,
                "name": instance.name,
                "area": json.dumps(instance.area, indent=2),
                "department": instance.department_id,
                "priority": instance.priority,
            }
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = _services(administration)
        self.fields["service"].label_from_instance = lambda s: f"{s.i18n.name} ({s.code})"
        self.fields["department"].queryset = Department.objects.filter(
            administration=administration
        ).order_by("name")
        style_widgets(self)

    def clean_area(self) -> dict:
        text = self.cleaned_data["area"]
        try:
            parse_boundary(text)
        except GeometryError as exc:
            raise forms.ValidationError(
                _("The area is not usable: %(error)s") % {"error": str(exc)}
            ) from exc
        return json.loads(text)


class ReassignForm(ActionFormMixin, forms.Form):
    """Give one case to someone (the workload view's general form and its one-click buttons)."""

    reference = forms.CharField(label=gettext_lazy("Case reference"), max_length=20)
    assignee = forms.TypedChoiceField(label=gettext_lazy("Give it to"), coerce=int)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for going beyond capacity"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed only when the person is at or over capacity."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Choose a person"))] + [
            (p.user_id, f"{p.name} ({p.load}/{p.capacity})") for p in people
        ]
        style_widgets(self)

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip()
