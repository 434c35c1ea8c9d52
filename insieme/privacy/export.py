"""A person's copy of their own data: the GDPR's right of access (art. 15) and to data
portability (art. 20).

Nothing here lists the apps: every app that holds a person's data registers its parts
(insieme.core.registry.PersonalData) from its AppConfig, and `sections(user)` asks each of
them, in their `order`. `collect(user)` gives the machine-readable copy (JSON-ready: dates and
times in ISO 8601); the readable page (insieme.privacy.views_export) renders the same sections.

A part that fails is reported as missing rather than failing the whole copy: the person gets
what could be gathered, told what is missing, and the request stays open for the data steward
(`record_export`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from insieme.core import audit
from insieme.core.registry import PersonalData, personal_data
from insieme.privacy.models import SubjectRequest

logger = logging.getLogger(__name__)

EXPORT_ACTION = "privacy.export"
FORMATS = ("json", "page")


@dataclass
class Section:
    """One registered part, gathered for one person. `records` is one record (a dict) or a
    list of them, with their values as the provider gave them (dates, lazy texts)."""

    key: str
    title: Any
    records: dict | list[dict]
    labels: dict[str, Any] = field(default_factory=dict)
    note: Any = ""
    failed: bool = False

    @property
    def single(self) -> bool:
        return isinstance(self.records, dict)


def registered() -> list[PersonalData]:
    return sorted(personal_data, key=lambda d: (d.order, d.key))


def _gather(data: PersonalData, user) -> Section:
    section = Section(data.key, data.title, [], dict(data.labels), data.note)
    try:
        section.records = data.collect(user)
    except Exception:  # noqa: BLE001 - one broken part must not deny the person the rest
        # The key only: the log must never carry the person's data.
        logger.exception("personal data %r could not be gathered", data.key)
        section.failed = True
    return section


def sections(user) -> list[Section]:
    """Every registered part of `user`'s data, in order."""
    return [_gather(data, user) for data in registered()]


def person(user) -> dict:
    """Whom the copy is about (the account section has the rest)."""
    return {"name": user.full_name, "email": user.email}


def jsonable(value: Any) -> Any:
    """`value` as JSON can hold it: dates and times in ISO 8601, lazy texts as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str | Promise):
        return str(value)  # a LocalText or a lazy translation becomes a plain string
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def section_json(section: Section) -> dict:
    records = [section.records] if section.single else list(section.records)
    out = {"key": section.key, "title": str(section.title), "records": jsonable(records)}
    if section.note:
        out["note"] = str(section.note)
    if section.failed:
        out["missing"] = True
    return out


def as_json(user, gathered: list[Section], generated_at: dt.datetime) -> dict:
    return {
        "generated_at": generated_at.isoformat(),
        "person": person(user),
        "complete": not any(s.failed for s in gathered),
        "sections": [section_json(s) for s in gathered],
    }


def collect(user) -> dict:
    """The whole copy of `user`'s data, JSON-ready:
    {"generated_at", "person", "complete", "sections": [{"key", "title", "records", ...}]}."""
    return as_json(user, sections(user), timezone.now())


def record_export(user, fmt: str, gathered: list[Section]) -> SubjectRequest:
    """Note that `user` downloaded their data (`fmt`: "json" or "page"): a subject request,
    done at once, and its audit entry, which says that an export happened and never what it
    held. When a part could not be gathered the request stays pending for the data steward,
    with the parts' keys (names of parts, not data)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    missing = [s.key for s in gathered if s.failed]
    now = timezone.now()
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            user=user,
            kind=SubjectRequest.Kind.EXPORT,
            state=SubjectRequest.State.PENDING if missing else SubjectRequest.State.DONE,
            created_at=now,
            completed_at=None if missing else now,
            note=_note(fmt, missing),
        )
        audit.record(
            actor=user,
            action=EXPORT_ACTION,
            obj=request,
            after={"kind": request.kind, "state": request.state, "format": fmt, "missing": missing},
        )
    return request


def _note(fmt: str, missing: list[str]) -> str:
    note = f"format: {fmt}"
    if missing:
        note += "; not gathered: " + ", ".join(missing)
    return note[: SubjectRequest._meta.get_field("note").max_length]
