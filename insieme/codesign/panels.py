"""What co-design adds to other apps' pages (core.registry.PagePanel) and to the staff
dashboard. Each context reads a query or two and answers None when it has nothing to show."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.codesign import access
from insieme.codesign.models import ServiceChange, WorkItem
from insieme.core.access import has_perm
from insieme.core.permissions import Perm
from insieme.core.registry import PagePanel
from insieme.participation.access import can_see_process
from insieme.participation.models import Idea


def _user(request):
    return getattr(request, "user", None)


def staff_idea(request, idea: Idea) -> dict | None:
    """The staff idea page: its work item, its proposals, and the buttons that start them."""
    user = _user(request)
    admin = idea.process.administration
    item = (
        WorkItem.objects.filter(idea=idea)
        .select_related("case__department", "case__assignee", "case__administration")
        .first()
    )
    changes = list(
        ServiceChange.objects.filter(idea=idea).select_related("service").order_by("-pk")
    )
    accepted = idea.answer == Idea.Answer.ACCEPTED
    if item is None and not changes and not accepted:
        return None
    return {
        "administration": admin,
        "item": item,
        "changes": changes,
        "may_create_item": accepted and item is None and has_perm(user, Perm.IDEA_ANSWER, admin),
        "may_propose": accepted and has_perm(user, Perm.SERVICE_CHANGE_PROPOSE, admin),
    }


def public_idea(request, idea: Idea) -> dict | None:
    changes = access.public_changes(_user(request), idea=idea)
    return {"changes": changes, "heading_id": "codesign-idea"} if changes else None


def public_process(request, process) -> dict | None:
    changes = access.public_changes(_user(request), process=process)
    return {"changes": changes, "heading_id": "codesign-process"} if changes else None


def _adoptions(request, service) -> list[dict]:
    user = _user(request)
    rows = []
    for change in access.adopted_for_service(service)[:10]:
        visible = change.process is not None and can_see_process(user, change.process)
        rows.append(
            {"change": change, "visible": visible, "public": access.can_see_publicly(user, change)}
        )
    return rows


def public_service(request, service) -> dict | None:
    rows = _adoptions(request, service)
    return {"rows": rows} if rows else None


def staff_service(request, service) -> dict | None:
    user = _user(request)
    admin = service.administration
    rows = _adoptions(request, service)
    pending = list(access.open_for_service(service)[:10])
    may_propose = has_perm(user, Perm.SERVICE_CHANGE_PROPOSE, admin)
    if not rows and not pending and not may_propose:
        return None
    return {
        "administration": admin,
        "rows": rows,
        "pending": pending,
        "may_propose": may_propose,
        "service": service,
    }


PANELS = [
    PagePanel(
        "codesign.staff_idea",
        "participation.staff_idea",
        50,
        "codesign/panels/staff_idea.html",
        staff_idea,
        app="codesign",
    ),
    PagePanel(
        "codesign.idea",
        "participation.idea",
        50,
        "codesign/panels/public_changes.html",
        public_idea,
        app="codesign",
    ),
    PagePanel(
        "codesign.process",
        "participation.process",
        50,
        "codesign/panels/public_changes.html",
        public_process,
        app="codesign",
    ),
    PagePanel(
        "codesign.service",
        "catalog.service",
        50,
        "codesign/panels/service.html",
        public_service,
        app="codesign",
    ),
    PagePanel(
        "codesign.staff_service",
        "catalog.staff_service",
        50,
        "codesign/panels/staff_service.html",
        staff_service,
        app="codesign",
    ),
]


def staff_sections(section_class) -> list:
    return [
        section_class(
            "codesign:staff_changes",
            _("Service change proposals"),
            _("Co-designed changes of services: drafts, comments, preview and adoption."),
            Perm.SERVICE_CHANGE_PROPOSE,
        )
    ]
