"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
import uuid
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile

from insieme.core.models import AuditEntry, User

GENESIS = "0" * 64
_LOCK_KEY = 734_221_001  # pg advisory lock id for the chain's head
SECRET_FIELDS = {"password", "key_hash", "token_hash"}


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a stored file is recorded by its name
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model | None, fields: list[str] | None = None) -> dict | None:
    """The concrete field values of a model instance, JSON-ready, secrets left out."""
    if obj is None:
        return None
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS or (fields and f.name not in fields):
            continue
        data[f.attname] = _jsonable(getattr(obj, f.attname))
    return data


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    administration=None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the write it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the write's transaction")
    # Serialises appenders so two writers never chain onto the same head (PostgreSQL only: SQLite
    # serialises writers itself). Exercised by the PostgreSQL run of the suite, not by mutation
    # testing, which runs on SQLite.
    if connection.vendor == "postgresql":  # pragma: no mutate
        with connection.cursor() as cur:  # pragma: no mutate
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])  # pragma: no mutate
    head = AuditEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    seq, prev = (head["seq"] + 1, head["entry_hash"]) if head else (1, GENESIS)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if isinstance(actor, User) else None  # a person; else a key's label, or none
    entry = AuditEntry(
        seq=seq,
        actor=user,
        actor_label=(user.email if user else (str(actor) if actor else "system"))[:200],
        administration=administration,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=(str(obj) if obj is not None else "")[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=prev,
        hash_version=2,
        salt=secrets.token_hex(16),
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in `seq` order; report every entry changed, removed or moved, and every
    erased field changed since, or erased without a later "core.audit.erased" entry saying so."""
    problems: list[str] = []
    prev, expected_seq, checked = GENESIS, 1, 0
    qs = AuditEntry.objects.order_by("seq")
    last_seq = 0
    sealed: dict[int, dict] = {}  # seq: {field: "now" digest}, as the entries hold them
    recorded: dict[int, dict] = {}  # seq: {field: "now" digest}, as erasure entries recorded
    while True:
        chunk = list(qs.filter(seq__gt=last_seq)[:batch])
        if not chunk:
            break
        for e in chunk:
            checked += 1
            if e.seq != expected_seq:
                problems.append(
                    f"entry {expected_seq}..{e.seq - 1} missing (gap before seq {e.seq})"
                )
            if e.prev_hash != prev:
                problems.append(
                    f"seq {e.seq}: does not follow the entry before it (removed or reordered)"
                )
            if e.compute_hash() != e.entry_hash:
                problems.append(f"seq {e.seq}: content does not match its hash (changed)")
            if e.sealed:
                problems.extend(_check_sealed(e))
                sealed[e.seq] = {n: f["now"] for n, f in e.sealed.get("fields", {}).items()}
            if e.action == ERASED and isinstance(e.after, dict):
                for seq, fields in (e.after.get("sealed") or {}).items():
                    recorded[int(seq)] = fields
            prev, expected_seq, last_seq = e.entry_hash, e.seq + 1, e.seq
    for seq, fields in sorted(sealed.items()):
        if recorded.get(seq) != fields:
            problems.append(f"seq {seq}: erased without a matching {ERASED} entry")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


def _check_sealed(entry: AuditEntry) -> list[str]:
    salt = entry.sealed.get("salt", "")
    return [
        f"seq {entry.seq}: {name} changed after it was erased"
        for name, digests in entry.sealed.get("fields", {}).items()
        if AuditEntry.digest(salt, getattr(entry, name)) != digests.get("now")
    ]


# --- erasing personal data from the log ---------------------------------------------------------

ERASED = "core.audit.erased"
RECHAINED = "core.audit.rechained"


def erase(actor, entries, scrub, *, reason: str) -> AuditEntry | None:
    """Replace the personal fields of `entries` (a queryset) by `scrub(entry, name, value)`'s
    result, keeping the chain verifiable: each changed field's original digest stays in
    `sealed`, and one new entry records that the erasure happened (which entries, which fields,
    the digests of what they hold now), never the data. Call inside the erasure's transaction.
    Returns the new entry, or None when nothing changed. Version 1 entries cannot be erased:
    run `insieme audit rechain` first (it moves the chain to version 2)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.erase must be called inside the erasure's transaction")
    recorded = {}
    for entry in entries.order_by("seq"):
        if entry.hash_version < 2:
            raise ValueError(f"audit entry {entry.seq} is version 1: run `insieme audit rechain`")
        changes = {}
        for name in AuditEntry.PERSONAL:
            value = getattr(entry, name)
            new = scrub(entry, name, value)
            if new != value:
                changes[name] = new
        if not changes:
            continue
        old_fields = (entry.sealed or {}).get("fields", {})
        salt = secrets.token_hex(16)
        fields = {}
        for name in AuditEntry.PERSONAL:
            if name in changes or name in old_fields:
                was = old_fields.get(name, {}).get("was") or entry.field_digest(name)
                now_value = changes.get(name, getattr(entry, name))
                fields[name] = {"was": was, "now": AuditEntry.digest(salt, now_value)}
        sealed = {"salt": salt, "fields": fields}
        AuditEntry.objects.filter(pk=entry.pk).update(sealed=sealed, **changes)
        recorded[str(entry.seq)] = {n: f["now"] for n, f in fields.items()}
    if not recorded:
        return None
    return record(
        actor=actor,
        action=ERASED,
        object_type="core.auditentry",
        after={"reason": reason, "sealed": recorded},
    )


def rechain(actor=None) -> AuditEntry | None:
    """Move every version 1 entry to version 2 (salted digests of the personal fields), building
    the chain again from the first entry, then record the old chain's head and whether it
    verified before. Returns the recording entry, or None when there was nothing to move."""
    if not AuditEntry.objects.filter(hash_version__lt=2).exists():
        return None
    with transaction.atomic():
        before = verify()
        old_head = AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True)[0]
        prev, last_seq = GENESIS, 0
        while True:
            chunk = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:5000])
            if not chunk:
                break
            for e in chunk:
                if e.hash_version < 2:
                    e.hash_version, e.salt = 2, secrets.token_hex(16)
                e.prev_hash = prev
                e.entry_hash = e.compute_hash()
                AuditEntry.objects.filter(pk=e.pk).update(
                    hash_version=e.hash_version,
                    salt=e.salt,
                    prev_hash=e.prev_hash,
                    entry_hash=e.entry_hash,
                )
                prev, last_seq = e.entry_hash, e.seq
        return record(
            actor=actor,
            action=RECHAINED,
            object_type="core.auditentry",
            after={
                "old_head": old_head,
                "entries": before.checked,
                "old_chain_verified": before.ok,
                "old_chain_problems": len(before.problems),
            },
        )


def changes(before: dict, after: dict, unordered: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The fields whose values differ between two snapshots, as (before, after) holding only
    those fields. Lists named in `unordered` are sets: an order-only difference is none."""

    def same(name: str) -> bool:
        old, new = before.get(name), after.get(name)
        if name in unordered and isinstance(old, list) and isinstance(new, list):
            return sorted(map(str, old)) == sorted(map(str, new))
        return old == new

    names = [n for n in dict.fromkeys([*before, *after]) if not same(n)]
    return (
        {n: before[n] for n in names if n in before},
        {n: after[n] for n in names if n in after},
    )


def save_and_record(
    actor, obj: models.Model, action: str, administration, before=None
) -> AuditEntry | None:
    """Save `obj` and append its audit entry in one transaction. A creation (no `before`)
    records the whole object; an update records only the fields that changed, and when none
    did it writes nothing at all (no save, no entry) and answers None."""
    if before is not None:
        old, new = changes(before, _jsonable(snapshot(obj)))
        if not old and not new:
            return None
    with transaction.atomic():
        obj.save()
        if before is None:
            old, new = None, snapshot(obj)
        return record(
            actor=actor,
            action=action,
            obj=obj,
            before=old,
            after=new,
            administration=administration,
        )
