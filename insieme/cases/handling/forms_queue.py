"""Forms of the staff work queue: the filter (GET), saved views, and bulk actions (POST).

The filter form only reads; it turns its cleaned data into queryset filters (`apply`) so that the
view stays a straight read-through. Choices come from the administration being looked at, so a
forged id of another tenant's service, department or person is simply an invalid choice.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.db.models import ExpressionWrapper, F, FloatField
from django.utils.translation import gettext_lazy as _

from insieme.cases.access import order_by
from insieme.cases.models import (
    CASE_KINDS,
    GRID_METRES,
    OPEN_STATUSES,
    DueState,
    Handoff,
    ResponseTemplate,
    SavedView,
    Status,
    grid_cell,
)
from insieme.catalog.forms import DateInput, style_widgets
from insieme.catalog.models import Service
from insieme.core.models import Administration, Department, Membership
from insieme.core.permissions import Perm, roles_with
from insieme.core.safe_input import ID_MAX, CheckedInputMixin

PAGE_SIZE = 50
MAX_RADIUS_M = 5000
_DEG_LAT_M = 111_320.0


class Scope:
    ALL = ""
    MINE = "mine"
    UNASSIGNED = "unassigned"
    HANDED = "handed"

    CHOICES = [
        (ALL, _("Everything I can see")),
        (MINE, _("Assigned to me")),
        (UNASSIGNED, _("Unassigned in my departments")),
        (HANDED, _("Handed to my department")),
    ]


NOBODY = "none"

# sort key -> the case column it orders by
SORTS = {
    "due": "resolve_due_at",
    "submitted": "submitted_at",
    "updated": "updated_at",
    "reference": "reference",
}

# The query-string keys a saved view keeps (everything the filter form reads, never the page).
FILTER_KEYS = (
    "scope",
    "service",
    "kind",
    "status",
    "department",
    "assignee",
    "address",
    "lat",
    "lon",
    "radius",
    "due_soon",
    "overdue",
    "submitted_from",
    "submitted_to",
    "sort",
    "order",
)


def handling_members(admin: Administration, departments: set[int] | None):
    """Active members of `admin` who may handle cases (officers, supervisors), of `departments`
    when given: the people a case can be assigned to, one row per person."""
    qs = Membership.objects.filter(
        administration=admin,
        is_active=True,
        user__is_active=True,
        role__in=roles_with(Perm.CASE_HANDLE),
    )
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    return qs.select_related("user").order_by("user__full_name", "user_id")


def _people_choices(members) -> list[tuple[str, str]]:
    seen, choices = set(), []
    for m in members:
        if m.user_id not in seen:
            seen.add(m.user_id)
            choices.append((str(m.user_id), m.user.full_name or m.user.email))
    return choices


# "Waiting for the citizen" was once a checkbox of its own beside the same status: links and saved
# views that still carry it mean that status.
LEGACY_WAITING = "waiting"


def legacy_data(querydict):
    """`querydict` with the old `waiting` key read as the status it duplicated."""
    if querydict is None or LEGACY_WAITING not in querydict:
        return querydict
    data = querydict.copy()
    data.pop(LEGACY_WAITING)
    data.setlist("status", [Status.WAITING_CITIZEN])
    return data


def clean_query(querydict) -> str:
    """The filter part of a query string (known keys only, no page), re-encoded."""
    querydict = legacy_data(querydict)
    pairs = [(k, v) for k in FILTER_KEYS for v in querydict.getlist(k) if v != ""]
    return urlencode(pairs)[:1000]


class QueueFilterForm(CheckedInputMixin, forms.Form):
    scope = forms.ChoiceField(label=_("Show"), choices=Scope.CHOICES, required=False)
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *CASE_KINDS], required=False
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When none is ticked, open cases are shown."),
    )
    department = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none(), required=False
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    address = forms.CharField(label=_("Address contains"), required=False, max_length=100)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    radius = forms.IntegerField(
        label=_("Within (metres)"),
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_M,
        help_text=_("With latitude and longitude: cases placed within this distance."),
    )
    due_soon = forms.BooleanField(label=_("Due soon"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput)
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Due date")),
            ("submitted", _("Submitted")),
            ("updated", _("Last change")),
            ("reference", _("Reference")),
        ],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("asc", _("Ascending (soonest, oldest first)")), ("desc", _("Descending"))],
    )

    def __init__(
        self, data=None, *args, admin: Administration, departments: set[int] | None, **kwargs
    ):
        super().__init__(legacy_data(data), *args, **kwargs)
        self.admin = admin
        self.departments = departments
        self.fields["service"].queryset = (
            Service.objects.filter(administration=admin)
            .only("id", "name", "code", "language", "translations")
            .order_by("name")
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.i18n.name} ({s.code})"
        self.fields["department"].queryset = (
            Department.objects.filter(administration=admin).only("id", "name").order_by("name")
        )
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (NOBODY, _("Nobody")),
            *_people_choices(handling_members(admin, departments)),
        ]
        style_widgets(self)

    def clean(self):
        data = super().clean()
        located = [data.get(k) is not None for k in ("lat", "lon", "radius")]
        if any(located) and not all(located):
            raise forms.ValidationError(
                _("To search around a place, give latitude, longitude and a distance."),
                code="place",
            )
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("This date is before the start date."))
        return data

    # --- turning the choices into filters -------------------------------------------------

    def _day_start(self, day: dt.date) -> dt.datetime:
        tz = zoneinfo.ZoneInfo(self.admin.timezone or "Europe/Rome")
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    def _scope(self, qs, user, scope: str):
        if scope == Scope.MINE:
            return qs.filter(assignee=user)
        if scope == Scope.UNASSIGNED:
            qs = qs.filter(assignee__isnull=True)
            if self.departments is not None:
                qs = qs.filter(department_id__in=self.departments)
            return qs
        if scope == Scope.HANDED:
            pending = Handoff.objects.filter(state=Handoff.State.PENDING)
            if self.departments is not None:
                pending = pending.filter(to_department_id__in=self.departments)
            return qs.filter(pk__in=pending.values("case_id"))
        return qs

    def _near(self, qs, lat: float, lon: float, radius: int):
        """Cases within `radius` metres: a seek on the grid cells around the point (indexed),
        then the exact (equirectangular) distance in SQL, so that paging stays exact."""
        cells = math.ceil(radius / GRID_METRES)
        row, col = grid_cell(lat, lon)
        cos_lat = math.cos(math.radians(lat))
        dy = ExpressionWrapper((F("lat") - lat) * _DEG_LAT_M, output_field=FloatField())
        dx = ExpressionWrapper((F("lon") - lon) * (_DEG_LAT_M * cos_lat), output_field=FloatField())
        return (
            qs.filter(
                cell_row__in=range(row - cells, row + cells + 1),
                cell_col__in=range(col - cells - 1, col + cells + 2),
                lat__isnull=False,
                lon__isnull=False,
            )
            .alias(d2=ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField()))
            .filter(d2__lte=float(radius) ** 2)
        )

    def apply(self, qs, user):
        """`qs` narrowed and ordered by the choices that are valid (the invalid ones are shown
        as errors and left out; an unbound form: open cases, soonest due first)."""
        data = {}
        if self.is_bound:
            self.is_valid()  # keeps the fields that validated in cleaned_data
            data = self.cleaned_data
        qs = self._scope(qs, user, data.get("scope") or "")
        statuses = data.get("status") or []
        qs = qs.filter(status__in=sorted(statuses or OPEN_STATUSES))
        if data.get("service"):
            qs = qs.filter(service=data["service"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        assignee = data.get("assignee") or ""
        if assignee == NOBODY:
            qs = qs.filter(assignee__isnull=True)
        elif assignee:
            qs = qs.filter(assignee_id=int(assignee))
        if data.get("address"):
            qs = qs.filter(address__icontains=data["address"])
        if all(data.get(k) is not None for k in ("lat", "lon", "radius")):
            qs = self._near(qs, data["lat"], data["lon"], data["radius"])
        due = [
            state
            for key, state in (("due_soon", DueState.DUE_SOON), ("overdue", DueState.OVERDUE))
            if data.get(key)
        ]
        if due:
            qs = qs.filter(due_state__in=due)
        if data.get("submitted_from"):
            qs = qs.filter(submitted_at__gte=self._day_start(data["submitted_from"]))
        if data.get("submitted_to"):
            end = self._day_start(data["submitted_to"] + dt.timedelta(days=1))
            qs = qs.filter(submitted_at__lt=end)
        return qs.order_by(*self.ordering(data))

    def sort_spec(self) -> tuple[str, bool]:
        """(column, descending) of the order `apply` gives; ties go by id the same way."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return self._sort(data)

    @staticmethod
    def _sort(data: dict) -> tuple[str, bool]:
        return SORTS.get(data.get("sort") or "due", "resolve_due_at"), data.get("order") == "desc"

    @classmethod
    def ordering(cls, data: dict) -> list:
        """Soonest due first by default; cases without a due date always come last."""
        return order_by(*cls._sort(data))


class SavedViewForm(CheckedInputMixin, forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name"]
        labels = {"name": _("Name of this view")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class BulkAction:
    ASSIGN = "assign"
    STATUS = "status"
    TEMPLATE = "template"


MAX_SELECTED = 200


class BulkForm(CheckedInputMixin, forms.Form):
    """One form for the three bulk actions; the button pressed (`action`) says which fields
    count. The selected case ids are read separately (see `selected_ids`)."""

    action = forms.ChoiceField(
        choices=[
            (BulkAction.ASSIGN, _("Assign")),
            (BulkAction.STATUS, _("Change status")),
            (BulkAction.TEMPLATE, _("Reply with a template")),
        ]
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    override_reason = forms.CharField(
        label=_("Reason to assign beyond capacity"),
        required=False,
        max_length=500,
        help_text=_("Only needed when the person already carries as many cases as they can."),
    )
    to_status = forms.ChoiceField(
        label=_("New status"), required=False, choices=[("", "—"), *Status.choices]
    )
    note = forms.CharField(label=_("Public note (optional)"), required=False, max_length=2000)
    template = forms.ModelChoiceField(
        label=_("Response template"), queryset=ResponseTemplate.objects.none(), required=False
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)

    def __init__(self, *args, user, admin, departments, can_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.can_assign = can_assign
        me = (str(user.pk), _("Me (%(name)s)") % {"name": user.full_name or user.email})
        if can_assign:
            people = [
                c
                for c in _people_choices(handling_members(admin, departments))
                if c[0] != str(user.pk)
            ]
            self.fields["assignee"].choices = [
                ("", "—"),
                me,
                *people,
                (NOBODY, _("Nobody (back to the queue)")),
            ]
        else:
            # Officers take cases themselves; giving them to others is a supervisor's call.
            self.fields["assignee"].choices = [me]
            del self.fields["override_reason"]
        self.fields["template"].queryset = (
            ResponseTemplate.objects.filter(administration=admin)
            .select_related("service")
            .order_by("name")
        )
        self.fields["template"].label_from_instance = lambda t: (
            f"{t.name} ({t.service.i18n.name})" if t.service_id else t.name
        )
        style_widgets(self)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {
            BulkAction.ASSIGN: ("assignee", _("Choose who gets the cases.")),
            BulkAction.STATUS: ("to_status", _("Choose the new status.")),
            BulkAction.TEMPLATE: ("template", _("Choose a response template.")),
        }.get(action)
        if required and not data.get(required[0]):
            self.add_error(required[0], required[1])
        return data


def selected_ids(post) -> list[int]:
    """The case ids ticked in the table (at most MAX_SELECTED); ValidationError when one is not
    an id at all (not ASCII digits, or beyond any row id)."""
    ids = []
    for raw in post.getlist("case")[:MAX_SELECTED]:
        if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= ID_MAX):
            raise forms.ValidationError(
                _("The selection holds something that is not a case: %(value)s")
                % {"value": raw[:20]},
                code="invalid_id",
            )
        ids.append(int(raw))
    return ids


def case_columns() -> list[str]:
    """The columns a queue row reads (no texts, answers or n-grams)."""
    return [
        "reference",
        "status",
        "kind",
        "channel",
        "submitted_at",
        "updated_at",
        "resolve_due_at",
        "due_state",
        "sla_paused_at",
        "administration_id",
        "service__name",
        "service__language",
        "service__translations",
        "department__name",
        "assignee__full_name",
        "assignee__email",
    ]


__all__ = [
    "BulkAction",
    "BulkForm",
    "NOBODY",
    "PAGE_SIZE",
    "QueueFilterForm",
    "SavedViewForm",
    "Scope",
    "case_columns",
    "clean_query",
    "handling_members",
    "selected_ids",
]
