"""The one write path of the catalogue: validate, write in a transaction, audit.

Staff views, the API, CLI commands and the demo call these; each raises ValidationError with
field errors (and writes nothing) on bad input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.catalog.models import (
    COPIED_FIELDS,
    TEMPLATE_FIELDS,
    Attribute,
    Provision,
    Regulation,
    Service,
    ServiceTemplate,
    TemplateAttribute,
    Trace,
)
from insieme.core import audit
from insieme.core.models import CHANNEL_KEYS, Administration, Membership

ATTRIBUTE_FIELDS = [
    "code",
    "datatype",
    "label",
    "help_text",
    "required",
    "variable",
    "order",
    "values",
]


class StaleObject(Exception):
    """Someone else saved the object since it was read (optimistic concurrency)."""


def ancestors_and_self(admin: Administration) -> list[int]:
    ids, node = [], admin
    while node is not None and len(ids) < 8:
        ids.append(node.pk)
        node = node.parent
    return ids


def visible_templates(admin: Administration):
    """Templates this administration may build on: its own, and shared ones of its hosts."""
    chain = ancestors_and_self(admin)
    return ServiceTemplate.objects.filter(owner_id__in=chain).filter(
        shared=True
    ) | ServiceTemplate.objects.filter(owner=admin)


def visible_provisions(admin: Administration):
    """Provisions a service of `admin` can rest on: its own register and its hosts' registers."""
    return Provision.objects.filter(regulation__administration_id__in=ancestors_and_self(admin))


# --- form attributes (shared by templates and services) --------------------------------------


def _check_attribute_set(rows: list[dict]) -> None:
    """Errors across a whole form: codes and orders must be unique (raised on `code`/`order`)."""
    errors: dict[str, list[str]] = {}
    codes = [str(r.get("code", "")).strip() for r in rows]
    orders = [r.get("order") for r in rows]
    dup_codes = sorted({c for c in codes if c and codes.count(c) > 1})
    dup_orders = sorted({o for o in orders if o is not None and orders.count(o) > 1})
    if dup_codes:
        errors["code"] = [
            _("Two questions share the code %(c)s; each needs its own.")
            % {"c": ", ".join(dup_codes)}
        ]
    if dup_orders:
        errors["order"] = [
            _("Two questions share the position %(o)s; give each its own.")
            % {"o": ", ".join(map(str, dup_orders))}
        ]
    if errors:
        raise ValidationError(errors)


def _clean_attribute(attr, exclude: list[str]) -> None:
    attr.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _attr_dict(a) -> dict:
    return {f: getattr(a, f) for f in ATTRIBUTE_FIELDS}


# --- deviation from the template (T5) -----------------------------------------------------------


def compute_overrides(service: Service) -> list[str]:
    """Names of the template's fields this service changes, and form questions added, removed or
    changed (as `form:+code`, `form:-code`, `form:code`). Empty for a service without template."""
    template = service.template
    if template is None:
        return []
    changed = [
        f for f in TEMPLATE_FIELDS if not _same_value(f, getattr(service, f), getattr(template, f))
    ]
    t_attrs = {a.code: _attr_dict(a) for a in template.attributes.all()}
    s_attrs = {a.code: _attr_dict(a) for a in service.attributes.all()} if service.pk else {}
    for code in sorted(set(t_attrs) | set(s_attrs)):
        if code not in s_attrs:
            changed.append(f"form:-{code}")
        elif code not in t_attrs:
            changed.append(f"form:+{code}")
        elif t_attrs[code] != s_attrs[code]:
            changed.append(f"form:{code}")
    return changed


def _same_value(field: str, a, b) -> bool:
    """Equality for deviation: the order channels are listed in, and line endings or edge
    whitespace of a text (browsers send CRLF), are not deviations."""
    if field == "channels" and isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, str) and isinstance(b, str):
        return _plain(a) == _plain(b)
    return a == b


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def canonical_channels(channels):
    """Channels in the one order they are always listed in (CHANNELS'): which channels a
    service offers matters, the order they were ticked or typed in does not. Anything that is
    not a list of known channels is left for validation to refuse."""
    if not isinstance(channels, list) or not all(c in CHANNEL_KEYS for c in channels):
        return channels
    return sorted(channels, key=CHANNEL_KEYS.index)


def _canonical(fields: dict) -> dict:
    if "channels" in fields:
        fields = {**fields, "channels": canonical_channels(fields["channels"])}
    return fields


# Service fields an update never records as changed by itself (bookkeeping of the write).
SERVICE_BOOKKEEPING = ("version", "updated_at", "search_text", "overridden_fields")


def _refresh_overrides(service: Service) -> None:
    overrides = compute_overrides(service)
    if overrides != service.overridden_fields:
        service.overridden_fields = overrides
        Service.objects.filter(pk=service.pk).update(overridden_fields=overrides)


# --- templates ------------------------------------------------------------------------------


def _check_template_code(owner: Administration, code: str, exclude_pk: int | None) -> None:
    clash = ServiceTemplate.objects.filter(owner=owner, code=code).exclude(pk=exclude_pk)
    if code and clash.exists():
        raise ValidationError(
            {
                "code": _("This administration already has a template with the code %(c)s.")
                % {"c": code}
            }
        )


def create_template(
    actor, owner: Administration, *, attributes: list[dict] | None = None, **fields
) -> ServiceTemplate:
    fields.setdefault("language", owner.locale)
    tpl = ServiceTemplate(owner=owner, **_canonical(fields))
    _check_template_code(owner, tpl.code, None)
    tpl.full_clean()
    rows = attributes or []
    _check_attribute_set(rows)
    attrs = [TemplateAttribute(**row) for row in rows]
    for a in attrs:
        _clean_attribute(a, exclude=["template"])
    with transaction.atomic():
        tpl.save()
        for a in attrs:
            a.template = tpl
        TemplateAttribute.objects.bulk_create(attrs)
        audit.record(
            actor=actor,
            action="template.create",
            obj=tpl,
            after={**audit.snapshot(tpl), "attributes": [_attr_dict(a) for a in attrs]},
            administration=owner,
        )
    return tpl


def update_template(actor, tpl: ServiceTemplate, **changes) -> ServiceTemplate:
    _refuse_fields(changes, {"owner", "id"})
    before = audit.snapshot(tpl)
    for k, v in _canonical(changes).items():
        setattr(tpl, k, v)
    _check_template_code(tpl.owner, tpl.code, tpl.pk)
    tpl.full_clean()
    with transaction.atomic():
        if audit.save_and_record(actor, tpl, "template.update", tpl.owner, before=before):
            _refresh_template_services(tpl)
    return tpl


def _refresh_template_services(tpl: ServiceTemplate) -> None:
    for service in tpl.services.all():
        _refresh_overrides(service)


def save_template_attribute(
    actor, tpl: ServiceTemplate, attribute: TemplateAttribute | None = None, **fields
) -> TemplateAttribute:
    """Add a question to a template's form, or change one; services built on the template
    show the difference as deviation."""
    rows = [
        _attr_dict(a) for a in tpl.attributes.all() if attribute is None or a.pk != attribute.pk
    ]
    new = attribute or TemplateAttribute(template=tpl)
    before = audit.snapshot(attribute) if attribute else None
    for k, v in fields.items():
        setattr(new, k, v)
    _clean_attribute(new, exclude=["template"])
    _check_attribute_set([*rows, _attr_dict(new)])
    with transaction.atomic():
        if audit.save_and_record(actor, new, "template.attribute_save", tpl.owner, before=before):
            _refresh_template_services(tpl)
    return new


def delete_template_attribute(actor, attribute: TemplateAttribute) -> None:
    tpl = attribute.template
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="template.attribute_delete",
            obj=attribute,
            before=audit.snapshot(attribute),
            administration=tpl.owner,
        )
        attribute.delete()
        _refresh_template_services(tpl)


# --- services -------------------------------------------------------------------------------


def _refuse_fields(changes: dict, forbidden: set[str]) -> None:
    """Fields no update may touch (tenant, bookkeeping): a caller passing them has a bug."""
    bad = sorted(forbidden & set(changes))
    if bad:
        raise ValueError(f"these fields cannot be changed here: {', '.join(bad)}")


def _check_service_code(admin: Administration, code: str, exclude_pk: int | None) -> None:
    clash = Service.objects.filter(administration=admin, code=code).exclude(pk=exclude_pk)
    if code and clash.exists():
        raise ValidationError(
            {
                "code": _(
                    "This administration already has a service with the "
                    "code %(c)s. Choose another code."
                )
                % {"c": code}
            }
        )


def create_service(
    actor,
    admin: Administration,
    *,
    template: ServiceTemplate | None = None,
    attributes: list[dict] | None = None,
    **fields,
) -> Service:
    """A service from scratch, or from a template whose fields and form it copies; `fields` and
    `attributes` given alongside a template are local overrides and are recorded as such."""
    if template is not None:
        if not visible_templates(admin).filter(pk=template.pk).exists():
            raise ValidationError(
                {"template": _("That template is not offered to this administration.")}
            )
        base = {f: getattr(template, f) for f in COPIED_FIELDS}
        base["code"] = template.code
        base.update(fields)
        fields = base
        if attributes is None:
            attributes = [
                _attr_dict(a) | {"template_attribute": a, "translations": a.translations}
                for a in template.attributes.all()
            ]
    fields.setdefault("language", admin.locale)
    service = Service(administration=admin, template=template, **_canonical(fields))
    _check_service_code(admin, service.code, None)
    service.full_clean()
    service.search_text = service.build_search_text()
    rows = attributes or []
    _check_attribute_set(rows)
    attrs = [Attribute(**row) for row in rows]
    for a in attrs:
        _clean_attribute(a, exclude=["service"])
    with transaction.atomic():
        service.save()
        for a in attrs:
            a.service = service
        Attribute.objects.bulk_create(attrs)
        _refresh_overrides(service)
        audit.record(
            actor=actor,
            action="service.create",
            obj=service,
            after={**audit.snapshot(service), "attributes": [_attr_dict(a) for a in attrs]},
            administration=admin,
        )
    return service


def update_service(
    actor, service: Service, *, expected_version: int | None = None, **changes
) -> Service:
    """Change a service's fields. With `expected_version`, refuse (StaleObject) if someone saved it
    since the editor loaded it, rather than silently overwriting their change. Only what really
    changes is written and audited (the order of the channels is no change: they are kept in one
    order); when nothing changes, nothing is written."""
    _refuse_fields(
        changes,
        {
            "administration",
            "id",
            "version",
            "overridden_fields",
            "search_text",
            "created_at",
            "updated_at",
        },
    )
    before = audit.snapshot(service)
    for k, v in _canonical(changes).items():
        setattr(service, k, v)
    _check_service_code(service.administration, service.code, service.pk)
    service.full_clean()
    service.search_text = service.build_search_text()
    # What really changes: channels are a set (an older row may list them in another order).
    changed_before, changed_after = audit.changes(
        {k: v for k, v in before.items() if k not in SERVICE_BOOKKEEPING},
        {k: v for k, v in audit.snapshot(service).items() if k not in SERVICE_BOOKKEEPING},
        unordered=("channels",),
    )
    if not changed_after:
        return service  # nothing to write: no new version, no audit entry
    with transaction.atomic():
        qs = Service.objects.filter(pk=service.pk)
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        fields = {
            f.attname: getattr(service, f.attname)
            for f in Service._meta.concrete_fields
            if f.name not in ("id", "version", "created_at", "overridden_fields")
        }
        fields["updated_at"] = timezone.now()
        updated = qs.update(**fields, version=F("version") + 1)
        if not updated:
            raise StaleObject
        service.refresh_from_db(fields=["version", "updated_at"])
        _refresh_overrides(service)
        audit.record(
            actor=actor,
            action="service.update",
            obj=service,
            before=changed_before,
            after=changed_after,
            administration=service.administration,
        )
    return service


def save_attribute(
    actor, service: Service, attribute: Attribute | None = None, **fields
) -> Attribute:
    """Add a question to the service's form, or change one."""
    rows = [
        _attr_dict(a) for a in service.attributes.all() if attribute is None or a.pk != attribute.pk
    ]
    new = attribute or Attribute(service=service)
    before = audit.snapshot(attribute) if attribute else None
    for k, v in fields.items():
        setattr(new, k, v)
    _clean_attribute(new, exclude=["service", "template_attribute"])
    _check_attribute_set([*rows, _attr_dict(new)])
    with transaction.atomic():
        if audit.save_and_record(
            actor, new, "service.attribute_save", service.administration, before=before
        ):
            _refresh_overrides(service)
            Service.objects.filter(pk=service.pk).update(version=F("version") + 1)
    return new


def delete_attribute(actor, attribute: Attribute) -> None:
    service = attribute.service
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="service.attribute_delete",
            obj=attribute,
            before=audit.snapshot(attribute),
            administration=service.administration,
        )
        attribute.delete()
        _refresh_overrides(service)
        Service.objects.filter(pk=service.pk).update(version=F("version") + 1)


def set_skilled(actor, service: Service, memberships: list[Membership]) -> None:
    """Replace the staff skilled for the service; only active staff of its administration."""
    wrong = [
        m
        for m in memberships
        if m.administration_id != service.administration_id or not m.is_active
    ]
    if wrong:
        raise ValidationError(
            {"skilled": _("Only active staff of this administration can be skilled for it.")}
        )
    with transaction.atomic():
        before = sorted(service.skilled.values_list("pk", flat=True))
        after = sorted({m.pk for m in memberships})
        if before == after:
            return  # nothing changes: nothing to write or to record
        service.skilled.set(memberships)
        audit.record(
            actor=actor,
            action="service.skilled",
            obj=service,
            before={"skilled": before},
            after={"skilled": after},
            administration=service.administration,
        )


# --- regulations ----------------------------------------------------------------------------


def visible_regulations(admin: Administration):
    """Regulations in the registers `admin` may rest on: its own and its hosts'."""
    return Regulation.objects.filter(administration_id__in=ancestors_and_self(admin))


def _check_regulation(reg: Regulation) -> None:
    """Clear errors for what the database would refuse or what would cross tenants."""
    clash = Regulation.objects.filter(
        administration_id=reg.administration_id, reference=reg.reference
    ).exclude(pk=reg.pk)
    if reg.reference and clash.exists():
        raise ValidationError(
            {
                "reference": _("The register already has a regulation with the reference %(r)s.")
                % {"r": reg.reference}
            }
        )
    if (
        reg.superseded_by_id
        and not visible_regulations(reg.administration).filter(pk=reg.superseded_by_id).exists()
    ):
        raise ValidationError(
            {
                "superseded_by": _(
                    "The superseding regulation must be in this register or a host's register."
                )
            }
        )


def _check_provision(prov: Provision) -> None:
    clash = Provision.objects.filter(
        regulation_id=prov.regulation_id, article=prov.article
    ).exclude(pk=prov.pk)
    if prov.article and clash.exists():
        raise ValidationError(
            {"article": _("This regulation already has a provision %(a)s.") % {"a": prov.article}}
        )
    admin = prov.regulation.administration
    if (
        prov.superseded_by_id
        and not visible_provisions(admin).filter(pk=prov.superseded_by_id).exists()
    ):
        raise ValidationError(
            {
                "superseded_by": _(
                    "The superseding provision must be in this register or a host's register."
                )
            }
        )


def create_regulation(actor, admin: Administration, **fields) -> Regulation:
    reg = Regulation(administration=admin, **fields)
    _check_regulation(reg)
    reg.full_clean()
    audit.save_and_record(actor, reg, "regulation.create", admin)
    return reg


def update_regulation(actor, reg: Regulation, **changes) -> Regulation:
    _refuse_fields(changes, {"administration", "id"})
    before = audit.snapshot(reg)
    for k, v in changes.items():
        setattr(reg, k, v)
    _check_regulation(reg)
    reg.full_clean()
    audit.save_and_record(actor, reg, "regulation.update", reg.administration, before=before)
    return reg


def create_provision(actor, reg: Regulation, **fields) -> Provision:
    prov = Provision(regulation=reg, **fields)
    _check_provision(prov)
    prov.full_clean()
    audit.save_and_record(actor, prov, "provision.create", reg.administration)
    return prov


def update_provision(actor, prov: Provision, **changes) -> Provision:
    _refuse_fields(changes, {"regulation", "id"})
    before = audit.snapshot(prov)
    for k, v in changes.items():
        setattr(prov, k, v)
    _check_provision(prov)
    prov.full_clean()
    audit.save_and_record(
        actor, prov, "provision.update", prov.regulation.administration, before=before
    )
    return prov


# --- traces (S4, T3) --------------------------------------------------------------------------


def add_trace(
    actor,
    service: Service,
    *,
    attribute: Attribute | None = None,
    provision: Provision | None = None,
    policy_need: str = "",
) -> Trace:
    """Trace the service (attribute None) or one of its form fields to a provision of a register
    it may rest on, or to a stated policy need."""
    if not provision and not (policy_need or "").strip():
        raise ValidationError(
            _("Choose the provision that requires it, or state the policy need it serves.")
        )
    if attribute is not None and attribute.service_id != service.pk:
        raise ValidationError({"attribute": _("That field belongs to another service.")})
    if (
        provision is not None
        and not visible_provisions(service.administration).filter(pk=provision.pk).exists()
    ):
        raise ValidationError(
            {"provision": _("That provision is not in this administration's register.")}
        )
    if (
        provision is not None
        and Trace.objects.filter(service=service, attribute=attribute, provision=provision).exists()
    ):
        raise ValidationError({"provision": _("This is traced to that provision already.")})
    trace = Trace(
        service=service,
        attribute=attribute,
        provision=provision,
        policy_need=(policy_need or "").strip(),
    )
    trace.full_clean(validate_constraints=False)
    audit.save_and_record(actor, trace, "trace.create", service.administration)
    return trace


def remove_trace(actor, trace: Trace) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="trace.delete",
            obj=trace,
            before=audit.snapshot(trace),
            administration=trace.service.administration,
        )
        trace.delete()
