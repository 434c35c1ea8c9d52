"""Every write of the improvement backlog: opening an item, editing and assigning it, moving it
between open and in progress, closing it as done (measuring the effect) or dropping it (with a
reason).

Each action checks the permission (`improvements:item:manage`; `actor` None is the system, e.g.
the demo), validates (a ValidationError with field errors, nothing written), writes in one
transaction and appends its audit entry there. The indicator is computed *before* the
transaction (a read that may take a moment); closing re-reads the item's row locked, so two
people closing at once close it once.

    open_item(actor, administration, *, title, source, owner, ...) -> Item
    update_item(actor, item, **changes) -> Item
    set_status(actor, item, status) -> Item          # open <-> in progress
    close_as_done(actor, item) -> Item                # computes value_after
    drop_item(actor, item, *, reason) -> Item
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.models import Administration, Membership, User, today_in
from insieme.core.permissions import Perm
from insieme.improvements import measure
from insieme.improvements.models import (
    MAX_DESCRIPTION,
    MAX_DETAIL,
    MAX_KEY,
    MAX_REASON,
    MAX_TITLE,
    TRANSITIONS,
    Item,
    Source,
    Status,
)

EDITABLE = (
    "title",
    "description",
    "source",
    "indicator_key",
    "source_detail",
    "owner",
    "process",
    "service_change",
)
# What a closed item keeps as it was: the insight its effect was measured against.
FROZEN_WHEN_CLOSED = ("source", "indicator_key")


# --- checks -------------------------------------------------------------------------------------


def _require(actor, administration_id: int) -> None:
    require_perm(actor, Perm.IMPROVEMENT_MANAGE, administration_id)


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _check_texts(title: str, description: str, detail: str) -> None:
    errors = {}
    if not title:
        errors["title"] = _("Give the item a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(n)d characters).") % {"n": MAX_TITLE}
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long (at most %(n)d characters).") % {
            "n": MAX_DESCRIPTION
        }
    if len(detail) > MAX_DETAIL:
        errors["source_detail"] = _("Say it in at most %(n)d characters.") % {"n": MAX_DETAIL}
    if errors:
        raise ValidationError(errors)


def _check_source(source: str, indicator_key: str) -> None:
    if source not in Source.values:
        raise ValidationError({"source": _("Choose where the item comes from.")})
    if not indicator_key:
        if source == Source.INDICATOR:
            raise ValidationError(
                {"indicator_key": _("Choose the Scorecard indicator the item comes from.")}
            )
        return
    if len(indicator_key) > MAX_KEY or measure.indicator(indicator_key) is None:
        raise ValidationError(
            {
                "indicator_key": _("No Scorecard indicator has the key “%(key)s”.")
                % {"key": indicator_key[:MAX_KEY]}
            }
        )


def is_active_staff(administration: Administration, user) -> bool:
    """An active person with an active role in the administration itself."""
    return (
        isinstance(user, User)
        and user.is_active
        and Membership.objects.filter(
            user=user, administration=administration, is_active=True
        ).exists()
    )


def _check_owner(administration: Administration, owner) -> None:
    if owner is None:
        raise ValidationError({"owner": _("Choose who owns the item.")})
    if not is_active_staff(administration, owner):
        raise ValidationError(
            {"owner": _("The owner must be an active member of this administration's staff.")}
        )


def _check_links(administration: Administration, process, service_change) -> None:
    if process is not None and process.administration_id != administration.pk:
        raise ValidationError({"process": _("Choose a process of this administration.")})
    if service_change is not None and service_change.administration_id != administration.pk:
        raise ValidationError(
            {"service_change": _("Choose a service change proposal of this administration.")}
        )


# --- writes -------------------------------------------------------------------------------------


def open_item(
    actor,
    administration: Administration,
    *,
    title: str,
    source: str,
    owner,
    description: str = "",
    indicator_key: str = "",
    source_detail: str = "",
    process=None,
    service_change=None,
    now: dt.datetime | None = None,
) -> Item:
    """A new open item. When it names an indicator, the indicator's value for the
    administration is computed now and kept as `value_before`."""
    _require(actor, administration.pk)
    title, description = _text(title), _text(description)
    source_detail, indicator_key = _text(source_detail), _text(indicator_key)
    _check_texts(title, description, source_detail)
    _check_source(source, indicator_key)
    _check_owner(administration, owner)
    _check_links(administration, process, service_change)
    now = now or timezone.now()
    before = (
        measure.measure(indicator_key, administration, today_in(administration, now))
        if indicator_key
        else None
    )
    item = Item(
        administration=administration,
        title=title,
        description=description,
        source=source,
        indicator_key=indicator_key,
        source_detail=source_detail,
        owner=owner,
        process=process,
        service_change=service_change,
        status=Status.OPEN,
        opened_at=now,
        updated_at=now,
        created_by=actor if isinstance(actor, User) else None,
        better=before.better if before else "",
        value_before=before.value if before else None,
        before_on=before.day if before else None,
    )
    with transaction.atomic():
        item.save()
        audit.record(
            actor=actor,
            action="improvements.item.opened",
            obj=item,
            after=audit.snapshot(item),
            administration=administration,
        )
    return item


def update_item(actor, item: Item, *, now: dt.datetime | None = None, **changes) -> Item:
    """Change the texts, the insight, the owner or the links. Naming another indicator on an
    item still open measures it again (a new `value_before`); a closed item keeps its insight.
    An update that changes nothing writes nothing."""
    _require(actor, item.administration_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_item cannot change {sorted(unknown)}")
    administration = item.administration
    for name in ("title", "description", "source_detail", "indicator_key"):
        if name in changes:
            changes[name] = _text(changes[name])
    if item.is_closed:
        frozen = [n for n in FROZEN_WHEN_CLOSED if n in changes and changes[n] != getattr(item, n)]
        if frozen:
            raise ValidationError(
                {
                    frozen[0]: _(
                        "The item is closed: the insight its effect was measured against "
                        "stays as it was."
                    )
                }
            )
    _check_texts(
        changes.get("title", item.title),
        changes.get("description", item.description),
        changes.get("source_detail", item.source_detail),
    )
    source = changes.get("source", item.source)
    key = changes.get("indicator_key", item.indicator_key)
    _check_source(source, key)
    if "owner" in changes and changes["owner"] != item.owner:
        _check_owner(administration, changes["owner"])
    _check_links(
        administration,
        changes.get("process", item.process),
        changes.get("service_change", item.service_change),
    )
    before = audit.snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    now = now or timezone.now()
    if key != before["indicator_key"] and not item.is_closed:
        measured = measure.measure(key, administration, today_in(administration, now))
        item.better = measured.better
        item.value_before = measured.value if key else None
        item.before_on = measured.day if key else None
    old, new = audit.changes(before, audit.snapshot(item))
    new.pop("updated_at", None)
    old.pop("updated_at", None)
    if not old and not new:
        return item
    with transaction.atomic():
        item.updated_at = now
        item.save()
        audit.record(
            actor=actor,
            action="improvements.item.updated",
            obj=item,
            before=old,
            after=new,
            administration=administration,
        )
    return item


def _locked(item: Item) -> Item:
    """The item's row, locked, as it is now (call inside the write's transaction)."""
    return Item.objects.select_for_update().get(pk=item.pk)


def _check_move(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        labels = dict(Status.choices)
        raise ValidationError(
            {
                "status": _("The item cannot move from “%(current)s” to “%(wanted)s”.")
                % {"current": labels.get(current, current), "wanted": labels.get(wanted, wanted)}
            }
        )


def set_status(actor, item: Item, status: str, *, now: dt.datetime | None = None) -> Item:
    """Open <-> in progress. Closing has its own actions (close_as_done, drop_item)."""
    _require(actor, item.administration_id)
    if status not in (Status.OPEN, Status.IN_PROGRESS):
        raise ValidationError({"status": _("Choose open or in progress.")})
    if status == item.status:
        return item
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(item)
        _check_move(current.status, status)
        before = current.status
        item.status, item.updated_at = status, now
        item.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="improvements.item.status_changed",
            obj=item,
            before={"status": before},
            after={"status": status},
            administration=item.administration,
        )
    return item


def close_as_done(actor, item: Item, *, now: dt.datetime | None = None) -> Item:
    """Closed as done: the indicator it names is computed again and kept as `value_after`."""
    _require(actor, item.administration_id)
    _check_move(item.status, Status.DONE)
    now = now or timezone.now()
    administration = item.administration
    after = (
        measure.measure(item.indicator_key, administration, today_in(administration, now))
        if item.indicator_key
        else None
    )
    with transaction.atomic():
        current = _locked(item)
        _check_move(current.status, Status.DONE)
        before = {"status": current.status}
        item.status, item.closed_at, item.updated_at = Status.DONE, now, now
        item.value_after = after.value if after else None
        item.after_on = after.day if after else None
        item.save(update_fields=["status", "closed_at", "value_after", "after_on", "updated_at"])
        audit.record(
            actor=actor,
            action="improvements.item.done",
            obj=item,
            before=before,
            after=audit._jsonable(
                {
                    "status": item.status,
                    "closed_at": item.closed_at,
                    "value_before": item.value_before,
                    "value_after": item.value_after,
                    "after_on": item.after_on,
                }
            ),
            administration=administration,
        )
    return item


def drop_item(actor, item: Item, *, reason: str, now: dt.datetime | None = None) -> Item:
    """Closed without doing it: the reason is required and kept."""
    _require(actor, item.administration_id)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the item is dropped.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON}}
        )
    _check_move(item.status, Status.DROPPED)
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(item)
        _check_move(current.status, Status.DROPPED)
        before = {"status": current.status}
        item.status, item.closed_at, item.updated_at = Status.DROPPED, now, now
        item.drop_reason = reason
        item.save(update_fields=["status", "closed_at", "drop_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="improvements.item.dropped",
            obj=item,
            before=before,
            after=audit._jsonable(
                {"status": item.status, "closed_at": item.closed_at, "drop_reason": reason}
            ),
            administration=item.administration,
        )
    return item
