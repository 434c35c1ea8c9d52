"""Reads of catalogue objects that cross a permission boundary: one helper per object type.

Each helper first checks the administration with core's get_administration_for_user (404 when the
user has no role there, 403 when they have one but lack `perm`), then fetches the object scoped to
that administration: Http404 for a missing object and for one of another tenant alike, so that
existence never leaks.

Scope rules. Services, form fields and traces belong to one administration. Templates and the
regulation register may be *read* through the administrations that rest on them (a municipality
reads the templates its region shares and the region's register) but are *written* only through
their owner: asked with a write permission, these helpers look in the owner's own rows only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from insieme.catalog.actions import visible_provisions, visible_regulations, visible_templates
from insieme.catalog.models import (
    Attribute,
    Provision,
    Regulation,
    Service,
    ServiceTemplate,
    TemplateAttribute,
    Trace,
)
from insieme.core.access import get_administration_for_user
from insieme.core.models import Administration
from insieme.core.permissions import Perm

WRITE_PERMS = frozenset({Perm.SERVICE_WRITE, Perm.TEMPLATE_WRITE, Perm.REGULATION_WRITE})


def _admin(user, admin: Administration | str, perm: Perm | str) -> Administration:
    slug = admin if isinstance(admin, str) else admin.slug
    return get_administration_for_user(user, slug, perm)


def _get(qs: QuerySet, **lookup):
    """qs.get(**lookup) with every miss (absent, other tenant, malformed id) turned into 404."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def get_service_for_user(user, admin: Administration | str, pk, perm: Perm | str) -> Service:
    """A service of `admin` (with its template and department loaded)."""
    admin = _admin(user, admin, perm)
    qs = Service.objects.select_related("administration", "template__owner", "department")
    return _get(qs, administration=admin, pk=_pk(pk))


def get_template_for_user(
    user, admin: Administration | str, pk, perm: Perm | str
) -> ServiceTemplate:
    """A template `admin` may read (own or shared by a host), or own (write permissions)."""
    admin = _admin(user, admin, perm)
    qs = (
        ServiceTemplate.objects.filter(owner=admin)
        if perm in WRITE_PERMS
        else visible_templates(admin)
    )
    return _get(qs.select_related("owner"), pk=_pk(pk))


def get_template_attribute_for_user(
    user, admin: Administration | str, template_pk, pk, perm: Perm | str
) -> TemplateAttribute:
    """A question of a template reached through get_template_for_user's rules."""
    template = get_template_for_user(user, admin, template_pk, perm)
    return _get(
        TemplateAttribute.objects.select_related("template__owner"), template=template, pk=_pk(pk)
    )


def get_regulation_for_user(user, admin: Administration | str, pk, perm: Perm | str) -> Regulation:
    """A regulation of `admin`'s register, or (read permissions) of a host's register."""
    admin = _admin(user, admin, perm)
    qs = (
        Regulation.objects.filter(administration=admin)
        if perm in WRITE_PERMS
        else visible_regulations(admin)
    )
    return _get(qs.select_related("administration", "superseded_by"), pk=_pk(pk))


def get_provision_for_user(
    user, admin: Administration | str, pk, perm: Perm | str, *, regulation_pk=None
) -> Provision:
    """A provision under get_regulation_for_user's rules; `regulation_pk` narrows it further."""
    admin = _admin(user, admin, perm)
    qs = (
        Provision.objects.filter(regulation__administration=admin)
        if perm in WRITE_PERMS
        else visible_provisions(admin)
    )
    if regulation_pk is not None:
        qs = qs.filter(regulation_id=_pk(regulation_pk))
    return _get(qs.select_related("regulation__administration", "superseded_by"), pk=_pk(pk))


def get_attribute_for_user(
    user, admin: Administration | str, pk, perm: Perm | str, *, service_pk=None
) -> Attribute:
    """A form field of a service of `admin`; `service_pk` (from the URL) must match its service."""
    admin = _admin(user, admin, perm)
    qs = Attribute.objects.select_related("service__administration").filter(
        service__administration=admin
    )
    if service_pk is not None:
        qs = qs.filter(service_id=_pk(service_pk))
    return _get(qs, pk=_pk(pk))


def get_trace_for_user(
    user, admin: Administration | str, pk, perm: Perm | str, *, service_pk=None
) -> Trace:
    """A trace of a service of `admin`; `service_pk` (from the URL) must match its service."""
    admin = _admin(user, admin, perm)
    qs = Trace.objects.select_related(
        "service__administration", "attribute", "provision__regulation"
    ).filter(service__administration=admin)
    if service_pk is not None:
        qs = qs.filter(service_id=_pk(service_pk))
    return _get(qs, pk=_pk(pk))
