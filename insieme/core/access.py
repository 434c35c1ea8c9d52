"""Reads that cross a permission boundary: one helper per object type.

Every helper answers Http404 both for a missing object and for one the user may not see, so that
existence never leaks. Where the user can see the administration but lacks the action's permission,
PermissionDenied (403) is raised instead: they already know it exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from insieme.core.models import (
    Administration,
    ApiKey,
    Department,
    Invitation,
    Membership,
    PartnerOrganisation,
)
from insieme.core.permissions import ROLE_PERMISSIONS, Perm, roles_with

_CACHE_ATTR = "_insieme_admin_perms"


def _expand_descendants(ids: set[int]) -> set[int]:
    """Region roles reach the administrations the region hosts (bounded: a few levels deep)."""
    result, frontier = set(ids), set(ids)
    for _depth in range(6):
        if not frontier:
            break
        children = set(
            Administration.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - result
        result |= children
    return result


def permissions_by_administration(user) -> dict[int, frozenset[str]]:
    """{administration id: permissions the user holds there}, computed once per request/user."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: dict[int, set[str]] = {}
    rows = Membership.objects.filter(user=user, is_active=True).values_list(
        "administration_id", "role"
    )
    for admin_id, role in rows:
        perms = ROLE_PERMISSIONS.get(role, frozenset())
        for target in _expand_descendants({admin_id}):
            result.setdefault(target, set()).update(perms)
    frozen = {k: frozenset(v) for k, v in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    return frozen


def forget_permissions(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_perm(user, perm: Perm | str, administration: Administration | int) -> bool:
    admin_id = administration if isinstance(administration, int) else administration.pk
    return perm in permissions_by_administration(user).get(admin_id, frozenset())


def require_perm(actor, perm: Perm | str, administration_id: int) -> None:
    """PermissionDenied unless `actor`, a signed-in person, holds `perm` in the administration;
    None is the system itself (the demo, a periodic job, a listener), which may. The check at
    the top of every staff action of the apps' write paths."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not has_perm(
        actor, perm, administration_id
    ):
        raise PermissionDenied


def administrations_for(user, perm: Perm | str | None = None) -> QuerySet[Administration]:
    """Administrations where the user holds `perm` (any staff permission when None)."""
    perms = permissions_by_administration(user)
    ids = [a for a, p in perms.items() if perm is None or perm in p]
    return Administration.objects.filter(id__in=ids)


def is_staff_somewhere(user) -> bool:
    return bool(permissions_by_administration(user))


def get_administration_for_user(user, slug: str, perm: Perm | str) -> Administration:
    perms = permissions_by_administration(user)
    admin = Administration.objects.filter(slug=slug).first()
    if admin is None or admin.pk not in perms:
        raise Http404("No such administration")
    if perm not in perms[admin.pk]:
        raise PermissionDenied
    return admin


def get_scoped(qs: QuerySet, admin: Administration, pk) -> object:
    """The object of `qs` with id `pk` that belongs to `admin`: 404 for another
    administration's, for unknown ids and for ids that are not numbers. Callers have checked
    the permission (usually with get_administration_for_user)."""
    try:
        return qs.get(administration=admin, pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_department_for_user(user, admin: Administration, pk, perm: Perm | str) -> Department:
    admin = get_administration_for_user(user, admin.slug, perm)
    return get_scoped(Department.objects.all(), admin, pk)


def get_membership_for_user(user, admin: Administration, pk, perm: Perm | str) -> Membership:
    admin = get_administration_for_user(user, admin.slug, perm)
    return get_scoped(Membership.objects.select_related("user", "department"), admin, pk)


def get_partner_for_user(user, admin: Administration, pk, perm: Perm | str) -> PartnerOrganisation:
    admin = get_administration_for_user(user, admin.slug, perm)
    return get_scoped(PartnerOrganisation.objects.all(), admin, pk)


def get_apikey_for_user(user, admin: Administration, pk, perm: Perm | str) -> ApiKey:
    admin = get_administration_for_user(user, admin.slug, perm)
    return get_scoped(ApiKey.objects.all(), admin, pk)


def get_invitation_for_user(user, admin: Administration, pk, perm: Perm | str) -> Invitation:
    admin = get_administration_for_user(user, admin.slug, perm)
    return get_scoped(Invitation.objects.all(), admin, pk)


__all__ = [
    "administrations_for",
    "get_administration_for_user",
    "get_apikey_for_user",
    "get_department_for_user",
    "get_invitation_for_user",
    "get_membership_for_user",
    "get_partner_for_user",
    "get_scoped",
    "has_perm",
    "is_staff_somewhere",
    "permissions_by_administration",
    "roles_with",
]
