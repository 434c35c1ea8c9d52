"""The hash-chained audit log: writes append to it, the staff screen shows it, and
`insieme audit verify` detects an entry changed, removed or moved with raw SQL."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.urls import reverse

from insieme import cli
from insieme.core import actions, audit
from insieme.core.models import AuditEntry
from insieme.core.views_staff import AUDIT_PAGE_SIZE

TABLE = AuditEntry._meta.db_table


def run_verify() -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `audit verify` run through call_command."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


@pytest.fixture
def chain(montalto, alice) -> list[AuditEntry]:
    """A handful of entries written through the actions, in seq order."""
    dept = actions.create_department(alice, montalto, name="Roads", code="roads")
    actions.update_department(alice, dept, name="Roads and bridges")
    actions.create_partner(alice, montalto, name="Friends of the Park")
    return list(AuditEntry.objects.order_by("seq"))


# --- appending ----------------------------------------------------------------------------------


def test_writes_append_contiguous_chained_entries(chain, alice, montalto):
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    update = AuditEntry.objects.get(action="department.update")
    assert update.actor_id == alice.pk and update.administration_id == montalto.pk
    assert update.before["name"] == "Roads" and update.after["name"] == "Roads and bridges"


def test_entries_refuse_orm_changes(chain):
    entry = chain[0]
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_screen_writes_are_audited_with_their_author(persona_client, montalto, alice):
    persona_client(alice).post(
        reverse("staff_department_create", args=["montalto"]), {"name": "Parks", "code": "parks"}
    )
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.actor_id, entry.administration_id) == (
        "department.create",
        alice.pk,
        montalto.pk,
    )
    assert entry.after["code"] == "parks"


def test_record_refuses_to_append_outside_a_transaction(transactional_db):
    """An entry written outside the write's transaction could survive a rolled-back write."""
    with pytest.raises(
        RuntimeError, match=r"^audit.record must be called inside the write's transaction$"
    ):
        audit.record(actor=None, action="test.outside")
    assert not AuditEntry.objects.exists()


def test_record_describes_the_object_the_author_and_the_change(montalto, alice):
    moment = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    sql(f"DELETE FROM {TABLE}", [])  # noqa: S608 - the fixtures' entries: start a new chain
    with transaction.atomic():
        first = audit.record(
            actor=alice,
            action="test.change",
            obj=montalto,
            before={"name": "Old", "when": moment.date()},
            after={
                "at": moment,
                "fee": decimal.Decimal("12.50"),
                "token": uuid.UUID(int=7),
                "who": alice,
                "steps": (1, [2, 3]),
                7: dt.time(8, 15),
            },
            administration=montalto,
        )
        second = audit.record(actor="api key ins_abc", action="test.machine")
        third = audit.record(actor=None, action="test.system", object_type="x", object_id="9")
    assert (first.seq, first.prev_hash) == (1, audit.GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    assert (third.seq, third.prev_hash) == (3, second.entry_hash)
    assert first.entry_hash == first.compute_hash() and len(first.entry_hash) == 64
    assert (first.object_type, first.object_id) == ("core.administration", str(montalto.pk))
    assert first.object_repr == str(montalto) != ""
    assert (first.actor_id, first.actor_label) == (alice.pk, alice.email)
    assert first.administration_id == montalto.pk
    assert first.before == {"name": "Old", "when": "2026-03-01"}
    assert first.after == {
        "at": "2026-03-01T09:30:00+00:00",
        "fee": "12.50",
        "token": str(uuid.UUID(int=7)),
        "who": alice.pk,
        "steps": [1, [2, 3]],
        "7": "08:15:00",
    }
    assert (second.actor_id, second.actor_label, second.object_repr) == (
        None,
        "api key ins_abc",
        "",
    )
    assert (third.actor_label, third.object_type, third.object_id) == ("system", "x", "9")
    stored = AuditEntry.objects.get(seq=1)
    assert stored.entry_hash == stored.compute_hash()  # as stored, not only as built


def test_object_repr_and_actor_label_are_cut_to_their_columns(montalto):
    class Long:
        _meta = montalto._meta
        pk = 5

        def __str__(self):
            return "x" * 300

    with transaction.atomic():
        entry = audit.record(actor="k" * 300, action="test.long", obj=Long())
    assert entry.object_repr == "x" * 200 and entry.actor_label == "k" * 200


def test_snapshot_leaves_secrets_out_and_keeps_what_is_asked(alice):
    whole = audit.snapshot(alice)
    assert "password" not in whole and whole["email"] == alice.email
    assert audit.snapshot(alice, ["email"]) == {"email": alice.email}
    assert audit.snapshot(None) is None


def test_save_and_record_writes_both(montalto, alice):
    before = audit.snapshot(montalto)
    montalto.name = "Montalto di Sopra"
    audit.save_and_record(alice, montalto, "administration.update", montalto, before=before)
    entry = AuditEntry.objects.get(action="administration.update")
    assert (
        entry.before["name"] != "Montalto di Sopra" and entry.after["name"] == "Montalto di Sopra"
    )
    assert entry.actor_id == alice.pk and entry.object_repr == str(montalto)


# --- verifying ----------------------------------------------------------------------------------


def rechain(entries: list[AuditEntry], first_prev: str) -> None:
    """Rewrite the chain from `first_prev` on, every hash recomputed: what someone who removed
    the first entries and covered their tracks would leave."""
    prev = first_prev
    for entry in entries:
        entry.prev_hash = prev
        entry.entry_hash = entry.compute_hash()
        sql(
            f"UPDATE {TABLE} SET prev_hash = %s, entry_hash = %s WHERE seq = %s",  # noqa: S608
            [entry.prev_hash, entry.entry_hash, entry.seq],
        )
        prev = entry.entry_hash


def test_the_first_entry_must_follow_the_genesis(chain):
    rechain(list(AuditEntry.objects.order_by("seq")), "f" * 64)
    result = audit.verify()
    assert not result.ok and result.checked == len(chain)
    assert result.problems == ["seq 1: does not follow the entry before it (removed or reordered)"]


def test_a_chain_that_does_not_start_at_one_is_reported(chain):
    """The first entries removed and the rest re-chained from the genesis: the gap remains."""
    rest = list(AuditEntry.objects.order_by("seq"))[1:]
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", [1])  # noqa: S608
    rechain(rest, audit.GENESIS)
    result = audit.verify()
    assert result.problems == ["entry 1..1 missing (gap before seq 2)"]


def test_verify_reads_in_batches(chain):
    result = audit.verify(batch=2)
    assert result.ok and result.checked == len(chain) and result.problems == []
    sql(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", ["Forged", 3])  # noqa: S608
    assert audit.verify(batch=2).problems == ["seq 3: content does not match its hash (changed)"]


def test_clean_chain_passes(chain):
    status, out, _err = run_verify()
    assert status == 0
    assert f"{len(chain)} audit entries checked: OK" in out


def test_empty_chain_passes(db):
    assert run_verify()[0] == 0


def test_changed_entry_is_detected(chain):
    victim = chain[2]
    sql(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", ["Forged", victim.seq])  # noqa: S608
    status, _out, err = run_verify()
    assert status == 1
    assert f"seq {victim.seq}: content does not match its hash" in err


def test_changed_json_payload_is_detected(chain):
    victim = next(e for e in chain if e.action == "department.update")
    sql(
        f"UPDATE {TABLE} SET after = %s WHERE seq = %s",  # noqa: S608
        ['{"name": "Something else"}', victim.seq],
    )
    status, _out, err = run_verify()
    assert status == 1
    assert f"seq {victim.seq}: content does not match its hash" in err


def test_removed_entry_is_detected(chain):
    victim = chain[2]
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", [victim.seq])  # noqa: S608
    status, _out, err = run_verify()
    assert status == 1
    assert f"entry {victim.seq}..{victim.seq} missing" in err
    assert f"seq {victim.seq + 1}: does not follow the entry before it" in err


def test_swapped_entries_are_detected(chain):
    a, b = chain[1], chain[2]
    parking = 10**9
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [parking, a.seq])  # noqa: S608
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [a.seq, b.seq])  # noqa: S608
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [b.seq, parking])  # noqa: S608
    status, _out, err = run_verify()
    assert status == 1
    assert f"seq {a.seq}: does not follow the entry before it" in err
    assert f"seq {b.seq}: does not follow the entry before it" in err


@pytest.fixture
def in_process(monkeypatch):
    """The console script closes every connection when it ends; in-process, that would close the
    test's transaction (PostgreSQL), so it is a no-op here."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_console_script_exits_with_status_1(chain, capsys, in_process):
    sql(f"UPDATE {TABLE} SET actor_label = %s WHERE seq = %s", ["mallory", 1])  # noqa: S608
    with pytest.raises(SystemExit) as exc:
        cli.main(["audit", "verify"])
    assert exc.value.code == 1
    assert "seq 1: content does not match its hash" in capsys.readouterr().err


def test_console_script_ok(chain, capsys, in_process):
    cli.main(["audit", "verify"])  # returns normally: exit status 0
    assert "checked: OK" in capsys.readouterr().out


# --- the staff screen ---------------------------------------------------------------------------


def test_audit_screen_newest_first_with_diff(persona_client, chain, elena):
    html = persona_client(elena).get(reverse("staff_audit", args=["montalto"])).content.decode()
    html = html[html.index("<tbody>") :]
    assert html.index("partner.create") < html.index("department.update")
    assert "<del>" in html and "Roads and bridges" in html
    assert "alice@montalto.example" in html


def test_audit_screen_filter_and_pages(persona_client, montalto, alice):
    for n in range(AUDIT_PAGE_SIZE + 5):
        actions.create_department(alice, montalto, name=f"Office {n}", code=f"office-{n}")
    actions.create_partner(alice, montalto, name="Lone partner")
    client = persona_client(alice)
    url = reverse("staff_audit", args=["montalto"])
    page1 = client.get(url, {"action": "department.create"})
    assert page1.context["page"].paginator.count == AUDIT_PAGE_SIZE + 5
    assert "Lone partner" not in page1.content.decode()
    assert f"Office {AUDIT_PAGE_SIZE + 4}<" in page1.content.decode()  # newest first
    page2 = client.get(url, {"action": "department.create", "page": 2}).content.decode()
    assert "Office 0<" in page2 and "action=department.create&amp;page=1" in page2
    bogus = client.get(url, {"action": "no.such.action"})
    assert bogus.status_code == 200


def test_verify_button(persona_client, chain, elena):
    client = persona_client(elena)
    url = reverse("staff_audit_verify", args=["montalto"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert b"The chain is intact" in response.content
    sql(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", ["Forged", 2])  # noqa: S608
    response = client.post(url)
    assert b"The chain is broken" in response.content
    assert b"seq 2: content does not match its hash" in response.content
