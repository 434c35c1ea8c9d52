"""Comment threads on anything an app registers: processes and ideas (participation's own),
public cases (registered by participation from the cases' own access rules), results, service
change proposals (registered by their apps, which participation never imports).

An app declares a target once, from its AppConfig.ready():

    from insieme.participation.threads import CommentTarget, register_comment_target

    register_comment_target(CommentTarget(
        key="results.result",                 # stored on each comment: never rename it
        model=Result,
        can_see=lambda user, obj: ...,        # who reads the thread (and may post, signed in)
        url=lambda obj: obj.public_path(),    # the page that shows the thread
        administration_id=lambda obj: obj.administration_id,  # whose moderators moderate it
        is_open=lambda obj: ...,              # does it take new comments now?
    ))

and shows the thread on its page with `{% load comments %}{% comment_thread obj %}`: the
comments (held ones never, hidden ones as "hidden by the moderators: why"), the pages of
threads, and the form for the person signed in. Posting, replying, reporting, moderation, the
moderation log, the audit entries, the rate limit and the spam filter are participation's, the
same code for every target (insieme.participation.actions.add_comment and its siblings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404

from insieme.core.registry import Registry
from insieme.participation.models import Comment, Idea, Process

PROCESS = "participation.process"
IDEA = "participation.idea"


@dataclass(frozen=True)
class CommentTarget:
    """What participation needs to know of a kind of object that takes comments."""

    key: str
    model: type[models.Model]
    can_see: Callable[[Any, Any], bool]
    url: Callable[[Any], str]
    administration_id: Callable[[Any], int]
    is_open: Callable[[Any], bool]
    # Optional: the object's name in the moderation screens (str(obj) otherwise).
    title: Callable[[Any], str] | None = None
    # Optional: why it takes no comment now (a sentence), for a more precise message.
    closed_reason: Callable[[Any], str | None] | None = None
    app: str = ""


comment_targets = Registry("comment targets")


def register_comment_target(target: CommentTarget) -> CommentTarget:
    if len(target.key) > Comment._meta.get_field("target_type").max_length:
        raise ValueError(f"comment target key {target.key!r} is too long")
    return comment_targets.register(target.key, target)


def target_for(obj) -> CommentTarget:
    """The registered target of an object's model (LookupError when none is)."""
    model = obj._meta.concrete_model
    for target in comment_targets:
        if target.model._meta.concrete_model is model:
            return target
    raise LookupError(f"{model.__name__} takes no comments: register a CommentTarget for it")


def where(obj) -> dict:
    """The filter of the comments on `obj`."""
    if isinstance(obj, Process):
        return {"process": obj}
    if isinstance(obj, Idea):
        return {"idea": obj}
    return {"target_type": target_for(obj).key, "target_id": obj.pk}


def columns(obj) -> dict:
    """The columns of a new comment on `obj` (`where` with every target column set)."""
    return {"process": None, "idea": None, "target_type": "", "target_id": None, **where(obj)}


def same_target(comment: Comment, obj) -> bool:
    here = where(obj)
    if "process" in here:
        return comment.process_id == obj.pk
    if "idea" in here:
        return comment.idea_id == obj.pk
    return comment.target_type == here["target_type"] and comment.target_id == obj.pk


def title_of(obj) -> str:
    target = target_for(obj)
    return str(target.title(obj) if target.title else obj)


def url_of(obj) -> str:
    return target_for(obj).url(obj)


def administration_id_of(obj) -> int:
    return target_for(obj).administration_id(obj)


def subject(comment: Comment):
    """What a comment is on (process, idea or registered object); Http404 when that object no
    longer exists or its kind is no longer registered (its app was removed)."""
    if comment.process_id:
        return comment.process
    if comment.idea_id:
        return comment.idea
    found = subjects([comment]).get(comment.pk)
    if found is None:
        raise Http404
    return found


def subjects(comments: Iterable[Comment]) -> dict[int, Any]:
    """{comment id: what it is on} for many comments, one query per kind of registered target
    (processes and ideas should come select_related). Missing objects are left out."""
    comments = list(comments)
    wanted: dict[str, set[int]] = {}
    for c in comments:
        if c.target_type:
            wanted.setdefault(c.target_type, set()).add(c.target_id)
    loaded: dict[tuple[str, int], Any] = {}
    for key, ids in wanted.items():
        if key not in comment_targets:
            continue
        target = comment_targets.get(key)
        for pk, obj in target.model._default_manager.in_bulk(sorted(ids)).items():
            loaded[(key, pk)] = obj
    out = {}
    for c in comments:
        if c.process_id:
            out[c.pk] = c.process
        elif c.idea_id:
            out[c.pk] = c.idea
        elif (c.target_type, c.target_id) in loaded:
            out[c.pk] = loaded[(c.target_type, c.target_id)]
    return out


def get_target_for_user(user, key: str, pk) -> Any:
    """A registered object as `user` may read its thread: 404 for an unknown kind, a missing
    object or one the person may not see (existence never leaks)."""
    if key not in comment_targets or key in (PROCESS, IDEA):
        raise Http404  # processes and ideas have their own pages and addresses
    target = comment_targets.get(key)
    try:
        obj = target.model._default_manager.get(pk=int(pk))
    except (target.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    if not target.can_see(user, obj):
        raise Http404
    return obj


def register_builtin_targets() -> None:
    """Processes and ideas, participation's own targets (from ParticipationConfig.ready)."""
    from insieme.participation import access, actions

    register_comment_target(
        CommentTarget(
            key=PROCESS,
            model=Process,
            can_see=access.can_see_process,
            url=actions.process_path,
            administration_id=lambda p: p.administration_id,
            is_open=lambda p: actions.comments_closed(p) is None,
            title=lambda p: str(p.i18n.title),
            closed_reason=actions.comments_closed,
            app="participation",
        )
    )
    register_comment_target(
        CommentTarget(
            key=IDEA,
            model=Idea,
            can_see=access.can_see_idea,
            url=actions.idea_path,
            administration_id=lambda i: i.process.administration_id,
            is_open=lambda i: actions.comments_closed(i.process) is None,
            title=lambda i: i.title,
            closed_reason=lambda i: actions.comments_closed(i.process),
            app="participation",
        )
    )
