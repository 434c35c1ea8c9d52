"""What deliberation holds about a person, for the copy of their own data
(insieme.privacy.export): their votes on the statements of a conversation and the statements
they wrote, found through their participant row (`Participant.user`). Participants imported
from a Pol.is export carry only Pol.is's own number, no person of Insieme, so they are no one's
here.

Left out on purpose: the moderators' reason for refusing a statement (a staff screen's note;
the status is given) and the opinion groups, which are recomputed from everyone's votes and
published only as groups.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.catalog import i18n
from insieme.catalog.i18n import LocalText
from insieme.core.registry import PersonalData
from insieme.deliberation.models import Statement, Vote

VOTE_LABELS = {
    "process": _("process"),
    "question": _("question"),
    "statement": _("statement"),
    "vote": _("Your vote"),
    "at": _("When"),
}

STATEMENT_LABELS = {
    "process": _("process"),
    "question": _("question"),
    "statement": _("statement"),
    "language": _("Language"),
    "status": _("status"),
    "at": _("When"),
}


def votes(user) -> list[dict]:
    rows = (
        Vote.objects.filter(participant__user=user)
        .select_related("statement", "conversation__process")
        .order_by("voted_at", "pk")
    )
    return [
        {
            "process": v.conversation.process.i18n.title,
            "question": i18n.text(v.conversation, "question"),
            "statement": i18n.text(v.statement, "text"),
            "vote": v.get_value_display(),
            "at": v.voted_at,
        }
        for v in rows
    ]


def statements(user) -> list[dict]:
    rows = (
        Statement.objects.filter(author__user=user)
        .select_related("conversation__process")
        .order_by("created_at", "pk")
    )
    return [
        {
            "process": s.conversation.process.i18n.title,
            "question": i18n.text(s.conversation, "question"),
            "statement": LocalText(s.text, s.language),
            "language": s.language,
            "status": s.get_status_display(),
            "at": s.created_at,
        }
        for s in rows
    ]


SECTIONS = (
    PersonalData(
        "deliberation_votes",
        _("Your votes on statements"),
        votes,
        app="deliberation",
        labels=VOTE_LABELS,
        order=40,
    ),
    PersonalData(
        "deliberation_statements",
        _("Statements you wrote"),
        statements,
        app="deliberation",
        labels=STATEMENT_LABELS,
        order=41,
    ),
)
