"""Participation's part of the home page ("processes open now") and of the staff dashboard.

The home section lists public, published processes with a phase running today, in the
visitor's language. The list is cached for OPEN_TTL seconds (one entry per language), so the
busiest page of all reads nothing for it most of the time.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.core.registry import HomeSection
from insieme.participation.models import Audience, Phase, Process

OPEN_TTL = 300
OPEN_SHOWN = 6


def open_processes(language: str) -> list[dict]:
    """Public processes with a phase running today (in their administration's time zone):
    title, administration, current phase and its last day, in `language`."""

    def compute() -> list[dict]:
        day = dt.date.today()
        near = Q(
            phases__starts_on__lte=day + dt.timedelta(days=1),
            phases__ends_on__gte=day - dt.timedelta(days=1),
        )
        processes = list(
            Process.objects.filter(near, is_published=True, audience=Audience.PUBLIC)
            .select_related("administration")
            .distinct()
            .order_by("-created_at", "-pk")[:50]
        )
        phases: dict[int, list] = {p.pk: [] for p in processes}
        for phase in Phase.objects.filter(process_id__in=list(phases)):
            phases[phase.process_id].append(phase)
        rows = []
        with translation.override(language):
            for process in processes:
                for phase in phases[process.pk]:
                    phase.process = process
                current = process.current_phase(
                    today_in(process.administration), phases[process.pk]
                )
                if current is None:
                    continue
                title = i18n.text(process, "title", language)
                rows.append(
                    {
                        "title": str(title),
                        "lang": title.lang,
                        "url": reverse(
                            "participation_process",
                            args=[process.administration.slug, process.slug],
                        ),
                        "administration": process.administration.display_name,
                        "phase": str(current.display_name),
                        "ends_on": current.ends_on,
                    }
                )
                if len(rows) == OPEN_SHOWN:
                    break
        return rows

    return cache.get_or_set(f"home:open-processes:{language}", compute, OPEN_TTL)


def open_context(request) -> dict | None:
    language = i18n.current(translation.get_language())
    rows = open_processes(language)
    if not rows:
        return None
    return {"processes": rows, "index_url": reverse("participation_index")}


OPEN_PROCESSES = HomeSection(
    key="participation.open",
    order=25,
    template="participation/home/_open.html",
    context=open_context,
    app="participation",
)


def staff_sections(section_class) -> list:
    """The staff dashboard's links to participation's screens (core's Section records)."""
    return [
        section_class(
            "staff_participation",
            _("Participation processes"),
            _("Co-design processes: phases, audience, categories, the services they change."),
            Perm.PROCESS_MANAGE,
        ),
        section_class(
            "staff_participation_ideas",
            _("Ideas to evaluate"),
            _("Ideas of the processes: evaluation, private notes, official answers."),
            Perm.IDEA_EVALUATE,
        ),
        section_class(
            "staff_participation_moderation",
            _("Moderation"),
            _("Reported comments, decisions and the moderation log."),
            Perm.COMMENT_MODERATE,
        ),
    ]
