"""Catalogue fixtures, all built through insieme.catalog.actions (the one write path).

The region Valdoro shares a pothole template and keeps a register with L.R. 12/2019 (art. 5
expired). Montalto builds a published service on the template, keeps a draft local service, its
own template and its own register (art. 1 in force, art. 2 overdue for review). Lago Verde, the
other tenant, has its own service, template and register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from insieme.catalog import actions
from insieme.catalog.models import (
    Attribute,
    Provision,
    Regulation,
    Service,
    ServiceTemplate,
    TemplateAttribute,
    Trace,
)
from insieme.core import actions as core_actions
from insieme.core.models import Department

POTHOLE_ATTRIBUTES = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "label": "How big is the pothole?",
        "required": True,
        "order": 10,
        "values": [
            {"key": "small", "name": "Smaller than a hand"},
            {"key": "large", "name": "Larger than a wheel"},
        ],
    },
    {
        "code": "depth",
        "datatype": "number",
        "label": "How deep is it, in centimetres?",
        "required": False,
        "order": 20,
    },
    {
        "code": "notes",
        "datatype": "text",
        "label": "Anything else we should know?",
        "required": False,
        "order": 30,
    },
    {
        "code": "safety",
        "datatype": "string",
        "label": "If anyone is hurt, call 112 first.",
        "variable": False,
        "order": 40,
    },
]

SERVICE_FIELDS = {
    "group": "Roads",
    "keywords": "buche, strada, pothole",
    "channels": ["web", "phone"],
    "staff_minutes": {"web": 12, "phone": 17},
    "sla_acknowledge_days": 2,
    "sla_resolve_days": 15,
}


@dataclass
class Catalog:
    region_template: ServiceTemplate
    private_region_template: ServiceTemplate
    montalto_template: ServiceTemplate
    montalto_template_attr: TemplateAttribute
    lv_template: ServiceTemplate
    pothole: Service
    draft: Service
    lv_service: Service
    department: Department
    lv_department: Department
    region_regulation: Regulation
    region_provision: Provision
    regulation: Regulation
    provision: Provision
    overdue_provision: Provision
    lv_regulation: Regulation
    lv_provision: Provision
    attribute: Attribute
    trace: Trace
    lv_attribute: Attribute
    lv_trace: Trace


@pytest.fixture
def cat(region, montalto, lagoverde) -> Catalog:
    """The catalogue of the three administrations (built by the system, not by a persona)."""
    region_template = actions.create_template(
        None,
        region,
        code="pothole",
        name="Pothole",
        description="A hole in the road.",
        attributes=POTHOLE_ATTRIBUTES,
        **SERVICE_FIELDS,
    )
    private_region_template = actions.create_template(
        None, region, code="region-only", name="Regional grant", shared=False, channels=["web"]
    )
    montalto_template = actions.create_template(
        None,
        montalto,
        code="m-tpl",
        name="Montalto noise",
        channels=["web"],
        attributes=[{"code": "when", "datatype": "datetime", "label": "When?", "order": 10}],
    )
    lv_template = actions.create_template(
        None, lagoverde, code="lv-tpl", name="Lago Verde boats", channels=["web"]
    )
    department = core_actions.create_department(None, montalto, name="Roads", code="roads")
    lv_department = core_actions.create_department(None, lagoverde, name="Lakes", code="lakes")
    pothole = actions.create_service(
        None,
        montalto,
        template=region_template,
        department=department,
        status=Service.Status.PUBLISHED,
    )
    draft = actions.create_service(
        None,
        montalto,
        code="residence",
        name="Certificato di residenza",
        group="Registry",
        description="Un certificato della città.",
        channels=["counter"],
        status=Service.Status.DRAFT,
    )
    lv_service = actions.create_service(
        None,
        lagoverde,
        code="boats",
        name="Boat mooring permit",
        group="Lake",
        channels=["web"],
        department=lv_department,
        attributes=[{"code": "boat", "datatype": "string", "label": "Boat name", "order": 1}],
    )
    region_regulation = actions.create_regulation(
        None, region, reference="L.R. 12/2019", title="Regional roads law", kind="regional_law"
    )
    region_provision = actions.create_provision(
        None,
        region_regulation,
        article="art. 5",
        title="Reports of road damage",
        in_force_until=date(2020, 1, 1),
    )
    regulation = actions.create_regulation(
        None,
        montalto,
        reference="Reg. 1/2020",
        title="Montalto roads regulation",
        url="https://example.org/reg-1-2020",
    )
    provision = actions.create_provision(None, regulation, article="art. 1", title="Scope")
    overdue = actions.create_provision(
        None, regulation, article="art. 2", title="Depth", review_due=date(2021, 6, 30)
    )
    lv_regulation = actions.create_regulation(
        None, lagoverde, reference="LV 1/2021", title="Lago Verde lake rules"
    )
    lv_provision = actions.create_provision(None, lv_regulation, article="art. 9", title="Moorings")
    attribute = pothole.attributes.get(code="size")
    actions.add_trace(None, pothole, provision=provision)
    trace = actions.add_trace(None, pothole, attribute=attribute, provision=region_provision)
    actions.add_trace(
        None, pothole, attribute=pothole.attributes.get(code="depth"), provision=overdue
    )
    lv_attribute = lv_service.attributes.get()
    lv_trace = actions.add_trace(None, lv_service, attribute=lv_attribute, provision=lv_provision)
    # Lago Verde also rests on the region's law: Montalto must never see this trace.
    actions.add_trace(None, lv_service, provision=region_provision)
    return Catalog(
        region_template=region_template,
        private_region_template=private_region_template,
        montalto_template=montalto_template,
        montalto_template_attr=montalto_template.attributes.get(),
        lv_template=lv_template,
        pothole=pothole,
        draft=draft,
        lv_service=lv_service,
        department=department,
        lv_department=lv_department,
        region_regulation=region_regulation,
        region_provision=region_provision,
        regulation=regulation,
        provision=provision,
        overdue_provision=overdue,
        lv_regulation=lv_regulation,
        lv_provision=lv_provision,
        attribute=attribute,
        trace=trace,
        lv_attribute=lv_attribute,
        lv_trace=lv_trace,
    )


def counts() -> dict[str, int]:
    """Row counts of every catalogue table (to assert that nothing was written)."""
    from insieme.core.models import AuditEntry

    models = [
        Service,
        ServiceTemplate,
        TemplateAttribute,
        Attribute,
        Regulation,
        Provision,
        Trace,
        AuditEntry,
    ]
    return {m.__name__: m.objects.count() for m in models}


def service_post_data(service: Service | None = None, **overrides) -> dict:
    """A complete, valid POST body of the service form (edited by `overrides`)."""
    base = {
        "code": "new-service",
        "name": "New service",
        "description": "",
        "group": "Roads",
        "keywords": "",
        "service_type": "realtime",
        "kind": "report",
        "located": "on",
        "channels": ["web"],
        "sla_acknowledge_days": "2",
        "sla_resolve_days": "10",
        "sla_day_type": "working",
        "citizen_minutes": "10",
        "hourly_cost": "32.00",
        "department": "",
        "status": "draft",
        "minutes_web": "5",
    }
    if service is not None:
        base.update(
            {
                "code": service.code,
                "name": service.name,
                "description": service.description,
                "group": service.group,
                "keywords": service.keywords,
                "service_type": service.service_type,
                "kind": service.kind,
                "channels": list(service.channels),
                "sla_acknowledge_days": str(service.sla_acknowledge_days),
                "sla_resolve_days": str(service.sla_resolve_days),
                "sla_day_type": service.sla_day_type,
                "citizen_minutes": str(service.citizen_minutes),
                "hourly_cost": str(service.hourly_cost),
            }
        )
        if isinstance(service, Service):
            base.update(
                {
                    "status": service.status,
                    "version": str(service.version),
                    "department": str(service.department_id or ""),
                }
            )
        else:
            base.update({"status": None, "department": None})
            if service.shared:
                base["shared"] = "on"
        base.pop("minutes_web")
        base.update({f"minutes_{c}": str(m) for c, m in service.staff_minutes.items()})
        if not service.located:
            base.pop("located")
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}
