"""Who sees a service change proposal, one helper per screen; 404 both for a missing proposal
and for one the person may not see (existence never leaks).

- Staff of the administration (any role: every role reads the catalogue) see every proposal on
  the staff screens; changing one needs codesign:change:propose, adopting it
  codesign:change:adopt (403 for staff without them).
- The public sees a proposal once it is open for comments or adopted, and only where its
  process is visible to them (participation.access.can_see_process); a proposal made from a
  service alone, where the service is published.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from insieme.catalog.models import Service
from insieme.codesign.models import ServiceChange
from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.participation.access import can_see_process

PUBLIC_STATUSES = (ServiceChange.Status.OPEN, ServiceChange.Status.ADOPTED)


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "administration", "service", "idea", "process__administration", "created_by", "adopted_by"
    )


def can_see_publicly(user, change: ServiceChange) -> bool:
    if change.status not in PUBLIC_STATUSES:
        return False
    if change.process is not None:
        return can_see_process(user, change.process)
    return change.service.status == Service.Status.PUBLISHED


def get_change_for_user(user, admin_slug: str, pk) -> ServiceChange:
    """A proposal as the public sees it (the public preview page)."""
    try:
        change = _related(ServiceChange.objects.filter(administration__slug=admin_slug)).get(
            pk=int(pk)
        )
    except (ServiceChange.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_see_publicly(user, change):
        raise Http404
    return change


def public_changes(user, *, idea=None, process=None, service=None) -> list[ServiceChange]:
    """The proposals open for comments or adopted that the person may see, newest first."""
    qs = _related(ServiceChange.objects.filter(status__in=PUBLIC_STATUSES))
    if idea is not None:
        qs = qs.filter(idea=idea)
    if process is not None:
        qs = qs.filter(process=process)
    if service is not None:
        qs = qs.filter(service=service)
    return [c for c in qs.order_by("-created_at", "-pk")[:50] if can_see_publicly(user, c)]


def get_staff_change(
    user, admin_slug: str, pk, perm: Perm = Perm.SERVICE_READ
) -> tuple[Administration, ServiceChange]:
    """404 outside the person's administrations, 403 without `perm` there."""
    admin = get_administration_for_user(user, admin_slug, perm)
    change = get_scoped(_related(ServiceChange.objects.all()), admin, pk)
    return admin, change


def staff_changes(admin: Administration, status: str = "") -> QuerySet[ServiceChange]:
    qs = _related(ServiceChange.objects.filter(administration=admin))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def adopted_for_service(service: Service) -> QuerySet[ServiceChange]:
    return _related(
        ServiceChange.objects.filter(service=service, status=ServiceChange.Status.ADOPTED)
    ).order_by("-adopted_at", "-pk")


def open_for_service(service: Service) -> QuerySet[ServiceChange]:
    return _related(
        ServiceChange.objects.filter(service=service).filter(
            Q(status=ServiceChange.Status.DRAFT) | Q(status=ServiceChange.Status.OPEN)
        )
    ).order_by("-created_at", "-pk")
