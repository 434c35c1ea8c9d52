"""Who sees what: the employees' idea box is invisible to citizens, to anonymous visitors and to
another administration's staff (404, as for a missing process); a round table is seen by the
invited partner organisations' members and the administration's staff only; every staff screen
answers 404 outside the person's administrations and 403 without the permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.core.models import AuditEntry
from insieme.core.permissions import Perm, Role, role_has
from insieme.participation.models import Idea
from tests.conftest import ROLE_PERSONA
from tests.participation.conftest import idea_url, make_idea, process_url


def _pages(process, idea) -> list[str]:
    base = process_url(process)
    return [
        base,
        base + "ideas/",
        base + "ideas/new/",
        idea_url(idea),
    ]


@pytest.fixture
def box_idea(idea_box, bob):
    return make_idea(idea_box, bob, title="Modulo unico tra uffici")


def test_the_idea_box_is_invisible_to_citizens_and_other_administrations(
    client, persona_client, idea_box, box_idea, charlie, oscar, paola
):
    for who in [None, charlie, oscar, paola]:
        c = persona_client(who) if who else client
        for url in _pages(idea_box, box_idea):
            response = c.get(url)
            assert response.status_code in (404, 302), (who, url)
            if response.status_code == 302:  # anonymous: asked to log in first, then 404
                assert response["Location"].startswith("/accounts/login/")
        listing = c.get("/participation/montalto/").content.decode()
        assert "Idea box" not in listing and "Cassetta" not in listing
        assert "Idea box" not in c.get("/participation/").content.decode()
        assert "Modulo unico" not in c.get("/").content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "carla", "dario", "elena", "rita"])
def test_the_idea_box_is_seen_by_every_member_of_staff(request, persona_client, box_idea, persona):
    c = persona_client(request.getfixturevalue(persona))
    for url in _pages(box_idea.process, box_idea):
        assert c.get(url).status_code == 200, url


def test_employees_file_as_employees_in_the_idea_box(persona_client, idea_box, dario):
    response = persona_client(dario).post(
        process_url(idea_box) + "ideas/new/",
        {
            "title": "Calendario condiviso",
            "body": "Un calendario per i sopralluoghi.",
            "checked": "on",
        },
    )
    assert response.status_code == 302
    assert Idea.objects.get().author_type == "employee"


def test_a_round_table_is_seen_by_invited_partners_only(
    client, persona_client, round_table, paola, piero, charlie, bob, oscar
):
    idea = make_idea(round_table, paola, title="Doposcuola in biblioteca")
    assert idea.author_type == "partner" and idea.partner.name == "Cooperativa Il Girasole"
    for who, allowed in [
        (paola, True),
        (bob, True),
        (piero, False),
        (charlie, False),
        (oscar, False),
    ]:
        c = persona_client(who)
        for url in _pages(round_table, idea):
            assert (c.get(url).status_code == 200) == allowed, (who, url)
    assert client.get(process_url(round_table)).status_code == 404


def test_comments_and_reports_of_a_hidden_process_are_404(persona_client, box_idea, bob, charlie):
    from insieme.participation import actions

    comment = actions.add_comment(bob, idea=box_idea, body="Ottimo", limit=False)
    for path in ("reply", "report"):
        url = f"/participation/montalto/comments/{comment.pk}/{path}/"
        assert persona_client(charlie).get(url).status_code == 404
        assert persona_client(bob).get(url).status_code == 200
    assert (
        persona_client(charlie)
        .post(f"/participation/montalto/comments/{comment.pk}/report/", {"reason": "spam"})
        .status_code
        == 404
    )


def test_a_citizen_cannot_act_in_the_idea_box(persona_client, box_idea, charlie):
    c = persona_client(charlie)
    before = AuditEntry.objects.count()
    for action in ("support", "follow", "comments"):
        assert c.post(idea_url(box_idea) + f"{action}/", {"body": "x"}).status_code == 404
    assert AuditEntry.objects.count() == before


# --- the staff screens: every persona against every screen --------------------------------------

STAFF_SCREENS = [
    ("staff_participation", Perm.PROCESS_MANAGE, False),
    ("staff_participation_new", Perm.PROCESS_MANAGE, False),
    ("staff_participation_process", Perm.PROCESS_MANAGE, True),
    ("staff_participation_ideas", Perm.IDEA_EVALUATE, False),
    ("staff_participation_idea", Perm.IDEA_EVALUATE, "idea"),
    ("staff_participation_moderation", Perm.COMMENT_MODERATE, False),
    ("staff_participation_moderation_log", Perm.COMMENT_MODERATE, False),
    ("staff_participation_comment", Perm.COMMENT_MODERATE, "comment"),
]
PERSONAS = [*ROLE_PERSONA.values(), "rita", "oscar", "charlie"]


def _role(persona: str):
    for role, name in ROLE_PERSONA.items():
        if name == persona:
            return role
    return {"rita": Role.SERVICE_MANAGER}.get(persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("screen", STAFF_SCREENS, ids=lambda s: s[0])
def test_staff_screen_matrix(request, persona_client, process, idea, charlie, persona, screen):
    from insieme.participation import actions

    name, perm, arg = screen
    comment = actions.add_comment(charlie, idea=idea, body="Un commento", limit=False)
    args = ["montalto"]
    if arg is True:
        args.append(process.pk)
    elif arg == "idea":
        args.append(idea.pk)
    elif arg == "comment":
        args.append(comment.pk)
    user = request.getfixturevalue(persona)
    response = persona_client(user).get(reverse(name, args=args))
    role = _role(persona)
    if role is None:  # no role in Montalto (oscar works in Lago Verde; charlie nowhere)
        assert response.status_code == 404, (persona, name)
    else:
        want = 200 if role_has(role, perm) else 403
        assert response.status_code == want, (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_dashboard_links_follow_permissions(request, persona_client, montalto, persona):
    role = _role(persona)
    if role is None:
        return
    html = persona_client(request.getfixturevalue(persona)).get("/staff/montalto/").content.decode()
    for url_name, perm in [
        ("staff_participation", Perm.PROCESS_MANAGE),
        ("staff_participation_ideas", Perm.IDEA_EVALUATE),
        ("staff_participation_moderation", Perm.COMMENT_MODERATE),
    ]:
        link = f'href="{reverse(url_name, args=["montalto"])}"'
        assert (link in html) == role_has(role, perm), (persona, url_name)


def test_a_staff_post_without_the_permission_writes_nothing(
    persona_client, idea, bob, elena, oscar
):
    before = AuditEntry.objects.count()
    assert (
        persona_client(elena)
        .post(f"/staff/montalto/participation/ideas/{idea.pk}/answer/", {"kind": "accepted"})
        .status_code
        == 403
    )
    assert (
        persona_client(oscar)
        .post(f"/staff/montalto/participation/ideas/{idea.pk}/answer/", {"kind": "accepted"})
        .status_code
        == 404
    )
    # An officer evaluates but does not answer: the form is refused.
    assert (
        persona_client(bob)
        .post(f"/staff/montalto/participation/ideas/{idea.pk}/answer/", {"kind": "accepted"})
        .status_code
        == 403
    )
    assert AuditEntry.objects.count() == before
    idea.refresh_from_db()
    assert idea.answer == ""
