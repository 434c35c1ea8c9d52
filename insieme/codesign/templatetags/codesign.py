"""Names for what a proposal's snapshot holds as keys: channels, SLA parts, provisions."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from insieme.catalog.models import DayType
from insieme.core.models import CHANNELS

register = template.Library()

SLA_NAMES = {
    "acknowledge_days": _("Days to acknowledge"),
    "resolve_days": _("Days to resolve"),
    "day_type": _("SLA counted in"),
}
FIELD_PARTS = {
    "code": _("code"),
    "datatype": _("datatype"),
    "label": _("question"),
    "help_text": _("help text"),
    "required": _("required"),
    "variable": _("citizen answers it"),
    "order": _("order"),
    "values": _("list values"),
    "translations": _("translations"),
}


@register.filter
def channel_name(key: str) -> str:
    return str(dict(CHANNELS).get(key, key))


@register.filter
def sla_name(key: str) -> str:
    return str(SLA_NAMES.get(key, key))


@register.filter
def sla_value(value):
    if value in DayType.values:
        return DayType(value).label
    return value


@register.filter
def field_part(key: str) -> str:
    return str(FIELD_PARTS.get(key, key))


@register.simple_tag
def trace_target(row: dict, provisions: dict) -> str:
    """A trace's provision ("Reg. 1/2020 art. 1") or its policy need."""
    provision = provisions.get(row.get("provision")) if row.get("provision") else None
    if provision is not None:
        return provision.reference
    return row.get("policy_need") or "—"


@register.filter
def datatype_name(value: str) -> str:
    from insieme.catalog.models import Datatype

    return Datatype(value).label if value in Datatype.values else value
