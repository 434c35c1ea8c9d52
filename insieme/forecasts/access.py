"""Reads of the forecasts across a permission boundary.

Forecasts are internal: staff holding `forecasts:forecast:read` in the administration see them
and acknowledge its alerts. A person with no role there gets 404 (existence never leaks), one
whose role lacks the permission 403; an alert of another administration, an unknown id or one
that is no number are 404.
"""

from __future__ import annotations

from insieme.core.access import get_administration_for_user, get_scoped, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.forecasts.models import Alert


def get_staff_administration(user, admin_slug: str) -> Administration:
    return get_administration_for_user(user, admin_slug, Perm.FORECAST_READ)


def get_staff_alert(user, admin_slug: str, pk) -> tuple[Administration, Alert]:
    admin = get_staff_administration(user, admin_slug)
    return admin, get_scoped(Alert.objects.select_related("service"), admin, pk)


def may_open_items(user, administration: Administration) -> bool:
    """Whether the page offers "Open an improvement item" from an alert."""
    return has_perm(user, Perm.IMPROVEMENT_MANAGE, administration)
