"""What results add to other apps' pages (core.registry.PagePanel) and to the staff dashboard.

- "participation.idea": *What happened to this idea*: its result's status, progress and link;
- "participation.process": the process's results, and the link to the results list.

Each reads one or two queries; a panel is left out (None) when it has nothing to show.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.core.registry import PagePanel
from insieme.results import access

PROCESS_RESULTS_SHOWN = 5


def idea_context(request, idea) -> dict | None:
    user = getattr(request, "user", None)
    result = (
        access.visible_results(user)
        .filter(idea=idea)
        .select_related("administration", "process", "idea")
        .first()
    )
    if result is None:
        return None
    return {
        "result": result,
        "mark": result.schedule(today_in(result.administration)),
        "url": reverse("results:detail", args=[result.administration.slug, result.pk]),
    }


def process_context(request, process) -> dict | None:
    user = getattr(request, "user", None)
    results = access.visible_results(user).filter(process=process)
    shown = list(
        results.select_related("administration").order_by("due_on", "-updated_at", "-pk")[
            : PROCESS_RESULTS_SHOWN + 1
        ]
    )
    if not shown:
        return None
    today = today_in(process.administration)
    for result in shown:
        result.mark = result.schedule(today)
    admin_slug = process.administration.slug
    return {
        "results": shown[:PROCESS_RESULTS_SHOWN],
        "more": len(shown) > PROCESS_RESULTS_SHOWN,
        "list_url": reverse("results:list", args=[admin_slug]) + f"?process={process.pk}",
        "admin_slug": admin_slug,
    }


PANELS = [
    PagePanel(
        key="results.idea",
        page="participation.idea",
        order=50,
        template="results/panels/idea.html",
        context=idea_context,
        app="results",
    ),
    PagePanel(
        key="results.process",
        page="participation.process",
        order=50,
        template="results/panels/process.html",
        context=process_context,
        app="results",
    ),
]


def staff_sections(section_class) -> list:
    return [
        section_class(
            "results:staff_list",
            _("Results"),
            _("You said, we did: what became of accepted ideas, with progress and milestones."),
            Perm.RESULT_MANAGE,
        )
    ]
