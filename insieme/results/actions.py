"""Every write of results: creating and editing results (also one per accepted idea), their
progress and status, milestones, links to what they caused, and follows.

Each action validates (a ValidationError with field errors, nothing written), writes in one
transaction, appends its audit entry there (insieme.core.audit.record), and sends e-mail and
webhook events once the transaction commits. `actor` is the person acting, or None for the
system (the demo, the listener that turns accepted ideas into results, other apps' actions
acting on the administration's behalf).

**Roll-up.** A result with child results takes its progress from them: the weighted mean of
its children's progress (`weight`), cancelled children left out, rounded to a whole per cent.
Whenever a child's progress, weight, status or parent changes, every ancestor is recomputed in
the same transaction, bottom up, with its row locked (`select_for_update`), so a page reads a
stored column. A result cannot become its own ancestor, and a parent belongs to the same
administration. Progress set by hand is refused on a result that has children.

Interface other apps call (codesign, budgets):

    result_for_idea(actor, idea, *, now=None) -> Result
    create_result(actor, administration, *, title, ...) -> Result
    add_link(actor, result, *, kind, key, label, url="", staff_only=False) -> ResultLink
    set_progress(actor, result, *, progress, status=None, note="", now=None) -> ResultUpdate
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.catalog import i18n
from insieme.core import audit, events, notify
from insieme.core.access import require_perm
from insieme.core.models import Administration, User
from insieme.core.permissions import Perm
from insieme.results import access
from insieme.results.models import (
    ENDED,
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_TITLE,
    MAX_WEIGHT,
    MILESTONE_TEXTS,
    RESULT_TEXTS,
    LinkKind,
    Milestone,
    Result,
    ResultFollow,
    ResultLink,
    ResultUpdate,
    Status,
)

MAX_DEPTH = 20  # results nest a few levels; the walk up the chain stops here whatever happens
MAX_KEY = 120
MAX_LABEL = 200
MAX_URL = 500

RESULT_FIELDS = [
    "administration",
    "process",
    "idea",
    "parent",
    "title",
    "description",
    "language",
    "translations",
    "status",
    "progress",
    "weight",
    "starts_on",
    "due_on",
    "completed_on",
    "is_published",
]
EDITABLE = (
    "title",
    "description",
    "translations",
    "process",
    "parent",
    "weight",
    "starts_on",
    "due_on",
    "is_published",
    "language",
)


# --- helpers ------------------------------------------------------------------------------------


def _person(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated


def _require(actor, administration_id: int) -> None:
    require_perm(actor, Perm.RESULT_MANAGE, administration_id)


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _zone(administration: Administration):
    try:
        return zoneinfo.ZoneInfo(administration.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Rome")


def _day(administration: Administration, now: dt.datetime | None) -> dt.date:
    return timezone.localtime(now or timezone.now(), _zone(administration)).date()


def _snapshot(result: Result) -> dict:
    return audit._jsonable(audit.snapshot(result, fields=RESULT_FIELDS))


def result_path(result: Result) -> str:
    return reverse("results:detail", args=[result.administration.slug, result.pk])


def result_url(result: Result) -> str:
    return notify.absolute_url(result_path(result))


def _event_data(result: Result) -> dict:
    """Public facts only, never who."""
    return {
        "result": result.pk,
        "title": result.title,
        "status": result.status,
        "progress": result.progress,
        "due_on": result.due_on.isoformat() if result.due_on else None,
        "process": result.process.slug if result.process_id else None,
        "idea": result.idea_id,
        "parent": result.parent_id,
        "url": result_url(result),
    }


def _publish(event_type: str, result: Result, extra: dict | None = None) -> None:
    if access.is_public(result):
        events.publish_on_commit(
            event_type, result.administration_id, {**_event_data(result), **(extra or {})}
        )


def _check_texts(title: str, description: str) -> None:
    errors = {}
    if not title:
        errors["title"] = _("Give the result a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(n)d characters).") % {"n": MAX_TITLE}
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long (at most %(n)d characters).") % {
            "n": MAX_DESCRIPTION
        }
    if errors:
        raise ValidationError(errors)


def _check_weight(weight) -> int:
    try:
        weight = int(weight)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"weight": _("The weight is a whole number.")}) from exc
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            {"weight": _("The weight is between 1 and %(n)d.") % {"n": MAX_WEIGHT}}
        )
    return weight


def _check_dates(starts_on, due_on) -> None:
    if starts_on and due_on and due_on < starts_on:
        raise ValidationError({"due_on": _("The due day cannot come before the start.")})


def ancestors(result: Result) -> list[Result]:
    """The result's parent, its parent's parent, ... (nearest first)."""
    chain, node, seen = [], result.parent, {result.pk}
    while node is not None and len(chain) < MAX_DEPTH and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.parent
    return chain


def _check_parent(result: Result | None, administration: Administration, parent) -> None:
    """Same administration; never the result itself nor one of its descendants."""
    if parent is None:
        return
    if parent.administration_id != administration.pk:
        raise ValidationError(
            {"parent": _("A result can only be part of a result of the same administration.")}
        )
    if result is None or result.pk is None:
        return
    if parent.pk == result.pk:
        raise ValidationError({"parent": _("A result cannot be part of itself.")})
    node, steps = parent, 0
    while node.parent_id is not None and steps < MAX_DEPTH:
        if node.parent_id == result.pk:
            raise ValidationError({"parent": _("A result cannot be part of one of its own parts.")})
        node = Result.objects.only("pk", "parent_id").get(pk=node.parent_id)
        steps += 1
    if steps >= MAX_DEPTH:
        raise ValidationError({"parent": _("Results cannot be nested this deep.")})


def _check_process(administration: Administration, process) -> None:
    if process is not None and process.administration_id != administration.pk:
        raise ValidationError({"process": _("Choose a process of this administration.")})


def rolled_up(parent_id: int) -> int | None:
    """The weighted mean of the progress of `parent_id`'s children that are not cancelled, to
    the nearest whole per cent (halves up); None when it has none."""
    totals = (
        Result.objects.filter(parent_id=parent_id)
        .exclude(status=Status.CANCELLED)
        .aggregate(weighted=Sum(F("progress") * F("weight")), weights=Sum("weight"))
    )
    weights = totals["weights"] or 0
    if not weights:
        return None
    return (2 * int(totals["weighted"] or 0) + weights) // (2 * weights)


def _roll_up(parent_id: int | None, day: dt.date, now: dt.datetime) -> list[Result]:
    """Recompute the chain of parents from `parent_id` upwards; the ones whose progress or
    status changed, nearest first. Call inside the write's transaction."""
    changed, seen = [], set()
    while parent_id is not None and parent_id not in seen and len(seen) < MAX_DEPTH:
        seen.add(parent_id)
        # Locked alone: PostgreSQL refuses FOR UPDATE across the nullable joins.
        parent = Result.objects.select_for_update().get(pk=parent_id)
        progress = rolled_up(parent.pk)
        if progress is not None:
            status, completed_on = parent.status, parent.completed_on
            if status != Status.CANCELLED:
                if progress == 100:
                    status = Status.COMPLETED
                    completed_on = completed_on or day
                elif status == Status.COMPLETED or (status == Status.PLANNED and progress > 0):
                    status, completed_on = Status.IN_PROGRESS, None
            if (progress, status, completed_on) != (
                parent.progress,
                parent.status,
                parent.completed_on,
            ):
                before = {"progress": parent.progress, "status": parent.status}
                parent.progress, parent.status, parent.completed_on = progress, status, completed_on
                parent.updated_at = now
                parent.save(update_fields=["progress", "status", "completed_on", "updated_at"])
                audit.record(
                    actor=None,
                    action="results.result.rolled_up",
                    obj=parent,
                    before=before,
                    after={"progress": progress, "status": status},
                    administration=parent.administration,
                )
                changed.append(parent)
        parent_id = parent.parent_id
    return changed


def _reachable(result: Result, exclude=None) -> list[User]:
    """Followers to e-mail: active, wanting e-mail, still allowed to see the result."""
    out = []
    for follow in result.follows.select_related("user"):
        user = follow.user
        if exclude is not None and user.pk == exclude.pk:
            continue
        if not user.is_active or user.contact_channel == User.ContactChannel.NONE:
            continue
        if not access.can_see_result(user, result):
            continue
        out.append(user)
    return out


def _tell_followers(result: Result, update: ResultUpdate | None, actor) -> None:
    for user in _reachable(result, exclude=actor if _person(actor) else None):
        notify.send_templated_email(
            user,
            "results_progress_updated",
            {"result": result, "update": update, "url": result_url(result)},
        )


# --- results ------------------------------------------------------------------------------------


def create_result(
    actor,
    administration: Administration,
    *,
    title: str,
    description: str = "",
    translations: dict | None = None,
    process=None,
    idea=None,
    parent: Result | None = None,
    weight: int = 1,
    starts_on: dt.date | None = None,
    due_on: dt.date | None = None,
    status: str = Status.PLANNED,
    is_published: bool = True,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> Result:
    """A new result; under `parent`, the parent's progress is rolled up again."""
    _require(actor, administration.pk)
    title, description = _text(title), _text(description)
    _check_texts(title, description)
    translations = i18n.checked_translations(translations, RESULT_TEXTS)
    weight = _check_weight(weight)
    _check_dates(starts_on, due_on)
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    _check_process(administration, process)
    if idea is not None:
        if idea.process.administration_id != administration.pk:
            raise ValidationError({"idea": _("Choose an idea of this administration.")})
        if Result.objects.filter(idea=idea).exists():
            raise ValidationError({"idea": _("This idea has a result already.")})
        process = process or idea.process
    _check_parent(None, administration, parent)
    if language is not None and language not in i18n.languages():
        raise ValidationError({"language": _("Choose a language.")})
    now = now or timezone.now()
    day = _day(administration, now)
    progress = 100 if status == Status.COMPLETED else 0
    with transaction.atomic():
        result = Result.objects.create(
            administration=administration,
            process=process,
            idea=idea,
            parent=parent,
            title=title,
            description=description,
            language=language or administration.locale or "it",
            translations=translations,
            status=status,
            progress=progress,
            weight=weight,
            starts_on=starts_on,
            due_on=due_on,
            completed_on=day if status == Status.COMPLETED else None,
            is_published=bool(is_published),
            created_by=actor if _person(actor) else None,
            created_at=now,
            updated_at=now,
        )
        audit.record(
            actor=actor,
            action="results.result.created",
            obj=result,
            after=_snapshot(result),
            administration=administration,
        )
        changed = _roll_up(result.parent_id, day, now)
        _publish("results.result_published", result)
        for ancestor in changed:
            _publish("results.progress_updated", ancestor)
    return result


def result_for_idea(actor, idea, *, now: dt.datetime | None = None) -> Result:
    """The idea's result, made on first call (title, text and process from the idea); one per
    idea whatever the number of calls, also when two race."""
    existing = Result.objects.filter(idea=idea).first()
    if existing is not None:
        return existing
    process = idea.process
    administration = process.administration
    _require(actor, administration.pk)
    try:
        with transaction.atomic():
            return create_result(
                actor,
                administration,
                title=idea.title[:MAX_TITLE],
                description=(idea.body or "")[:MAX_DESCRIPTION],
                translations=getattr(idea, "translations", None) or None,
                process=process,
                idea=idea,
                language=idea.language if idea.language in i18n.languages() else None,
                now=now,
            )
    except IntegrityError:  # another request made it between our look and our insert
        return Result.objects.get(idea=idea)
    except ValidationError:
        existing = Result.objects.filter(idea=idea).first()
        if existing is None:
            raise
        return existing


def update_result(actor, result: Result, *, now: dt.datetime | None = None, **changes) -> Result:
    """Change the texts, process, parent, weight, dates or publication of a result (progress
    and status change through set_progress). An update that changes nothing writes nothing."""
    _require(actor, result.administration_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_result cannot change {sorted(unknown)}")
    administration = result.administration
    before = _snapshot(result)
    old_parent_id = result.parent_id
    was_public = access.is_public(result)
    if "title" in changes:
        changes["title"] = _text(changes["title"])
    if "description" in changes:
        changes["description"] = _text(changes["description"])
    _check_texts(changes.get("title", result.title), changes.get("description", result.description))
    if "translations" in changes:
        changes["translations"] = i18n.checked_translations(changes["translations"], RESULT_TEXTS)
    if "weight" in changes:
        changes["weight"] = _check_weight(changes["weight"])
    if "language" in changes and changes["language"] not in i18n.languages():
        raise ValidationError({"language": _("Choose a language.")})
    _check_dates(changes.get("starts_on", result.starts_on), changes.get("due_on", result.due_on))
    if "process" in changes:
        _check_process(administration, changes["process"])
    if "parent" in changes:
        _check_parent(result, administration, changes["parent"])
    for name, value in changes.items():
        setattr(result, name, value)
    after = _snapshot(result)
    old, new = audit.changes(before, after)
    if not old and not new:
        return result
    now = now or timezone.now()
    day = _day(administration, now)
    with transaction.atomic():
        result.updated_at = now
        result.save()
        audit.record(
            actor=actor,
            action="results.result.updated",
            obj=result,
            before=old,
            after=new,
            administration=administration,
        )
        changed = []
        if "weight" in new or "parent_id" in new:
            changed += _roll_up(result.parent_id, day, now)
            if old_parent_id != result.parent_id:
                changed += _roll_up(old_parent_id, day, now)
        if not was_public and access.is_public(result):
            _publish("results.result_published", result)
        for ancestor in changed:
            _publish("results.progress_updated", ancestor)
    return result


def set_progress(
    actor,
    result: Result,
    *,
    progress: int,
    status: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> ResultUpdate:
    """Record progress (0-100) and, optionally, a new status with a note: an entry of the
    result's timeline; the parents roll up, the followers are told by e-mail.

    Without `status`: 100 completes a planned, running or delayed result, and progress above 0
    starts a planned one. A completed result has progress 100. A result with child results
    takes its progress from them: pass their rolled-up value (result.progress) to change only
    its status or to add a note."""
    _require(actor, result.administration_id)
    note = _text(note)
    try:
        progress = int(progress)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"progress": _("Progress is a whole number from 0 to 100.")}) from exc
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a whole number from 0 to 100.")})
    if status is not None and status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("The note is too long (at most %(n)d characters).") % {"n": MAX_NOTE}}
        )
    has_children = result.children.exists()
    if has_children and progress != result.progress:
        raise ValidationError(
            {
                "progress": _(
                    "This result's progress is rolled up from its parts (%(p)d%%): record "
                    "progress on its parts instead."
                )
                % {"p": result.progress}
            }
        )
    if status is None:
        status = result.status
        if progress == 100 and status not in ENDED:
            status = Status.COMPLETED
        elif (status == Status.PLANNED and progress > 0) or (
            status == Status.COMPLETED and progress < 100
        ):
            status = Status.IN_PROGRESS
    if status == Status.COMPLETED and progress != 100:
        raise ValidationError({"progress": _("A completed result is at 100%.")})
    now = now or timezone.now()
    day = _day(result.administration, now)
    with transaction.atomic():
        locked = Result.objects.select_for_update().get(pk=result.pk)
        before = {"progress": locked.progress, "status": locked.status}
        completed_on = locked.completed_on
        if status == Status.COMPLETED:
            completed_on = completed_on if locked.status == Status.COMPLETED else day
        else:
            completed_on = None
        result.progress, result.status, result.completed_on = progress, status, completed_on
        result.updated_at = now
        result.save(update_fields=["progress", "status", "completed_on", "updated_at"])
        update = ResultUpdate.objects.create(
            result=result,
            progress=progress,
            status=status,
            note=note,
            author=actor if _person(actor) else None,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="results.progress.set",
            obj=result,
            before=before,
            after={"progress": progress, "status": status, "update": update.pk},
            administration=result.administration,
        )
        changed = _roll_up(result.parent_id, day, now)
        _tell_followers(result, update, actor)
        _publish("results.progress_updated", result, {"note": note})
        for ancestor in changed:
            _tell_followers(ancestor, None, actor)
            _publish("results.progress_updated", ancestor)
    return update


# --- milestones ---------------------------------------------------------------------------------


def add_milestone(
    actor,
    result: Result,
    *,
    title: str,
    translations: dict | None = None,
    due_on: dt.date | None = None,
    order: int | None = None,
) -> Milestone:
    _require(actor, result.administration_id)
    title = _text(title)
    if not title:
        raise ValidationError({"title": _("Give the milestone a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError(
            {"title": _("The title is too long (at most %(n)d characters).") % {"n": MAX_TITLE}}
        )
    translations = i18n.checked_translations(translations, MILESTONE_TEXTS)
    with transaction.atomic():
        if order is None:
            last = result.milestones.order_by("-order").values_list("order", flat=True).first()
            order = (last or 0) + 10
        milestone = Milestone.objects.create(
            result=result, title=title, translations=translations, due_on=due_on, order=order
        )
        audit.record(
            actor=actor,
            action="results.milestone.added",
            obj=milestone,
            after=audit.snapshot(milestone),
            administration=result.administration,
        )
    return milestone


def complete_milestone(
    actor, milestone: Milestone, *, done_on: dt.date | None = None, now: dt.datetime | None = None
) -> Milestone:
    """Mark a milestone done (on `done_on`, today by default); done twice is done once."""
    result = milestone.result
    _require(actor, result.administration_id)
    if milestone.done_on is not None:
        return milestone
    done_on = done_on or _day(result.administration, now)
    with transaction.atomic():
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        audit.record(
            actor=actor,
            action="results.milestone.completed",
            obj=milestone,
            before={"done_on": None},
            after={"done_on": done_on.isoformat()},
            administration=result.administration,
        )
    return milestone


# --- links --------------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_URL:
        raise ValidationError({"url": _("The address is too long.")})
    lowered = url.lower()
    if not (
        lowered.startswith(("https://", "http://"))
        or (url.startswith("/") and not url.startswith("//"))
    ):
        raise ValidationError(
            {
                "url": _(
                    "Give an address starting with https://, http:// or / (a page of this site)."
                )
            }
        )
    if any(c.isspace() for c in url):
        raise ValidationError({"url": _("An address has no spaces.")})
    return url


def add_link(
    actor,
    result: Result,
    *,
    kind: str,
    key: str,
    label: str,
    url: str = "",
    staff_only: bool = False,
) -> ResultLink:
    """Link what the result caused. The same `key` twice is one link (its label, address and
    visibility brought up to date)."""
    _require(actor, result.administration_id)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Choose a kind of link.")})
    key, label = _text(key), _text(label)
    if not key or len(key) > MAX_KEY:
        raise ValidationError(
            {"key": _("Give the link a key of at most %(n)d characters.") % {"n": MAX_KEY}}
        )
    if not label:
        raise ValidationError({"label": _("Give the link a label.")})
    if len(label) > MAX_LABEL:
        raise ValidationError(
            {"label": _("The label is too long (at most %(n)d characters).") % {"n": MAX_LABEL}}
        )
    url = _check_url(url)
    wanted = {"kind": kind, "label": label, "url": url, "staff_only": bool(staff_only)}
    with transaction.atomic():
        try:
            with transaction.atomic():
                link, created = ResultLink.objects.get_or_create(
                    result=result, key=key, defaults=wanted
                )
        except IntegrityError:
            link, created = ResultLink.objects.get(result=result, key=key), False
        if created:
            audit.record(
                actor=actor,
                action="results.link.added",
                obj=link,
                after=audit.snapshot(link),
                administration=result.administration,
            )
            return link
        before = {k: getattr(link, k) for k in wanted}
        old, new = audit.changes(before, wanted)
        if new:
            for name, value in new.items():
                setattr(link, name, value)
            link.save(update_fields=list(new))
            audit.record(
                actor=actor,
                action="results.link.updated",
                obj=link,
                before=old,
                after=new,
                administration=result.administration,
            )
    return link


# --- follows ------------------------------------------------------------------------------------


def follow(actor, result: Result) -> tuple[ResultFollow, bool]:
    """Follow a result (an e-mail for each progress update): (follow, created)."""
    if not _person(actor) or not access.can_see_result(actor, result):
        raise PermissionDenied
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, created = ResultFollow.objects.get_or_create(
                    user=actor, result=result, defaults={"created_at": timezone.now()}
                )
        except IntegrityError:  # a double click racing
            row, created = ResultFollow.objects.get(user=actor, result=result), False
        if created:
            audit.record(
                actor=actor,
                action="results.followed",
                obj=result,
                after={"follow": row.pk},
                administration=result.administration,
            )
    return row, created


def unfollow(actor, result: Result) -> bool:
    if not _person(actor):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _kinds = ResultFollow.objects.filter(user=actor, result=result).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="results.unfollowed",
                obj=result,
                before={"user": actor.pk},
                administration=result.administration,
            )
    return bool(deleted)


# --- accepted ideas -----------------------------------------------------------------------------


def on_idea_answered(event) -> None:
    """Listener (in the answer's transaction): an accepted idea becomes a result, in a process of
    any audience (the result is seen by whoever sees the process)."""
    if event.type != "participation.idea_decided" or event.data.get("answer") != "accepted":
        return
    from insieme.participation.models import Idea

    idea = (
        Idea.objects.select_related("process__administration")
        .filter(pk=event.data.get("idea"))
        .first()
    )
    if idea is not None:
        result_for_idea(None, idea)
