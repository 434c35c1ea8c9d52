"""Domain events: what happened to a tenant's data, told to whoever listens, after commit.

A write action calls `publish_on_commit(...)` inside its transaction; once the transaction commits,
every registered listener gets the event (a listener that fails is logged and never undoes the
write or reaches the person who caused it). Apps register listeners from their AppConfig, so the
writers never import the readers (webhooks, say) back.
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


@dataclass(frozen=True)
class Event:
    type: str
    administration_id: int
    data: dict[str, Any]
    occurred_at: Any = field(default_factory=timezone.now)


_listeners: list[Callable[[Event], None]] = []


def register_event_type(name: str, description: str) -> None:
    if name in EVENT_TYPES and EVENT_TYPES[name] != description:
        raise ValueError(f"event type {name!r} is registered twice")
    EVENT_TYPES[name] = description


def listen(listener: Callable[[Event], None]) -> Callable[[Event], None]:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _deliver(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a listener's failure must never surface in the request that wrote
            log.exception("event listener %r failed for %s", listener, event.type)


def publish_on_commit(type: str, administration_id: int, data: dict[str, Any]) -> None:
    """Tell the listeners about `type` once the surrounding transaction commits (now if none)."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(type=type, administration_id=administration_id, data=data)
    transaction.on_commit(lambda: _deliver(event))
