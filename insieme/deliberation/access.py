"""Reads of deliberation across a permission boundary, answering 404 both for what is missing
and for what the person may not see (existence never leaks).

A conversation is seen by whoever sees its process (insieme.participation.access decides: the
audience, a draft, the invited partners). Voters see its accepted statements only; a pending
statement is seen by its author and the moderators, a rejected one by the moderators. Staff
screens find the process inside an administration where the person holds the permission (404
outside the person's administrations, 403 where their role lacks it), then its conversation.
"""

from __future__ import annotations

from django.http import Http404

from insieme.core.permissions import Perm
from insieme.deliberation.models import Conversation, Statement
from insieme.participation.access import get_process_for_user, get_staff_process


def _number(value) -> int:
    """A row id from a URL or a form: 404 for anything else (the URL converter guards paths;
    this guards what arrives in a form)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise Http404
    return int(text)


def get_conversation_for_user(user, admin_slug: str, process_slug: str) -> Conversation:
    """The conversation of a process the person may see: 404 when the process is missing or
    hidden from them, and when it has no conversation."""
    process = get_process_for_user(user, admin_slug, process_slug)
    conversation = Conversation.objects.filter(process=process).first()
    if conversation is None:
        raise Http404
    conversation.process = process
    return conversation


def get_votable_statement(conversation: Conversation, pk) -> Statement:
    """An accepted statement of the conversation (pending and rejected ones are nobody's to
    vote on, and their existence is not told)."""
    statement = (
        Statement.objects.filter(
            conversation=conversation, status=Statement.Status.ACCEPTED, pk=_number(pk)
        )
        .only("pk", "conversation_id", "status", "text", "language", "translations", "is_meta")
        .first()
    )
    if statement is None:
        raise Http404
    statement.conversation = conversation
    return statement


def get_staff_conversation(user, admin_slug: str, pk, perm: Perm = Perm.PROCESS_MANAGE):
    """(administration, process, conversation or None) for a staff screen of the process `pk`."""
    admin, process = get_staff_process(user, admin_slug, pk, perm)
    process.administration = admin
    conversation = Conversation.objects.filter(process=process).first()
    if conversation is not None:
        conversation.process = process
    return admin, process, conversation


def get_staff_statement(conversation: Conversation | None, pk) -> Statement:
    """A statement of the conversation, whatever its status, for its staff."""
    if conversation is None:
        raise Http404
    statement = Statement.objects.filter(conversation=conversation, pk=_number(pk)).first()
    if statement is None:
        raise Http404
    statement.conversation = conversation
    return statement
