"""Participation's open datasets: per public process, how many took part and how (counts,
suppressed when small), and the public ideas themselves (titles as the site shows them,
redacted; never who proposed them)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from insieme.core.registry import Column, Dataset
from insieme.participation.models import Audience, Comment, Idea, Process, Support


def _public_processes(administration):
    return Process.objects.filter(
        administration=administration, is_published=True, audience=Audience.PUBLIC
    ).order_by("slug")


def process_rows(administration):
    processes = list(_public_processes(administration))
    ids = [p.pk for p in processes]
    visible = Idea.objects.visible().filter(process_id__in=ids)
    ideas = {
        row["process_id"]: row
        for row in visible.values("process_id").annotate(
            ideas=Count("pk"),
            by_citizens=Count("pk", filter=Q(author_type="citizen")),
            by_employees=Count("pk", filter=Q(author_type="employee")),
            by_partners=Count("pk", filter=Q(author_type="partner")),
            accepted=Count("pk", filter=Q(answer=Idea.Answer.ACCEPTED)),
        )
    }
    supports = dict(
        Support.objects.filter(idea__in=visible)
        .values("idea__process_id")
        .annotate(n=Count("pk"))
        .values_list("idea__process_id", "n")
    )
    comments = dict(
        Comment.objects.filter(process_id__in=ids, held_at__isnull=True, hidden_at__isnull=True)
        .values("process_id")
        .annotate(n=Count("pk"))
        .values_list("process_id", "n")
    )
    for process in processes:
        counts = ideas.get(process.pk, {})
        yield {
            "process": process.slug,
            "title": process.title,
            "ideas": counts.get("ideas", 0),
            "ideas_by_citizens": counts.get("by_citizens", 0),
            "ideas_by_employees": counts.get("by_employees", 0),
            "ideas_by_partners": counts.get("by_partners", 0),
            "ideas_accepted": counts.get("accepted", 0),
            "supports": supports.get(process.pk, 0),
            "comments": comments.get(process.pk, 0),
        }


def idea_rows(administration):
    ideas = (
        Idea.objects.visible()
        .filter(process__in=_public_processes(administration), state=Idea.State.OPEN)
        .select_related("process", "author")
        .annotate(support_count=Count("supports"))
        .order_by("pk")
    )
    for idea in ideas:
        yield {
            "idea": idea.pk,
            "process": idea.process.slug,
            "title": idea.title,
            "author_type": idea.author_type,
            "answer": idea.answer or None,
            "proposed_on": idea.created_at.date(),
            "supports": idea.support_count,
            "_id": idea.pk,
            "_names": [idea.author.full_name] if idea.author_id else [],
        }


PROCESSES = Dataset(
    key="participation",
    title=_("Participation in co-design processes"),
    description=_(
        "For every public co-design process: ideas proposed (in all, and by citizens, employees "
        "and partner organisations), ideas accepted, supports and comments."
    ),
    rows=process_rows,
    kind="aggregate",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("participation"), _("co-design"), _("ideas")),
    margins=((),),
    columns=(
        Column("process", "string", _("The process's short name.")),
        Column("title", "string", _("The process's title.")),
        Column("ideas", "integer", _("Ideas proposed and shown."), role="count"),
        Column("ideas_by_citizens", "integer", _("Of those, by citizens."), "part", "ideas"),
        Column("ideas_by_employees", "integer", _("Of those, by employees."), "part", "ideas"),
        Column("ideas_by_partners", "integer", _("Of those, by partners."), "part", "ideas"),
        Column("ideas_accepted", "integer", _("Of those, accepted."), "part", "ideas"),
        Column("supports", "integer", _("Supports given to the ideas."), role="count"),
        Column("comments", "integer", _("Comments shown."), role="count"),
    ),
)

IDEAS = Dataset(
    key="ideas",
    title=_("Ideas"),
    description=_(
        "The ideas of public co-design processes as the site shows them: title (personal data "
        "redacted), kind of author, the administration's answer and the supports received. "
        "Who proposed them is never published."
    ),
    rows=idea_rows,
    kind="records",
    theme="GOVE",
    frequency="DAILY",
    keywords=(_("participation"), _("ideas")),
    columns=(
        Column("idea", "integer", _("The idea's number.")),
        Column("process", "string", _("The process's short name.")),
        Column("title", "string", _("The idea's title, personal data redacted."), role="text"),
        Column("author_type", "string", _("Citizen, employee or partner organisation.")),
        Column("answer", "string", _("The administration's answer, if given.")),
        Column("proposed_on", "date", _("Day it was proposed.")),
        Column("supports", "integer", _("Supports received.")),
    ),
)

DATASETS = (PROCESSES, IDEAS)
