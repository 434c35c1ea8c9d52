"""What the public pages show of people and comments: built here, in one place, so that no
template reaches an e-mail address, a hidden name or a hidden comment's text.

- A person shows as their first name and the initial of their surname ("Sara M."), never their
  e-mail; an author who chose not to show their name shows as an anonymous participant (with
  their organisation, for a partner, since the organisation takes part, not the person).
- A hidden comment's view carries no text at all: only that the moderators hid it, and why; a
  held one (the spam filter's, waiting for a moderator) is not listed at all.
- An official comment (posted on behalf of the administration) carries the administration's
  name: `official_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from insieme.participation.models import AuthorType, Comment, CommentFlag

THREADS_PER_PAGE = 20


def short_name(user) -> str:
    """'Sara Martini' -> 'Sara M.'; a single name stays as it is."""
    if user is None:
        return _("A former participant")
    parts = (user.full_name or "").split()
    if not parts:
        return _("A participant")
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


def author_label(item) -> str:
    """The public name of an idea's or a comment's author."""
    partner = getattr(item, "partner", None)
    if item.author_type == AuthorType.PARTNER and partner is not None:
        if item.show_name:
            return _("%(name)s for %(organisation)s") % {
                "name": short_name(item.author),
                "organisation": partner.name,
            }
        return partner.name
    if not item.show_name:
        return _("Anonymous participant")
    return short_name(item.author)


@dataclass
class CommentView:
    pk: int
    depth: int
    author: str
    author_type: str
    official: bool
    official_for: str  # the administration's name on an official comment, else ""
    hidden: bool
    hidden_reason: str
    body: str
    created_at: datetime
    own: bool
    flagged: bool
    can_reply: bool
    replies: list[CommentView] = field(default_factory=list)


def official_label(comment: Comment, administration=None) -> str:
    """The administration's name on an official, visible comment; "" on any other. Pass the
    administration when the caller has it (a thread's comments share one)."""
    if not comment.is_official or comment.is_hidden or comment.is_held:
        return ""
    admin = administration or comment.administration
    return str(getattr(admin, "display_name", "") or admin.name)


def comment_view(comment: Comment, user, flagged: set[int], administration=None) -> CommentView:
    hidden = comment.is_hidden or comment.is_held
    signed_in = getattr(user, "is_authenticated", False)
    official_for = official_label(comment, administration) if comment.is_official else ""
    return CommentView(
        pk=comment.pk,
        depth=comment.depth,
        author="" if hidden else author_label(comment),
        author_type="" if hidden else comment.get_author_type_display(),
        official=comment.is_official and not hidden,
        official_for=official_for,
        hidden=hidden,
        hidden_reason=comment.hidden_reason if hidden else "",
        body="" if hidden else comment.body,  # never the text of a hidden comment
        created_at=comment.created_at,
        own=signed_in and comment.author_id == user.pk,
        flagged=comment.pk in flagged,
        can_reply=not hidden and comment.depth < Comment.MAX_DEPTH,
    )


def threads(obj, user, page_number, administration=None) -> tuple:
    """A page of threads on `obj` (a process, an idea or a registered target): (page, views).
    Held comments are left out. Four queries whatever the number of comments: the count, the
    page of first comments, all their replies (through `root`), and the reader's own flags.
    `administration` (of the comments, for official ones' label) is read once when not given."""
    from insieme.participation.threads import where

    roots = (
        Comment.objects.shown()
        .filter(**where(obj), depth=0)
        .select_related("author", "partner")
        .order_by("created_at", "pk")
    )
    page = Paginator(roots, THREADS_PER_PAGE).get_page(page_number)
    first = list(page.object_list)
    replies = list(
        Comment.objects.shown()
        .filter(root_id__in=[c.pk for c in first])
        .select_related("author", "partner")
        .order_by("created_at", "pk")
        if first
        else []
    )
    flagged: set[int] = set()
    if getattr(user, "is_authenticated", False) and first:
        flagged = set(
            CommentFlag.objects.filter(
                user=user, comment_id__in=[c.pk for c in first + replies]
            ).values_list("comment_id", flat=True)
        )
    if administration is None and any(c.is_official for c in first + replies):
        administration = (first + replies)[0].administration
    views = {c.pk: comment_view(c, user, flagged, administration) for c in first + replies}
    for reply in replies:
        parent = views.get(reply.parent_id)
        if parent is not None:
            parent.replies.append(views[reply.pk])
    return page, [views[c.pk] for c in first]
