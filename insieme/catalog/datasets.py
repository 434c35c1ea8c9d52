"""The catalogue's open datasets: the services an administration offers, and their forms'
fields with the provisions that require them. Nothing in them is about a person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.models import Attribute, Service
from insieme.core.registry import Column, Dataset


def _published(administration):
    return Service.objects.filter(administration=administration, status="published").order_by(
        "code"
    )


def service_rows(administration):
    services = _published(administration).select_related("template", "department")
    for service in services:
        yield {
            "code": service.code,
            "name_it": str(i18n.text(service, "name", "it")),
            "name_en": str(i18n.text(service, "name", "en")),
            "group": str(i18n.text(service, "group", "it")),
            "kind": service.kind,
            "located": service.located,
            "channels": " ".join(service.channels or []),
            "days_to_acknowledge": service.sla_acknowledge_days,
            "days_to_resolve": service.sla_resolve_days,
            "day_type": service.sla_day_type,
            "citizen_minutes": service.citizen_minutes,
            "template": service.template.code if service.template_id else None,
            "department": service.department.name if service.department_id else None,
            "open311": "api" in (service.channels or []),
        }


def field_rows(administration):
    attributes = (
        Attribute.objects.filter(service__in=_published(administration))
        .select_related("service")
        .prefetch_related("traces__provision__regulation")
        .order_by("service__code", "order")
    )
    for attribute in attributes:
        provisions = sorted(
            f"{t.provision.regulation.reference} {t.provision.article}".strip()
            for t in attribute.traces.all()
            if t.provision_id
        )
        yield {
            "service": attribute.service.code,
            "field": attribute.code,
            "label_it": str(i18n.text(attribute, "label", "it")),
            "label_en": str(i18n.text(attribute, "label", "en")),
            "datatype": attribute.datatype,
            "required": attribute.required,
            "provisions": "; ".join(provisions) or None,
        }


SERVICES = Dataset(
    key="services",
    title=_("Services"),
    description=_(
        "The services the administration offers: their names in Italian and English, the "
        "channels they are offered on, their service levels in days, the time a citizen spends "
        "on their form, and the shared template each comes from."
    ),
    rows=service_rows,
    kind="reference",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("public services"), _("service level"), _("catalogue")),
    columns=(
        Column("code", "string", _("The service's code (as in Open311's service_code).")),
        Column("name_it", "string", _("Name in Italian.")),
        Column("name_en", "string", _("Name in English.")),
        Column("group", "string", _("Group of services.")),
        Column("kind", "string", _("Report (of a problem) or application.")),
        Column("located", "boolean", _("Whether a request needs a place.")),
        Column("channels", "string", _("Channels it is offered on, separated by spaces.")),
        Column("days_to_acknowledge", "integer", _("Days to acknowledge a request.")),
        Column("days_to_resolve", "integer", _("Days to resolve a request.")),
        Column("day_type", "string", _("Whether those are working or calendar days.")),
        Column("citizen_minutes", "integer", _("Minutes a citizen spends filing a request.")),
        Column("template", "string", _("Code of the shared template it follows, if any.")),
        Column("department", "string", _("Department responsible.")),
        Column(
            "open311", "boolean", _("Whether requests can be filed through Open311 and the API.")
        ),
    ),
)

FIELDS = Dataset(
    key="service-fields",
    title=_("Service form fields"),
    description=_(
        "Every field of the services' forms, with the provisions of law that require it: what "
        "the administration asks citizens, and why."
    ),
    rows=field_rows,
    kind="reference",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("forms"), _("regulations"), _("once only")),
    columns=(
        Column("service", "string", _("The service's code.")),
        Column("field", "string", _("The field's code.")),
        Column("label_it", "string", _("Label in Italian.")),
        Column("label_en", "string", _("Label in English.")),
        Column("datatype", "string", _("Kind of answer.")),
        Column("required", "boolean", _("Whether an answer is required.")),
        Column("provisions", "string", _("Provisions that require the field, separated by ;.")),
    ),
)

DATASETS = (SERVICES, FIELDS)
