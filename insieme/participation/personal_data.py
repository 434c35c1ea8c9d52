"""What participation holds about a person, for the copy of their own data
(insieme.privacy.export): the ideas they proposed, the ideas they co-sign, their supports, their
comments, the comments they reported, and what they follow.

Left out on purpose: the spam filter's score of their texts (a number for the moderators'
queue; whether a text is held for review is given), the evaluation notes and evaluator
assignments staff keep about ideas, who invited them to co-sign and whom they invited (other
people), and the text of the comments they reported (other people's words).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from insieme.catalog.i18n import LocalText
from insieme.core.registry import PersonalData
from insieme.participation import threads
from insieme.participation.models import (
    Coauthor,
    Comment,
    CommentFlag,
    Follow,
    Idea,
    OfficialAnswer,
    Support,
)

IDEA_LABELS = {
    "title": _("title"),
    "body": _("your idea"),
    "language": _("Language"),
    "process": _("process"),
    "administration": _("Administration"),
    "category": _("category"),
    "author_type": _("author type"),
    "partner": _("Partner organisation"),
    "show_name": _("show my name on the idea"),
    "lat": _("latitude"),
    "lon": _("longitude"),
    "created_at": _("Proposed on"),
    "state": _("status"),
    "answer": _("answer"),
    "answer_text": _("explanation"),
    "answered_at": _("Answered on"),
    "supports": _("Supports"),
    "held_for_review": _("Held for review"),
    "hidden_reason": _("Hidden by the moderators"),
    "attachments": _("Attachments"),
}

COAUTHOR_LABELS = {
    "idea": _("idea"),
    "process": _("process"),
    "invited_at": _("Invited on"),
    "accepted_at": _("Accepted on"),
}

SUPPORT_LABELS = {"idea": _("idea"), "process": _("process"), "at": _("When")}

COMMENT_LABELS = {
    "on": _("On"),
    "body": _("Comment"),
    "reply": _("Reply to another comment"),
    "author_type": _("author type"),
    "partner": _("Partner organisation"),
    "show_name": _("Name shown"),
    "official": _("Official answer"),
    "held_for_review": _("Held for review"),
    "hidden_reason": _("Hidden by the moderators"),
    "at": _("When"),
}

FLAG_LABELS = {"reason": _("reason"), "at": _("When")}

FOLLOW_LABELS = {"process": _("process"), "idea": _("idea"), "since": _("Since")}


def _hidden(item) -> str:
    """Why the moderators hid it (shown on the public page too), or "" when they did not."""
    return item.hidden_reason if item.hidden_at else ""


def _latest_answer(idea: Idea) -> OfficialAnswer | None:
    answers = list(idea.answers.all())  # prefetched, newest first
    return answers[0] if answers else None


def _idea(idea: Idea) -> dict:
    answer = _latest_answer(idea)
    return {
        "title": LocalText(idea.title, idea.language),
        "body": LocalText(idea.body, idea.language),
        "language": idea.language,
        "process": idea.process.i18n.title,
        "administration": idea.process.administration.display_name,
        "category": idea.category.i18n.name if idea.category else "",
        "author_type": idea.get_author_type_display(),
        "partner": idea.partner.name if idea.partner else "",
        "show_name": idea.show_name,
        "lat": idea.lat,
        "lon": idea.lon,
        "created_at": idea.created_at,
        "state": idea.get_state_display(),
        "answer": idea.get_answer_display(),
        "answer_text": answer.text if answer else "",
        "answered_at": idea.answered_at,
        "supports": idea.supports_count,
        "held_for_review": idea.held_at is not None,
        "hidden_reason": _hidden(idea),
        "attachments": [
            a.original_name or a.file.name.rsplit("/", 1)[-1] for a in idea.attachments.all()
        ],
    }


def ideas(user) -> list[dict]:
    rows = (
        Idea.objects.filter(author=user)
        .select_related("process__administration", "category__process", "partner")
        .prefetch_related(
            "attachments",
            Prefetch("answers", queryset=OfficialAnswer.objects.order_by("-created_at", "-pk")),
        )
        .order_by("created_at", "pk")
    )
    return [_idea(i) for i in rows]


def coauthorships(user) -> list[dict]:
    rows = (
        Coauthor.objects.filter(user=user)
        .select_related("idea__process")
        .order_by("invited_at", "pk")
    )
    return [
        {
            "idea": LocalText(c.idea.title, c.idea.language),
            "process": c.idea.process.i18n.title,
            "invited_at": c.invited_at,
            "accepted_at": c.accepted_at,
        }
        for c in rows
    ]


def supports(user) -> list[dict]:
    rows = (
        Support.objects.filter(user=user)
        .select_related("idea__process")
        .order_by("created_at", "pk")
    )
    return [
        {
            "idea": LocalText(s.idea.title, s.idea.language),
            "process": s.idea.process.i18n.title,
            "at": s.created_at,
        }
        for s in rows
    ]


def _subject_title(subject) -> str:
    if subject is None:
        return ""
    try:
        return threads.title_of(subject)
    except LookupError:  # its app no longer registers that kind of thread
        return ""


def comments(user) -> list[dict]:
    rows = list(
        Comment.objects.filter(author=user)
        .select_related("process", "idea", "partner")
        .order_by("created_at", "pk")
    )
    # What each comment is on: one query per kind of registered thread, not one per comment.
    subjects = threads.subjects(rows)
    return [
        {
            "on": _subject_title(subjects.get(c.pk)),
            "body": c.body,
            "reply": c.parent_id is not None,
            "author_type": c.get_author_type_display(),
            "partner": c.partner.name if c.partner else "",
            "show_name": c.show_name,
            "official": c.is_official,
            "held_for_review": c.held_at is not None,
            "hidden_reason": _hidden(c),
            "at": c.created_at,
        }
        for c in rows
    ]


def flags(user) -> list[dict]:
    rows = CommentFlag.objects.filter(user=user).order_by("created_at", "pk")
    return [{"reason": f.get_reason_display(), "at": f.created_at} for f in rows]


def follows(user) -> list[dict]:
    rows = (
        Follow.objects.filter(user=user)
        .select_related("process", "idea__process")
        .order_by("created_at", "pk")
    )
    return [
        {
            "process": (f.process or f.idea.process).i18n.title,
            "idea": LocalText(f.idea.title, f.idea.language) if f.idea else "",
            "since": f.created_at,
        }
        for f in rows
    ]


SECTIONS = (
    PersonalData(
        "ideas",
        _("Your ideas"),
        ideas,
        app="participation",
        labels=IDEA_LABELS,
        order=30,
    ),
    PersonalData(
        "idea_coauthorships",
        _("Ideas you co-sign"),
        coauthorships,
        app="participation",
        labels=COAUTHOR_LABELS,
        order=31,
    ),
    PersonalData(
        "idea_supports",
        _("Ideas you support"),
        supports,
        app="participation",
        labels=SUPPORT_LABELS,
        order=32,
    ),
    PersonalData(
        "comments",
        _("Your comments"),
        comments,
        app="participation",
        labels=COMMENT_LABELS,
        order=33,
    ),
    PersonalData(
        "comment_reports",
        _("Comments you reported"),
        flags,
        app="participation",
        labels=FLAG_LABELS,
        note=_("The reported comments were written by others: only your report is shown."),
        order=34,
    ),
    PersonalData(
        "participation_follows",
        _("Processes and ideas you follow"),
        follows,
        app="participation",
        labels=FOLLOW_LABELS,
        order=35,
    ),
)
