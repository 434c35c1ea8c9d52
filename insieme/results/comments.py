"""Comments on results: a published result takes comments (participation's threads) from
whoever may see it; a cancelled one keeps its thread, closed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from insieme.participation.threads import CommentTarget, register_comment_target
from insieme.results import access, actions
from insieme.results.models import Result, Status

KEY = "results.result"


def closed_reason(result: Result) -> str | None:
    if not result.is_published:
        return _("This result is not published: it takes no comments.")
    if result.status == Status.CANCELLED:
        return _("This result was cancelled: its comments are closed.")
    return None


TARGET = CommentTarget(
    key=KEY,
    model=Result,
    can_see=access.can_see_result,
    url=actions.result_path,
    administration_id=lambda result: result.administration_id,
    is_open=lambda result: closed_reason(result) is None,
    title=lambda result: str(result.i18n.title),
    closed_reason=closed_reason,
    app="results",
)


def register() -> None:
    register_comment_target(TARGET)
