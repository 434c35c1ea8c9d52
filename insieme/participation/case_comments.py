"""Comments on public cases: participation registers the cases' public pages as a comment
target and shows the thread there through a page panel ("cases.public_case").

Only public cases take comments, and who sees one is decided by the cases' own rule
(insieme.cases.access.get_public_case), never by a copy of it here. The thread shows what
participants wrote (held comments never, hidden ones as the moderators' reason); the case's
personal data stays where the cases keep it.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from insieme.cases import access as case_access
from insieme.cases.models import Case
from insieme.core.registry import PagePanel, register_page_panel
from insieme.participation.threads import CommentTarget, register_comment_target

KEY = "cases.public_case"


def can_see(user, case: Case) -> bool:
    try:
        case_access.get_public_case(case.administration.slug, case.reference)
    except Http404:
        return False
    return True


def url(case: Case) -> str:
    return reverse("case_public", args=[case.administration.slug, case.reference])


def title(case: Case) -> str:
    return _("Case %(reference)s") % {"reference": case.reference}


def panel_context(request, case: Case) -> dict | None:
    # The page is the public page of a public case (cases checked it); nothing else shows one.
    return {} if case is not None and case.is_public else None


TARGET = CommentTarget(
    key=KEY,
    model=Case,
    can_see=can_see,
    url=url,
    administration_id=lambda case: case.administration_id,
    is_open=lambda case: case.is_public,
    title=title,
    app="participation",
)


def register() -> None:
    register_comment_target(TARGET)
    register_page_panel(
        PagePanel(
            key="participation.case_comments",
            page="cases.public_case",
            order=50,
            template="participation/panels/case_comments.html",
            context=panel_context,
            app="participation",
        )
    )
