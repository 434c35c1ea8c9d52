"""Reads of results across a permission boundary: 404 for a missing result and for one the
person may not see alike (existence never leaks).

Who sees a result:

- an unpublished result: the staff who manage results in its administration only;
- a published result of a process: whoever sees the process (participation.access);
- a published result of an idea that is held for review or hidden by the moderators: the
  staff who manage results only (its title came from the idea);
- any other published result: everyone.

Staff-only links of a result are shown to staff holding `cases:case:read` in its
administration.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from insieme.core.access import (
    get_administration_for_user,
    get_scoped,
    has_perm,
    permissions_by_administration,
)
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.participation.access import can_see_process, visible_processes
from insieme.participation.models import Audience
from insieme.results.models import Result


def may_manage(user, administration_id: int) -> bool:
    return has_perm(user, Perm.RESULT_MANAGE, administration_id)


def may_see_staff_links(user, administration_id: int) -> bool:
    return has_perm(user, Perm.CASE_READ, administration_id)


def can_see_result(user, result: Result) -> bool:
    if may_manage(user, result.administration_id):
        return True
    if not result.is_published:
        return False
    if result.idea_id is not None and not result.idea.is_visible:
        return False
    if result.process_id is not None:
        return can_see_process(user, result.process)
    return True


def is_public(result: Result) -> bool:
    """Seen by anyone, signed in or not: what webhooks and the REST API may tell."""
    if not result.is_published:
        return False
    if result.idea_id is not None and not result.idea.is_visible:
        return False
    process = result.process
    return process is None or (process.is_published and process.audience == Audience.PUBLIC)


def _visible_idea() -> Q:
    return Q(idea__isnull=True) | Q(idea__held_at__isnull=True, idea__hidden_at__isnull=True)


def visible_results(user) -> QuerySet[Result]:
    """Every result the person may see, as one query."""
    manage_ids = [
        a for a, p in permissions_by_administration(user).items() if Perm.RESULT_MANAGE in p
    ]
    condition = (
        Q(is_published=True)
        & _visible_idea()
        & (Q(process__isnull=True) | Q(process__in=visible_processes(user).values("pk")))
    )
    if manage_ids:
        condition |= Q(administration_id__in=manage_ids)
    return Result.objects.filter(condition)


def public_results() -> QuerySet[Result]:
    """Results anyone sees (the REST API's, the webhooks')."""
    return Result.objects.filter(
        Q(is_published=True)
        & _visible_idea()
        & (
            Q(process__isnull=True)
            | Q(process__is_published=True, process__audience=Audience.PUBLIC)
        )
    )


def get_public_administration(admin_slug: str) -> Administration:
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is None:
        raise Http404
    return admin


def get_result_for_user(user, admin: Administration, pk) -> Result:
    try:
        result = (
            Result.objects.select_related("administration", "process__administration", "idea")
            .filter(administration=admin)
            .get(pk=int(pk))
        )
    except (Result.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    if not can_see_result(user, result):
        raise Http404
    return result


def get_staff_result(user, admin_slug: str, pk) -> tuple[Administration, Result]:
    """404 outside the person's administrations and for another administration's result, 403
    without the permission."""
    admin = get_administration_for_user(user, admin_slug, Perm.RESULT_MANAGE)
    result = get_scoped(
        Result.objects.select_related("administration", "process", "idea", "parent"), admin, pk
    )
    return admin, result
