"""Comments on service change proposals: participants comment while a proposal is open for
comments; once adopted or withdrawn its thread stays readable, closed. Who sees the thread is
who sees the proposal's public page (insieme.codesign.access)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from insieme.codesign import access, actions
from insieme.codesign.models import ServiceChange
from insieme.participation.threads import CommentTarget, register_comment_target

KEY = "codesign.change"


def closed_reason(change: ServiceChange) -> str | None:
    if change.status == ServiceChange.Status.OPEN:
        return None
    if change.status == ServiceChange.Status.ADOPTED:
        return _("This proposal was adopted: its comments are closed.")
    return _("This proposal is not open for comments.")


TARGET = CommentTarget(
    key=KEY,
    model=ServiceChange,
    can_see=access.can_see_publicly,
    url=actions.public_path,
    administration_id=lambda change: change.administration_id,
    is_open=lambda change: closed_reason(change) is None,
    title=lambda change: str(change.i18n.title),
    closed_reason=closed_reason,
    app="codesign",
)


def register() -> None:
    register_comment_target(TARGET)
