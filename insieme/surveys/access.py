"""Reads of surveys across a permission boundary, answering 404 both for a missing survey and
for one the person may not see (existence never leaks).

Who sees a survey:

- a draft: the staff of its administration who manage surveys (surveys:survey:manage);
- an open or closed survey: whoever sees what it is attached to, that is the process (as
  insieme.participation.access decides: public, employees' idea box, invited partners) and the
  service (published), both when it is attached to both; the survey managers always.

Staff screens go through `get_staff_survey`: 404 outside the person's administrations, 403
where their role lacks surveys:survey:manage.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from insieme.catalog.models import Service
from insieme.core.access import get_administration_for_user, get_scoped, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.participation.access import can_see_process
from insieme.surveys.models import Survey


def may_manage(user, administration_id: int) -> bool:
    return has_perm(user, Perm.SURVEY_MANAGE, administration_id)


def can_see_survey(user, survey: Survey) -> bool:
    if may_manage(user, survey.administration_id):
        return True
    if survey.status == Survey.Status.DRAFT:
        return False
    if survey.process_id is not None and not can_see_process(user, survey.process):
        return False
    return survey.service_id is None or survey.service.status == Service.Status.PUBLISHED


def may_answer(user, survey: Survey) -> bool:
    """The survey's audience lets the person answer (whether it takes answers now is the
    survey's own `refusal`)."""
    if survey.audience == Survey.Audience.SIGNED_IN:
        return bool(getattr(user, "is_authenticated", False))
    return True


def _surveys() -> QuerySet[Survey]:
    return Survey.objects.select_related(
        "administration", "process__administration", "service__administration"
    )


def get_survey_for_user(user, admin_slug: str, pk) -> Survey:
    try:
        survey = _surveys().filter(administration__slug=admin_slug).get(pk=int(pk))
    except (Survey.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_see_survey(user, survey):
        raise Http404
    return survey


def staff_administration(user, admin_slug: str) -> Administration:
    return get_administration_for_user(user, admin_slug, Perm.SURVEY_MANAGE)


def get_staff_survey(user, admin_slug: str, pk) -> tuple[Administration, Survey]:
    admin = staff_administration(user, admin_slug)
    return admin, get_scoped(_surveys(), admin, pk)


def open_surveys(user, *, process=None, service=None) -> list[Survey]:
    """The surveys attached to `process` or `service` that take answers now and that the person
    may see, newest first (for the panels on those pages)."""
    qs = _surveys().filter(status=Survey.Status.OPEN)
    if process is not None:
        qs = qs.filter(process=process)
    if service is not None:
        qs = qs.filter(service=service)
    return [s for s in qs[:10] if s.takes_answers() and can_see_survey(user, s)]
