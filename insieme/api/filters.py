"""Query filters of the list endpoints (django-filter): invalid values answer 400."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone

from insieme.cases.models import OPEN_STATUSES, Case, Channel, Status
from insieme.catalog.models import Regulation, Service, ServiceKind, search_key
from insieme.core.models import Administration
from insieme.core.safe_input import CheckedInputMixin


class FilterForm(CheckedInputMixin, forms.Form):
    """The form each filter set validates the query with: the checks every form of the site
    has (dates within the calendar, whole numbers a database holds, ...)."""


class UtcDateTimeFilter(df.IsoDateTimeFilter):
    """An ISO 8601 datetime compared in UTC: PostgreSQL refuses offsets past ±15:59, which
    ISO text may carry ("+20:27" answered 500 before)."""

    def filter(self, qs, value):
        if value is not None and timezone.is_aware(value):
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:  # year 1 or 9999 pushed past the range: hours do not matter
                value = value.replace(tzinfo=dt.UTC)
        return super().filter(qs, value)


class AdministrationFilter(df.FilterSet):
    kind = df.ChoiceFilter(choices=Administration.Kind.choices)
    parent = df.CharFilter(field_name="parent__slug", help_text="The hosting administration.")

    class Meta:
        model = Administration
        form = FilterForm
        fields = ["kind", "parent"]


class ServiceFilter(df.FilterSet):
    administration = df.CharFilter(field_name="administration__slug")
    group = df.CharFilter()
    kind = df.ChoiceFilter(choices=ServiceKind.choices)
    located = df.BooleanFilter()
    q = df.CharFilter(method="search", help_text="Words in the name, code, keywords, text.")

    class Meta:
        model = Service
        form = FilterForm
        fields = ["administration", "group", "kind", "located", "q"]

    def search(self, qs, name, value):
        for term in search_key(value).split():
            qs = qs.filter(search_text__contains=term)
        return qs


class RegulationFilter(df.FilterSet):
    administration = df.CharFilter(
        field_name="administration__slug", help_text="The register's owner."
    )
    kind = df.ChoiceFilter(choices=Regulation.Kind.choices)
    reference = df.CharFilter()

    class Meta:
        model = Regulation
        form = FilterForm
        fields = ["administration", "kind", "reference"]


class CaseFilter(df.FilterSet):
    status = df.MultipleChoiceFilter(choices=Status.choices, help_text="Repeat for several.")
    open = df.BooleanFilter(method="filter_open", help_text="Open (true) or closed (false).")
    service = df.NumberFilter(field_name="service_id")
    service_code = df.CharFilter(field_name="service__code")
    administration = df.CharFilter(field_name="administration__slug")
    kind = df.ChoiceFilter(choices=ServiceKind.choices)
    submitted_after = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    updated_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = UtcDateTimeFilter(field_name="updated_at", lookup_expr="lt")

    class Meta:
        model = Case
        form = FilterForm
        fields = [
            "status",
            "open",
            "service",
            "service_code",
            "administration",
            "kind",
            "submitted_after",
            "submitted_before",
            "updated_after",
            "updated_before",
        ]

    def filter_open(self, qs, name, value):
        statuses = Q(status__in=sorted(OPEN_STATUSES))
        return qs.filter(statuses) if value else qs.exclude(statuses)


class PrivateCaseFilter(CaseFilter):
    channel = df.ChoiceFilter(choices=Channel.choices)

    class Meta(CaseFilter.Meta):
        fields = [*CaseFilter.Meta.fields, "channel"]
