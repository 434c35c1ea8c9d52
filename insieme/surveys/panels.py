"""What surveys add to other apps' pages (core.registry.PagePanel) and to the staff dashboard:
an invitation to the open surveys on a process's and on a service's public page, and the
survey managers' links on the staff service page. Each context reads a query or two and
answers None when it has nothing to show."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from insieme.core.permissions import Perm
from insieme.core.registry import PagePanel
from insieme.surveys import access
from insieme.surveys.models import Survey


def _user(request):
    return getattr(request, "user", None)


def _rows(surveys: list[Survey]) -> list[dict]:
    return [
        {
            "survey": s,
            "url": reverse("surveys:survey", args=[s.administration.slug, s.pk]),
        }
        for s in surveys
    ]


def public_process(request, process) -> dict | None:
    surveys = access.open_surveys(_user(request), process=process)
    return {"rows": _rows(surveys), "heading_id": "surveys-process"} if surveys else None


def public_service(request, service) -> dict | None:
    surveys = access.open_surveys(_user(request), service=service)
    return {"rows": _rows(surveys), "heading_id": "surveys-service"} if surveys else None


def staff_service(request, service) -> dict | None:
    user = _user(request)
    if not access.may_manage(user, service.administration_id):
        return None
    surveys = list(Survey.objects.filter(service=service).select_related("administration")[:10])
    return {
        "surveys": surveys,
        "administration": service.administration,
        "new_url": reverse("surveys:staff_survey_new", args=[service.administration.slug])
        + f"?service={service.pk}",
    }


PANELS = [
    PagePanel(
        "surveys.process",
        "participation.process",
        60,
        "surveys/panels/invite.html",
        public_process,
        app="surveys",
    ),
    PagePanel(
        "surveys.service",
        "catalog.service",
        60,
        "surveys/panels/invite.html",
        public_service,
        app="surveys",
    ),
    PagePanel(
        "surveys.staff_service",
        "catalog.staff_service",
        60,
        "surveys/panels/staff_service.html",
        staff_service,
        app="surveys",
    ),
]


def staff_sections(section_class) -> list:
    return [
        section_class(
            "surveys:staff_surveys",
            _("Surveys"),
            _("Surveys of processes and services: questions, opening and closing, results."),
            Perm.SURVEY_MANAGE,
        )
    ]
