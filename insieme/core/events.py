"""Domain events: what happened to a tenant's data, told to whoever listens.

A write action calls `publish_on_commit(...)` inside its transaction. Two kinds of listener:

- `listen(fn)`: called once the transaction commits, never for a write that rolled back;
- `listen(fn, in_transaction=True)`: called at once, inside the write's transaction and a
  savepoint of its own, for listeners that *record* something to do later (an outbox: the
  webhooks' delivery rows). What they write commits with the write or not at all, so a crash
  between the commit and an after-commit callback loses nothing.

A listener that fails is logged and never undoes the write or reaches the person who caused it
(an in-transaction listener's own writes are rolled back to its savepoint). Apps register
listeners from their AppConfig, so the writers never import the readers (webhooks, say) back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# Event types that integrators can subscribe to; apps add theirs with `register_event_type`.
EVENT_TYPES: dict[str, str] = {}
# Event types between the apps only (`register_internal_event_type`): published whatever the
# audience of what they tell, so never offered to integrators (webhooks deliver EVENT_TYPES only).
INTERNAL_EVENT_TYPES: set[str] = set()


@dataclass(frozen=True)
class Event:
    type: str
    administration_id: int
    data: dict[str, Any]
    occurred_at: Any = field(default_factory=timezone.now)


_listeners: list[Callable[[Event], None]] = []
_recorders: list[Callable[[Event], None]] = []  # in-transaction listeners


def register_event_type(name: str, description: str) -> None:
    if name in EVENT_TYPES and EVENT_TYPES[name] != description:
        raise ValueError(f"event type {name!r} is registered twice")
    EVENT_TYPES[name] = description


def register_internal_event_type(name: str) -> None:
    if name in EVENT_TYPES:
        raise ValueError(f"event type {name!r} is offered to integrators: it cannot be internal")
    INTERNAL_EVENT_TYPES.add(name)


def listen(
    listener: Callable[[Event], None], *, in_transaction: bool = False
) -> Callable[[Event], None]:
    registry = _recorders if in_transaction else _listeners
    if listener not in registry:
        registry.append(listener)
    return listener


def _deliver(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a listener's failure must never surface in the request that wrote
            log.exception("event listener %r failed for %s", listener, event.type)


def _record(event: Event) -> None:
    for recorder in list(_recorders):
        try:
            with transaction.atomic():  # a savepoint: a failure undoes this recorder's rows only
                recorder(event)
        except Exception:
            log.exception("event recorder %r failed for %s", recorder, event.type)


def publish_on_commit(type: str, administration_id: int, data: dict[str, Any]) -> None:
    """Record `type` with the in-transaction listeners now, and tell the others once the
    surrounding transaction commits (now if there is none)."""
    if type not in EVENT_TYPES and type not in INTERNAL_EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(type=type, administration_id=administration_id, data=data)
    if _recorders:
        _record(event)
    transaction.on_commit(lambda: _deliver(event))
