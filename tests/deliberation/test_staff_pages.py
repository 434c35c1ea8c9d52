"""The staff screens of deliberation: the conversation of a process (participation:process:
manage), its seed and meta statements, and the moderation queue (participation:comment:
moderate). Every role of tests/conftest.py walks the permission matrix; moderation decisions are
audited and the audit chain stays intact; bad input re-renders with field errors."""

from __future__ import annotations

import pytest

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.core.permissions import Perm, role_has
from insieme.deliberation import actions
from insieme.deliberation.models import Conversation, Statement
from tests.conftest import ROLE_PERSONA
from tests.deliberation.test_pages import (  # noqa: F401 - the fixtures
    SEEDS,
    conversation_fixture,
    conversation_url,
    deliberation_process,
    make_conversation,
    piazza_fixture,
    seeds_fixture,
)


def staff_url(process) -> str:
    return f"/staff/{process.administration.slug}/participation/{process.pk}/deliberation/"


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def pending(conversation, charlie):
    return actions.add_statement(
        charlie, conversation, "Serve una fontana nuova al centro della piazza.", "it"
    )


# --- who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLE_PERSONA))
def test_permission_matrix(request, persona_client, role, conversation, piazza, pending):
    person = request.getfixturevalue(ROLE_PERSONA[role])
    client = persona_client(person)
    manages = role_has(role, Perm.PROCESS_MANAGE)
    moderates = role_has(role, Perm.COMMENT_MODERATE)
    base = staff_url(piazza)
    assert client.get(base).status_code == (200 if manages else 403)
    seed = client.post(base + "statements/new/", {"seed-text": "Una nuova affermazione seme."})
    assert seed.status_code == (302 if manages else 403)
    meta = client.post(base + f"statements/{pending.pk}/meta/", {"is_meta": "1"})
    assert meta.status_code == (302 if manages else 403)
    for url in (base + "moderation/", "/staff/montalto/participation/deliberation/moderation/"):
        assert client.get(url).status_code == (200 if moderates else 403), url
    decision = client.post(base + f"moderation/{pending.pk}/", {"decision": "accept"})
    assert decision.status_code == (302 if moderates else 403)
    pending.refresh_from_db()
    expected = Statement.Status.ACCEPTED if moderates else Statement.Status.PENDING
    assert pending.status == expected


def test_outsiders_get_404_and_anonymous_visitors_the_login_page(
    client, persona_client, conversation, piazza, pending, charlie, oscar, rita
):
    base = staff_url(piazza)
    urls = [base, base + "moderation/", "/staff/montalto/participation/deliberation/moderation/"]
    for person in (charlie, oscar):
        reader = persona_client(person)
        assert all(reader.get(url).status_code == 404 for url in urls)
        assert (
            reader.post(base + f"moderation/{pending.pk}/", {"decision": "accept"}).status_code
            == 404
        )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    region = persona_client(rita)  # the region's service manager reaches Montalto
    assert all(region.get(url).status_code == 200 for url in urls)
    pending.refresh_from_db()
    assert pending.status == Statement.Status.PENDING


def test_another_administrations_staff_cannot_reach_this_process_by_id(
    persona_client, lagoverde, oscar, piazza, conversation
):
    # Lago Verde's administrator uses their own administration's address with Montalto's id.
    url = f"/staff/lago-verde/participation/{piazza.pk}/deliberation/"
    assert persona_client(oscar).get(url).status_code == 403  # no process permission there
    from insieme.core import actions as core_actions
    from insieme.core.permissions import Role
    from tests.conftest import make_user

    manager = make_user("m@lagoverde.example", "Mara Manager")
    core_actions.add_membership(None, lagoverde, manager, role=Role.SERVICE_MANAGER)
    assert persona_client(manager).get(url).status_code == 404


# --- the conversation ----------------------------------------------------------------------------


def test_a_manager_starts_and_changes_the_conversation(persona_client, piazza, carla):
    manager = persona_client(carla)
    url = staff_url(piazza)
    page = _html(manager.get(url))
    assert "This process has no deliberation yet." in page and 'name="question"' in page
    assert 'name="question__en"' in page
    assert (
        manager.post(url + "statements/new/", {"seed-text": "Una affermazione."}).status_code == 404
    )
    started = manager.post(
        url,
        {
            "question": "Come rendiamo viva la piazza?",
            "question__en": "How do we bring the square to life?",
            "is_open": "on",
            "accepts_statements": "on",
        },
    )
    assert started.status_code == 302
    conversation = Conversation.objects.get(process=piazza)
    assert conversation.question == "Come rendiamo viva la piazza?"
    assert conversation.translations == {"en": {"question": "How do we bring the square to life?"}}
    assert conversation.is_open and conversation.accepts_statements
    assert conversation.language == piazza.language
    assert AuditEntry.objects.filter(action="deliberation.conversation_created").count() == 1
    changed = manager.post(url, {"question": "Come rendiamo viva la piazza?", "question__en": ""})
    assert changed.status_code == 302
    conversation.refresh_from_db()
    assert not conversation.is_open and not conversation.accepts_statements
    assert conversation.translations == {}
    entry = AuditEntry.objects.get(action="deliberation.conversation_updated")
    assert entry.before["is_open"] is True and entry.after["is_open"] is False
    assert audit.verify().ok


def test_bad_conversation_input_re_renders_with_field_errors(persona_client, piazza, carla):
    manager = persona_client(carla)
    url = staff_url(piazza)
    empty = manager.post(url, {"question": "  ", "question__en": "Kept"})
    assert empty.status_code == 400
    html = _html(empty)
    assert "Nothing was saved" in html and "This field is required." in html
    assert "Kept</textarea>" in html
    control = manager.post(url, {"question": "Una \x01 domanda"})
    assert control.status_code == 400
    too_long = manager.post(url, {"question": "x" * 1001})
    assert too_long.status_code == 400
    assert not Conversation.objects.exists()
    assert manager.put(url).status_code == 405


def test_seed_statements_are_open_for_votes_at_once(
    persona_client, client, conversation, piazza, carla
):
    manager = persona_client(carla)
    url = staff_url(piazza) + "statements/new/"
    added = manager.post(
        url,
        {
            "seed-text": "Serve più ombra in piazza d'estate.",
            "seed-text__en": "The square needs more shade in summer.",
            "seed-is_meta": "",
        },
    )
    assert added.status_code == 302
    statement = Statement.objects.get(text="Serve più ombra in piazza d'estate.")
    assert statement.status == Statement.Status.ACCEPTED and statement.is_seed
    assert statement.translations == {"en": {"text": "The square needs more shade in summer."}}
    assert "The square needs more shade in summer." in _html(client.get(conversation_url(piazza)))
    assert AuditEntry.objects.filter(action="deliberation.seed_statement_added").count() == 4
    short = manager.post(url, {"seed-text": "Breve"})
    assert short.status_code == 400
    assert "Write a statement of at least 10 characters." in _html(short)
    duplicate = manager.post(url, {"seed-text": SEEDS[0][0]})
    assert duplicate.status_code == 400
    assert "already in the conversation" in _html(duplicate)
    assert manager.get(url).status_code == 405
    assert Statement.objects.filter(conversation=conversation).count() == len(SEEDS) + 1


def test_marking_a_statement_as_meta(persona_client, conversation, seeds, piazza, carla):
    manager = persona_client(carla)
    url = staff_url(piazza) + f"statements/{seeds[0].pk}/meta/"
    version = Conversation.objects.get(pk=conversation.pk).version
    assert manager.post(url, {"is_meta": "1"}).status_code == 302
    seeds[0].refresh_from_db()
    assert seeds[0].is_meta
    assert Conversation.objects.get(pk=conversation.pk).version == version + 1
    assert AuditEntry.objects.filter(action="deliberation.statement_meta_changed").count() == 1
    page = _html(manager.get(staff_url(piazza)))
    assert "Count it as an opinion" in page
    assert manager.post(url, {"is_meta": "0"}).status_code == 302
    seeds[0].refresh_from_db()
    assert not seeds[0].is_meta
    bad = manager.post(url, {"is_meta": "maybe"})
    assert bad.status_code == 400
    assert "Say whether the statement is about the participant." in _html(bad)
    assert (
        manager.post(staff_url(piazza) + "statements/999999/meta/", {"is_meta": "1"}).status_code
        == 404
    )
    assert audit.verify().ok


# --- moderation ----------------------------------------------------------------------------------


def test_a_moderator_accepts_a_statement(
    persona_client, client, conversation, piazza, pending, alice
):
    moderator = persona_client(alice)  # the administrator moderates; she does not manage
    queue = _html(moderator.get(staff_url(piazza) + "moderation/"))
    assert pending.text in queue and "Reject with this reason" in queue
    assert pending.text in _html(
        moderator.get("/staff/montalto/participation/deliberation/moderation/")
    )
    assert pending.text not in _html(client.get(conversation_url(piazza)))
    response = moderator.post(
        staff_url(piazza) + f"moderation/{pending.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 302 and response["Location"].endswith(
        "/deliberation/moderation/"
    )
    pending.refresh_from_db()
    assert pending.status == Statement.Status.ACCEPTED and pending.moderated_at
    entry = AuditEntry.objects.get(action="deliberation.statement_moderated")
    assert entry.after["status"] == "accepted" and entry.before["status"] == "pending"
    assert audit.verify().ok
    assert pending.text in _html(client.get(conversation_url(piazza)))
    assert "No statement waits for moderation." in _html(
        moderator.get(staff_url(piazza) + "moderation/")
    )


def test_rejecting_needs_a_reason(persona_client, conversation, piazza, pending, carla):
    moderator = persona_client(carla)
    url = staff_url(piazza) + f"moderation/{pending.pk}/"
    missing = moderator.post(url, {"decision": "reject", "reason": "  "})
    assert missing.status_code == 400
    assert "Say why the statement is rejected." in _html(missing)
    assert pending.text in _html(missing)  # the queue is shown again
    pending.refresh_from_db()
    assert pending.status == Statement.Status.PENDING
    assert not AuditEntry.objects.filter(action="deliberation.statement_moderated").exists()
    rejected = moderator.post(
        url, {"decision": "reject", "reason": "Ripete un'altra affermazione.", "queue": "all"}
    )
    assert rejected.status_code == 302
    assert rejected["Location"] == "/staff/montalto/participation/deliberation/moderation/"
    pending.refresh_from_db()
    assert pending.status == Statement.Status.REJECTED
    assert pending.moderation_reason == "Ripete un'altra affermazione."
    entry = AuditEntry.objects.get(action="deliberation.statement_moderated")
    assert entry.after == {
        "status": "rejected",
        "moderation_reason": "Ripete un'altra affermazione.",
    }
    assert audit.verify().ok
    page = _html(persona_client(carla).get(staff_url(piazza)))
    assert "Ripete un&#x27;altra affermazione." in page


def test_bad_moderation_input(persona_client, montalto, conversation, piazza, pending, carla):
    moderator = persona_client(carla)
    url = staff_url(piazza) + f"moderation/{pending.pk}/"
    assert moderator.post(url, {"decision": "maybe"}).status_code == 400
    assert moderator.post(url, {"decision": "reject", "reason": "a\x01b"}).status_code == 400
    assert moderator.get(url).status_code == 405
    assert (
        moderator.post(staff_url(piazza) + "moderation/999999/", {"decision": "accept"}).status_code
        == 404
    )
    other = deliberation_process(montalto, carla, slug="altro")
    make_conversation(other, carla, seeds=[])
    foreign = staff_url(other) + f"moderation/{pending.pk}/"  # a statement of another process
    assert moderator.post(foreign, {"decision": "accept"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Statement.Status.PENDING


def test_the_staff_screens_in_italian(persona_client, conversation, piazza, pending, carla):
    manager = persona_client(carla)
    manager.cookies["django_language"] = "it"
    page = _html(manager.get(staff_url(piazza), HTTP_ACCEPT_LANGUAGE="it"))
    assert 'lang="it"' in page and "Affermazioni" in page
    assert "Domanda posta ai partecipanti" in page
    queue = _html(manager.get(staff_url(piazza) + "moderation/", HTTP_ACCEPT_LANGUAGE="it"))
    assert "Affermazioni in attesa di moderazione" in queue and "Accetta" in queue
