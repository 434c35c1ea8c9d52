"""Reads of topics across a permission boundary.

Staff holding `topics:topic:read` in the administration read its latest run. A person with no role
there gets 404 (existence never leaks), one whose role lacks the permission 403; a topic of
another administration's run, of an older run, an unknown id or one that is no number are 404.
"""

from __future__ import annotations

from django.http import Http404

from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.topics.models import Run, Topic


def get_staff_administration(user, admin_slug: str) -> Administration:
    return get_administration_for_user(user, admin_slug, Perm.TOPIC_READ)


def latest_run(admin: Administration) -> Run | None:
    return Run.objects.filter(administration=admin).order_by("-computed_at", "-pk").first()


def get_staff_topic(user, admin_slug: str, pk) -> tuple[Administration, Run, Topic]:
    """The administration, its latest run and that run's topic `pk`."""
    admin = get_staff_administration(user, admin_slug)
    run = latest_run(admin)
    try:
        topic = Topic.objects.get(run=run, pk=int(pk)) if run else None
    except (Topic.DoesNotExist, ValueError, TypeError):
        topic = None
    if topic is None:
        raise Http404("No such topic")
    return admin, run, topic


def may_open_item(user, admin: Administration) -> bool:
    return has_perm(user, Perm.IMPROVEMENT_MANAGE, admin.pk)
