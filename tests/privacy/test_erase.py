"""Erasing an account: afterwards no table holds the person's name, e-mail or phone, their
records and the statistics stay, and the audit chain still verifies."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from insieme.cases.models import Case, CaseEvent
from insieme.core import actions as core_actions
from insieme.core import audit
from insieme.core.models import AuditEntry, User
from insieme.participation.models import Comment, Idea, Process
from insieme.privacy import erase
from insieme.privacy.models import SubjectRequest
from tests.api.conftest import file_case, lights  # noqa: F401 (fixture)
from tests.catalog.conftest import cat  # noqa: F401 (fixture)
from tests.conftest import sign_in

NAME, EMAIL, PHONE = "Charlie Citizen", "charlie@example.org", "+39 347 111 2233"
CONTACT = "charlie.contact@example.org"


def holders(*needles: str) -> list[str]:
    """Every table column (text or JSON) holding one of `needles`, as "table.column"."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for needle in needles:
                lookup = {f"{field.attname}__icontains": needle}
                if isinstance(field, models.JSONField):
                    # JSON: compared as its text (works on SQLite and PostgreSQL).
                    from django.db.models.functions import Cast

                    qs = model._default_manager.annotate(
                        _as_text=Cast(field.attname, models.TextField())
                    ).filter(_as_text__icontains=needle)
                else:
                    qs = model._default_manager.filter(**lookup)
                if qs.exists():
                    found.append(f"{model._meta.db_table}.{field.attname} ~ {needle}")
    return found


@pytest.fixture
def charlie_everywhere(charlie, lights, montalto, bob):  # noqa: F811
    core_actions.update_profile(charlie, charlie, phone=PHONE)
    charlie.refresh_from_db()
    case = file_case(
        charlie,
        lights,
        description=f"Lampione spento davanti a casa mia. {NAME}, tel. {PHONE}",
        contact_email=CONTACT,
    )
    CaseEvent.objects.create(
        case=case,
        kind="message",
        actor=charlie,
        text=f"Sono {NAME}, richiamatemi",
        created_at=case.submitted_at,
    )
    process = Process.objects.create(
        administration=montalto, slug="parchi", title="Parchi", is_published=True
    )
    Idea.objects.create(
        process=process, title=f"Panchine nuove, {NAME}", body=f"Scrivete a {EMAIL}", author=charlie
    )
    Comment.objects.create(
        administration=montalto, process=process, author=charlie, body=f"Firmato {NAME}"
    )
    return case


def test_nothing_of_the_person_is_left_and_the_chain_verifies(charlie, charlie_everywhere):
    before = holders(EMAIL, CONTACT, PHONE, NAME)
    assert before  # the fixture did put them somewhere
    cases = Case.objects.count()
    request = erase.erase_account(charlie, charlie)
    assert holders(EMAIL, CONTACT, PHONE, NAME) == []
    result = audit.verify()
    assert result.ok, result.problems
    assert AuditEntry.objects.filter(action=audit.ERASED).exists()
    # Records and statistics stay.
    assert Case.objects.count() == cases
    case = Case.objects.get(pk=charlie_everywhere.pk)
    assert case.status == charlie_everywhere.status and case.submitted_by_id == charlie.pk
    assert "Lampione spento" in case.description
    assert request.state == SubjectRequest.State.DONE
    user = User.objects.get(pk=charlie.pk)
    assert not user.is_active and not user.has_usable_password()


def test_staff_are_not_erased(elena):
    with pytest.raises(Exception, match="administrator"):
        erase.erase_account(elena, elena)
    assert User.objects.get(pk=elena.pk).is_active


def test_the_page_erases_only_with_the_password(client, charlie, charlie_everywhere):
    sign_in(client, charlie)
    url = reverse("privacy:my_data")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"password": "nope", "understood": "on"})
    assert wrong.status_code == 400 and User.objects.get(pk=charlie.pk).is_active
    unticked = client.post(url, {"password": "pw"})
    assert unticked.status_code == 400
    charlie.set_password("correct horse battery")
    charlie.save()
    sign_in(client, charlie)
    done = client.post(url, {"password": "correct horse battery", "understood": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert not User.objects.get(pk=charlie.pk).is_active
    # Signed out: the page asks to sign in again.
    assert client.get(url).status_code == 302


def test_staff_see_why_they_cannot_erase_here(client, elena):
    sign_in(client, elena)
    page = client.get(reverse("privacy:my_data"))
    assert "ask your administrator" in page.content.decode()
    assert client.post(reverse("privacy:my_data"), {"password": "x"}).status_code == 400


def test_anonymous_people_are_asked_to_sign_in(client):
    assert client.get(reverse("privacy:my_data")).status_code == 302


def test_the_steward_sees_the_requests_of_their_people(
    client, charlie, charlie_everywhere, elena, bob, oscar
):
    erase.erase_account(charlie, charlie)
    url = reverse("privacy:staff_home", args=["montalto"])
    assert client.get(url).status_code == 302
    assert sign_in(client, bob).get(url).status_code == 403
    assert sign_in(client, oscar).get(url).status_code == 404
    page = sign_in(client, elena).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Erase my account" in html and f"account {charlie.pk}" in html
    assert EMAIL not in html
    # Another administration's steward does not see Montalto's people.
    assert SubjectRequest.objects.count() == 1


# --- the steward closes a request left pending -----------------------------------------------


@pytest.fixture
def pending(charlie, charlie_everywhere):
    """A copy with a part that could not be gathered (the export's own note)."""
    return SubjectRequest.objects.create(
        user=charlie,
        kind=SubjectRequest.Kind.EXPORT,
        state=SubjectRequest.State.PENDING,
        note="format: json; not gathered: cases",
    )


def test_the_steward_closes_a_pending_request_with_a_note(client, elena, pending):
    sign_in(client, elena)
    home = client.get(reverse("privacy:staff_home", args=["montalto"])).content.decode()
    assert "1 request is waiting for you" in home and "Parts not gathered: Your requests" in home
    url = reverse("privacy:staff_request_close", args=["montalto", pending.pk])
    done = client.post(url, {"decision": "done", "note": "Sent by registered post on 3 Dec"})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.state == SubjectRequest.State.DONE and pending.handled_by == elena
    assert pending.completed_at is not None and pending.note.endswith(
        "| Sent by registered post on 3 Dec"
    )
    entry = AuditEntry.objects.get(action="privacy.request.done")
    assert entry.after == {"state": "done", "note": "Sent by registered post on 3 Dec"}
    assert audit.verify().ok
    # Closed once: a second decision is refused.
    again = client.post(url, {"decision": "refuse", "note": "No"})
    assert again.status_code == 400 and "closed already" in again.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "done", "note": ""},
        {"decision": "done", "note": "x" * 301},
        {"decision": "maybe", "note": "fine"},
        {"note": "fine"},
        {"decision": "done", "note": "bad\x00byte"},
    ],
)
def test_bad_input_leaves_the_request_pending(client, elena, pending, data):
    sign_in(client, elena)
    url = reverse("privacy:staff_request_close", args=["montalto", pending.pk])
    assert client.post(url, data).status_code == 400
    pending.refresh_from_db()
    assert pending.state == SubjectRequest.State.PENDING


def test_only_the_steward_of_an_administration_closes_its_requests(
    client, bob, oscar, elena, pending
):
    url = reverse("privacy:staff_request_close", args=["montalto", pending.pk])
    form = {"decision": "done", "note": "ok"}
    assert client.post(url, form).status_code == 302  # to sign in
    assert sign_in(client, bob).post(url, form).status_code == 403
    assert sign_in(client, oscar).post(url, form).status_code == 404
    # Lago Verde's steward does not reach Montalto's people through their own address.
    other = reverse("privacy:staff_request_close", args=["lago-verde", pending.pk])
    assert sign_in(client, elena).post(other, form).status_code == 404
    assert (
        sign_in(client, elena)
        .post(reverse("privacy:staff_request_close", args=["montalto", 999999]), form)
        .status_code
        == 404
    )
    assert sign_in(client, elena).get(url).status_code == 405
    pending.refresh_from_db()
    assert pending.state == SubjectRequest.State.PENDING


def test_no_log_line_of_an_erasure_carries_the_personal_data(charlie, charlie_everywhere, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        erase.erase_account(charlie, charlie)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for needle in (NAME, EMAIL, CONTACT, PHONE):
        assert needle not in text
