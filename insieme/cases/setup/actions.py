"""The write path of case-handling configuration: response templates and routing rules.

Built like the actions on cases themselves: check the permission, validate (ValidationError with
field keys means nothing was written), write in one transaction with its audit entry.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from insieme.cases.models import ResponseTemplate, RoutingRule, Status
from insieme.catalog.models import Service
from insieme.core import audit
from insieme.core.access import has_perm
from insieme.core.geo import GeometryError, parse_boundary
from insieme.core.models import Administration, Department
from insieme.core.permissions import Perm

# The names `handling.actions.template_context` fills (a test keeps the two lists equal).
PLACEHOLDERS = (
    "reference",
    "service",
    "administration",
    "name",
    "status",
    "due_date",
    "officer",
    "address",
)
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")  # the syntax handling.actions.render_template fills


def _require(actor, perm: Perm, admin: Administration) -> None:
    if not getattr(actor, "is_authenticated", False) or not has_perm(actor, perm, admin):
        raise PermissionDenied


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in `text` that no case can fill, in order of appearance, once each."""
    seen: list[str] = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def placeholder_error(unknown: list[str]) -> str:
    return _("Unknown placeholder: %(names)s. Use only %(known)s.") % {
        "names": ", ".join(f"{{{n}}}" for n in unknown),
        "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
    }


def _check_service(admin: Administration, service: Service | None, errors: dict) -> None:
    if service is not None and service.administration_id != admin.pk:
        errors.setdefault("service", []).append(
            _("This service belongs to another administration.")
        )


# --- response templates ------------------------------------------------------------------------


def save_response_template(
    actor,
    admin: Administration,
    template: ResponseTemplate | None = None,
    *,
    service: Service | None,
    name: str,
    body: str,
    status: str = "",
) -> ResponseTemplate:
    """Create (template=None) or change a reply template of `admin`."""
    _require(actor, Perm.RESPONSE_TEMPLATE_WRITE, admin)
    if template is not None and template.administration_id != admin.pk:
        raise PermissionDenied
    name, body, status = (name or "").strip(), (body or "").replace("\r\n", "\n").strip(), status
    errors: dict[str, list] = {}
    _check_service(admin, service, errors)
    if not name:
        errors.setdefault("name", []).append(_("Give the reply a name."))
    if not body:
        errors.setdefault("body", []).append(_("Write the text of the reply."))
    unknown = unknown_placeholders(body)
    if unknown:
        errors.setdefault("body", []).append(placeholder_error(unknown))
    if status and status not in Status.values:
        errors.setdefault("status", []).append(_("Choose a status from the list."))
    clash = ResponseTemplate.objects.filter(administration=admin, service=service, name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if name and clash.exists():
        errors.setdefault("name", []).append(
            _("A reply with this name already exists for this service.")
        )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(template) if template is not None else None
    obj = template or ResponseTemplate(administration=admin)
    obj.service, obj.name, obj.body, obj.status = service, name, body, status or ""
    obj.full_clean(exclude=["administration", "service"])
    action = "response_template.update" if template is not None else "response_template.create"
    audit.save_and_record(actor, obj, action, admin, before=before)
    return obj


def delete_response_template(actor, template: ResponseTemplate) -> None:
    admin = template.administration
    _require(actor, Perm.RESPONSE_TEMPLATE_WRITE, admin)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="response_template.delete",
            obj=template,
            before=audit.snapshot(template),
            administration=admin,
        )
        template.delete()


# --- routing rules -----------------------------------------------------------------------------


def save_routing_rule(
    actor,
    admin: Administration,
    rule: RoutingRule | None = None,
    *,
    service: Service | None,
    name: str,
    area,
    department: Department | None,
    priority: int = 100,
) -> RoutingRule:
    """Create (rule=None) or change an area override of a service's routing. `area` is a
    GeoJSON Polygon or MultiPolygon (dict or text)."""
    _require(actor, Perm.ROUTING_MANAGE, admin)
    if rule is not None and rule.administration_id != admin.pk:
        raise PermissionDenied
    name = (name or "").strip()
    errors: dict[str, list] = {}
    if service is None:
        errors.setdefault("service", []).append(_("Choose a service."))
    _check_service(admin, service, errors)
    if department is None:
        errors.setdefault("department", []).append(_("Choose a department."))
    elif department.administration_id != admin.pk:
        errors.setdefault("department", []).append(
            _("The department belongs to another administration.")
        )
    if not name:
        errors.setdefault("name", []).append(_("Name the area."))
    try:
        parse_boundary(area)
    except GeometryError as exc:
        errors.setdefault("area", []).append(
            _("The area is not usable: %(error)s") % {"error": str(exc)}
        )
    else:
        area = json.loads(area) if isinstance(area, str) else area
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = -1
    if not 0 <= priority <= 32767:
        errors.setdefault("priority", []).append(_("Give a whole number from 0 to 32767."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(rule) if rule is not None else None
    obj = rule or RoutingRule(administration=admin)
    obj.service, obj.name, obj.area = service, name, area
    obj.department, obj.priority = department, priority
    action = "routing_rule.update" if rule is not None else "routing_rule.create"
    audit.save_and_record(actor, obj, action, admin, before=before)
    return obj


def delete_routing_rule(actor, rule: RoutingRule) -> None:
    admin = rule.administration
    _require(actor, Perm.ROUTING_MANAGE, admin)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="routing_rule.delete",
            obj=rule,
            before=audit.snapshot(rule),
            administration=admin,
        )
        rule.delete()
