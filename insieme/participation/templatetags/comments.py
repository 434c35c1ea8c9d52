"""`{% load comments %}{% comment_thread obj %}`: the comment thread of any registered target
(insieme.participation.threads) with the form for the person signed in, for another app's page.

`page_param` names the query parameter of the thread's pages ("comments" unless given), so that
it never collides with the host page's own pagination.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from insieme.core.models import Administration
from insieme.participation import actions, display, threads
from insieme.participation.forms import CommentForm

register = template.Library()


def thread_context(request, obj, *, page_param: str = "comments", form=None) -> dict:
    """What participation/_comments.html needs to show the thread on `obj` to `request.user`
    (who is assumed to see `obj`: the host page checked it)."""
    user = request.user
    target = threads.target_for(obj)
    admin = getattr(obj, "administration", None)
    if not isinstance(admin, Administration):
        admin = Administration.objects.get(pk=target.administration_id(obj))
    page, views = display.threads(obj, user, request.GET.get(page_param), admin)
    closed = actions.thread_closed(obj)
    if form is None and user.is_authenticated and not closed:
        form = CommentForm(may_answer=actions.may_answer_officially(user, obj))
    return {
        "threads": views,
        "page": page,
        "page_param": page_param,
        "form": form,
        "closed": closed,
        "admin": admin,
        "action": reverse("participation_thread_comment", args=[target.key, obj.pk]),
        "user": user,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def comment_thread(context, obj, page_param: str = "comments") -> str:
    request = context["request"]
    return mark_safe(  # a template rendered with autoescape
        render_to_string(
            "participation/_comments.html",
            thread_context(request, obj, page_param=page_param),
            request=request,
        )
    )
