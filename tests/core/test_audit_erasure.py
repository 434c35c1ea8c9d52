"""Erasing personal data from the audit log without breaking its chain (issue 15: "the audit
chain still verifying after anonymisation"), and moving entries written before that was
possible (hash version 1) to version 2."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from insieme.core import audit
from insieme.core.models import AuditEntry

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table
EMAIL = "mario.rossi@example.org"


def write(n: int = 3) -> list[AuditEntry]:
    with transaction.atomic():
        return [
            audit.record(
                actor=f"{EMAIL} via key",
                action="test.change",
                object_type="test.thing",
                object_id=str(i),
                before={"contact_email": EMAIL, "status": "submitted"},
                after={"contact_email": EMAIL, "status": "resolved", "n": i},
            )
            for i in range(n)
        ]


def scrub(entry, name, value):
    """What an erasure leaves: the personal values replaced, the rest kept."""
    if name in ("before", "after") and isinstance(value, dict):
        return {k: ("[erased]" if k == "contact_email" else v) for k, v in value.items()}
    if name == "actor_label":
        return "[erased]" if EMAIL in value else value
    return value


def raw_rows() -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {TABLE}")  # noqa: S608
        return json.dumps([list(map(str, row)) for row in cur.fetchall()])


def erase_all(reason="erasure of an account"):
    with transaction.atomic():
        return audit.erase(None, AuditEntry.objects.all(), scrub, reason=reason)


def test_new_entries_are_version_2_with_their_own_salt():
    first, second, _ = write()
    assert first.hash_version == second.hash_version == 2
    assert first.salt and first.salt != second.salt
    assert audit.verify().ok


def test_erasing_keeps_the_chain_and_removes_the_data():
    write()
    record = erase_all()
    assert EMAIL not in raw_rows()
    result = audit.verify()
    assert result.ok, result.problems
    # The erasure is itself recorded: which entries, never what they held.
    assert record.action == audit.ERASED
    assert set(record.after["sealed"]) == {"1", "2", "3"}
    kept = AuditEntry.objects.get(seq=1)
    assert kept.after["status"] == "resolved" and kept.after["contact_email"] == "[erased]"


def test_erasing_twice_still_verifies():
    write()
    erase_all()
    with transaction.atomic():
        audit.erase(
            None,
            AuditEntry.objects.filter(seq=1),
            lambda e, n, v: {**v, "status": "?"} if n == "after" else v,
            reason="again",
        )
    assert audit.verify().ok


def test_nothing_to_erase_records_nothing():
    write(1)
    with transaction.atomic():
        assert audit.erase(None, AuditEntry.objects.all(), lambda e, n, v: v, reason="x") is None
    assert AuditEntry.objects.count() == 1


def test_an_erased_field_changed_afterwards_is_caught():
    write()
    erase_all()
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {TABLE} SET after = %s WHERE seq = 2",  # noqa: S608
            [json.dumps({"contact_email": "[erased]", "status": "refused", "n": 1})],
        )
    problems = audit.verify().problems
    assert problems == ["seq 2: after changed after it was erased"]


def test_an_erasure_nobody_recorded_is_caught():
    """Someone edits an entry and forges `sealed` to match: without the erasure entry (whose
    own hash is chained) the change shows."""
    write()
    entry = AuditEntry.objects.get(seq=2)
    forged_after = {"contact_email": EMAIL, "status": "refused", "n": 1}
    salt = "00" * 16
    sealed = {
        "salt": salt,
        "fields": {
            "after": {"was": entry.field_digest("after"), "now": entry.digest(salt, forged_after)}
        },
    }
    AuditEntry.objects.filter(pk=entry.pk).update(after=forged_after, sealed=sealed)
    assert audit.verify().problems == ["seq 2: erased without a matching core.audit.erased entry"]


def test_an_unsealed_change_still_breaks_the_hash():
    write()
    AuditEntry.objects.filter(seq=1).update(object_repr="someone else")
    assert audit.verify().problems == ["seq 1: content does not match its hash (changed)"]


def version_1_entries(n: int) -> None:
    """Entries as they were written before version 2 (the fields hashed as they are)."""
    prev = audit.GENESIS
    for i in range(1, n + 1):
        entry = AuditEntry(
            seq=i,
            actor_label=EMAIL,
            action="old.change",
            object_type="test.thing",
            object_id=str(i),
            before={"contact_email": EMAIL},
            after={"contact_email": EMAIL, "status": "closed"},
            prev_hash=prev,
            hash_version=1,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        prev = entry.entry_hash


def test_version_1_entries_verify_and_cannot_be_erased_until_rechained():
    version_1_entries(3)
    assert audit.verify().ok
    with pytest.raises(ValueError, match="rechain"), transaction.atomic():
        audit.erase(None, AuditEntry.objects.all(), scrub, reason="x")
    old_head = AuditEntry.objects.get(seq=3).entry_hash
    out = StringIO()
    call_command("audit", "rechain", stdout=out)
    assert "3 audit entries moved to version 2 (the old chain verified" in out.getvalue()
    marker = AuditEntry.objects.get(action=audit.RECHAINED)
    assert marker.after["old_head"] == old_head and marker.seq == 4
    assert set(AuditEntry.objects.values_list("hash_version", flat=True)) == {2}
    assert audit.verify().ok
    erase_all()
    assert EMAIL not in raw_rows()
    assert audit.verify().ok
    out = StringIO()
    call_command("audit", "rechain", stdout=out)
    assert "nothing to do" in out.getvalue()
