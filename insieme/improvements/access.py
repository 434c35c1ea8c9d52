"""Reads of improvement items across a permission boundary.

The backlog is internal: staff holding `improvements:item:read` in the administration see its
items, those holding `improvements:item:manage` change them. A person with no role there gets
404 (existence never leaks), one whose role lacks the permission 403; an item of another
administration, an unknown id or one that is no number are 404.
"""

from __future__ import annotations

from insieme.core.access import get_administration_for_user, get_scoped, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.improvements.models import Item

ITEM_RELATED = ("administration", "owner", "process", "service_change", "created_by")


def may_manage(user, administration_id: int) -> bool:
    return has_perm(user, Perm.IMPROVEMENT_MANAGE, administration_id)


def get_staff_administration(user, admin_slug: str, *, manage: bool = False) -> Administration:
    perm = Perm.IMPROVEMENT_MANAGE if manage else Perm.IMPROVEMENT_READ
    return get_administration_for_user(user, admin_slug, perm)


def get_staff_item(
    user, admin_slug: str, pk, *, manage: bool = False
) -> tuple[Administration, Item]:
    """The administration and its item `pk`, for a person who may read (or manage) items there."""
    admin = get_staff_administration(user, admin_slug, manage=manage)
    item = get_scoped(Item.objects.select_related(*ITEM_RELATED), admin, pk)
    return admin, item
