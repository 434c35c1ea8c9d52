"""The hash-chained audit log: writes append to it, the staff screen shows it, and
`insieme audit verify` detects an entry changed, removed or moved with raw SQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.urls import reverse

from insieme import cli
from insieme.core import actions
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


# --- verifying ----------------------------------------------------------------------------------


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
