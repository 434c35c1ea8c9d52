"""What a dashboard is computed over: the administrations (a region sees the ones it hosts, as
on the Scorecard), a period of days in the administration's time zone, and optional filters by
member administration, service, area, lead department and channel.

Cases carry no area. An area is a named locality of the street register (insieme.places: a
street's `locality`, the hamlets and villages around the main town), and a case lies in it when
its point falls inside the box around that locality's numbered addresses, widened by about 100
m. Cases without a point (most applications) lie in no area; the main town has no named
locality. Boxes are rough: two neighbouring localities' boxes may overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case, Channel
from insieme.catalog.models import Service
from insieme.core.access import permissions_by_administration
from insieme.core.forms_staff import StaffForm
from insieme.core.models import Administration, Department
from insieme.core.permissions import Perm
from insieme.core.registry import Scope
from insieme.insights.scorecard import hosted_by
from insieme.participation.models import Process

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366  # three years: weekly series stay readable and queries bounded
AREA_MARGIN = 0.001  # degrees, about 100 m


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    administration_id: int
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def q(self, prefix: str = "") -> Q:
        return Q(
            **{
                f"{prefix}administration_id": self.administration_id,
                f"{prefix}lat__gte": self.min_lat - AREA_MARGIN,
                f"{prefix}lat__lte": self.max_lat + AREA_MARGIN,
                f"{prefix}lon__gte": self.min_lon - AREA_MARGIN,
                f"{prefix}lon__lte": self.max_lon + AREA_MARGIN,
            }
        )


def areas_of(administration_ids) -> list[Area]:
    """The named localities of the administrations' street registers, with their boxes (one
    grouped query)."""
    from insieme.places.models import Address

    rows = (
        Address.objects.filter(administration_id__in=administration_ids)
        .exclude(street__locality="")
        .values("administration_id", "street__locality")
        .annotate(a=Min("lat"), b=Max("lat"), c=Min("lon"), d=Max("lon"))
        .order_by("street__locality", "administration_id")
    )
    return [
        Area(
            f"{r['administration_id']}:{r['street__locality']}",
            r["street__locality"],
            r["administration_id"],
            r["a"],
            r["b"],
            r["c"],
            r["d"],
        )
        for r in rows
    ]


def members_for(user, admin: Administration) -> list[Administration]:
    """`admin` and the administrations it hosts whose dashboards `user` may read."""
    perms = permissions_by_administration(user)
    hosted = [a for a in hosted_by(admin) if Perm.DASHBOARD_READ in perms.get(a.pk, ())]
    return [admin, *hosted]


class FilterForm(StaffForm):
    """The filters, read from the query string; every field may be left empty."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    member = forms.ChoiceField(label=_("Administration"), required=False)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("All services"),
        error_messages={
            "invalid_choice": _("There is no such service here; choose one of the list.")
        },
    )
    area = forms.ChoiceField(
        label=_("Area"),
        required=False,
        error_messages={"invalid_choice": _("There is no such area here; choose one of the list.")},
    )
    department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
        error_messages={
            "invalid_choice": _("There is no such department here; choose one of the list.")
        },
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        error_messages={"invalid_choice": _("There is no such channel; choose one of the list.")},
    )

    def __init__(self, *args, members: list[Administration], areas: list[Area], **kwargs):
        super().__init__(*args, **kwargs)
        ids = [a.pk for a in members]
        self.members = members
        self.areas = {a.key: a for a in areas}
        region = len(members) > 1
        if region:
            self.fields["member"].choices = [("", _("All of them together"))] + [
                (a.slug, a.name) for a in members
            ]
        else:
            del self.fields["member"]
        services = Service.objects.filter(administration_id__in=ids).select_related(
            "administration"
        )
        self.fields["service"].queryset = services.order_by("name", "pk")
        self.fields["department"].queryset = (
            Department.objects.filter(administration_id__in=ids)
            .select_related("administration")
            .order_by("name", "pk")
        )
        if region:
            self.fields["service"].label_from_instance = _with_administration
            self.fields["department"].label_from_instance = _with_administration
        names = {a.pk: a.name for a in members}
        self.fields["area"].choices = [("", _("Everywhere"))] + [
            (a.key, f"{a.name} ({names[a.administration_id]})" if region else a.name) for a in areas
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The period ends before it starts: check the two dates."))
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(
                    _("Choose a period of at most %(n)d days (about three years).")
                    % {"n": MAX_DAYS}
                )
        return data


def _with_administration(obj) -> str:
    return f"{obj.name} ({obj.administration.name})"


@dataclass(frozen=True)
class Filters:
    """The dashboard's question: which cases, over which days. `scope` holds the administrations
    after the member filter and the administration's day and time zone."""

    scope: Scope
    first_day: dt.date
    last_day: dt.date
    service: Service | None = None
    department: Department | None = None
    channel: str = ""
    area: Area | None = None
    rolled: bool = False  # the counting panels may read the rollups (rollups.prepare)

    @property
    def zone(self):
        return self.scope.zone

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=self.zone)

    @property
    def end(self) -> dt.datetime:
        """The midnight after the last day (the period is [start, end))."""
        return dt.datetime.combine(
            self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=self.zone
        )

    def previous(self) -> tuple[dt.datetime, dt.datetime]:
        """The same number of days just before the period."""
        first = self.first_day - dt.timedelta(days=self.days)
        return dt.datetime.combine(first, dt.time(), tzinfo=self.zone), self.start

    def case_q(self, prefix: str = "") -> Q:
        """The cases asked for (all time), as a condition on a model reaching Case by `prefix`."""
        q = Q(**{f"{prefix}administration_id__in": self.scope.administration_ids})
        if self.service is not None:
            q &= Q(**{f"{prefix}service_id": self.service.pk})
        if self.department is not None:
            q &= Q(**{f"{prefix}department_id": self.department.pk})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.area is not None:
            q &= self.area.q(prefix)
        return q

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.case_q())

    def services(self) -> QuerySet[Service]:
        """The published services, as the Scorecard's catalogue indicators count them: the
        service filter keeps that one, the department filter those the department owns
        (`Service.department`); area and channel do not apply to a service."""
        qs = Service.objects.filter(
            administration_id__in=self.scope.administration_ids, status=Service.Status.PUBLISHED
        )
        if self.service is not None:
            qs = qs.filter(pk=self.service.pk)
        if self.department is not None:
            qs = qs.filter(department_id=self.department.pk)
        return qs

    def processes(self) -> QuerySet[Process]:
        """The co-design processes of the administrations; with the service filter, those
        that aim to change that service (`Process.services`)."""
        qs = Process.objects.filter(administration_id__in=self.scope.administration_ids)
        if self.service is not None:
            qs = qs.filter(services=self.service.pk)
        return qs


def build(form: FilterForm, admin: Administration) -> Filters:
    """The filters of a valid form (the defaults for an empty one): the last 90 days ending today
    where `admin` is, over every member."""
    data = form.cleaned_data
    members = form.members
    if data.get("member"):
        members = [a for a in members if a.slug == data["member"]]
    scope = Scope.of(admin, members, label=", ".join(a.name for a in members))
    default_start, default_end = scope.window(DEFAULT_DAYS)
    last = data.get("end") or (default_end - dt.timedelta(days=1)).date()
    first = data.get("start") or (
        last - dt.timedelta(days=DEFAULT_DAYS - 1) if data.get("end") else default_start.date()
    )
    if last < first:  # only the start given, after today: a period of that one day
        last = first
    if (last - first).days + 1 > MAX_DAYS:  # only one end given, far from the other's default
        raise ValidationError(
            _("Choose a period of at most %(n)d days (about three years).") % {"n": MAX_DAYS}
        )
    return Filters(
        scope=scope,
        first_day=first,
        last_day=last,
        service=data.get("service"),
        department=data.get("department"),
        channel=data.get("channel") or "",
        area=form.areas.get(data.get("area") or ""),
    )
