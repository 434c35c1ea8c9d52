"""Merging and splitting ideas (participation:idea:merge), traceable both ways: the merged idea
links to the one it was merged into and that one lists it; split parts link to their parent and
the parent lists them."""

from __future__ import annotations

from django.core import mail

from insieme.core.models import AuditEntry
from insieme.participation import actions
from insieme.participation.models import Follow, Idea, Support
from tests.participation.conftest import idea_url, make_idea

STAFF_IDEA = "/staff/montalto/participation/ideas/{pk}/"


def test_merge_moves_supports_and_followers_and_links_both_ways(
    persona_client, client, process, carla, charlie, sara, bob, django_capture_on_commit_callbacks
):
    kept = make_idea(process, charlie, title="Panchine nel parco")
    repeat = make_idea(process, sara, title="Panchine all'ombra")
    actions.support_idea(bob, kept)
    actions.support_idea(bob, repeat)  # supports both: counts once after the merge
    actions.support_idea(charlie, repeat)
    with django_capture_on_commit_callbacks(execute=True):
        response = persona_client(carla).post(
            STAFF_IDEA.format(pk=repeat.pk) + "merge/", {"into": kept.pk}
        )
    assert response.status_code == 302
    repeat.refresh_from_db()
    kept.refresh_from_db()
    assert (repeat.state, repeat.merged_into) == ("merged", kept)
    assert (kept.supports_count, Support.objects.filter(idea=kept).count()) == (2, 2)
    assert repeat.supports_count == 0 and not Support.objects.filter(idea=repeat).exists()
    assert Follow.objects.filter(user=sara, idea=kept).exists()  # the merged idea's author
    assert any(m.to == ["sara@example.org"] and "merged" in m.subject for m in mail.outbox)
    merged_page = client.get(idea_url(repeat)).content.decode()
    assert "This idea was merged into another idea:" in merged_page
    assert f'href="{idea_url(kept)}"' in merged_page
    kept_page = client.get(idea_url(kept)).content.decode()
    assert "Ideas merged into this one:" in kept_page and f'href="{idea_url(repeat)}"' in kept_page
    assert AuditEntry.objects.get(action="participation.idea.merged").after["into"] == kept.pk


def test_merge_refuses_itself_another_process_and_closed_ideas(
    persona_client, montalto, process, carla, charlie
):
    from tests.participation.conftest import make_process

    a, b = make_idea(process, charlie, title="a"), make_idea(process, charlie, title="b")
    other = make_idea(make_process(montalto, carla, slug="altro"), charlie, title="c")
    client = persona_client(carla)
    url = STAFF_IDEA.format(pk=a.pk) + "merge/"
    for target, message in [
        (a.pk, "An idea cannot be merged into itself."),
        (other.pk, "No idea of this process has that number."),
        (999999, "No idea of this process has that number."),
        ("abc", "Enter a whole number."),
    ]:
        response = client.post(url, {"into": target})
        assert response.status_code == 400 and message in response.content.decode()
    actions.merge_ideas(carla, b, a)
    response = client.post(url, {"into": b.pk})
    assert response.status_code == 400
    assert "That idea was merged or split: choose an open one." in response.content.decode()


def test_split_creates_parts_that_link_to_their_parent(
    persona_client, client, process, carla, charlie
):
    parent = make_idea(process, charlie, title="Panchine e fontanelle", show_name=False)
    response = persona_client(carla).post(
        STAFF_IDEA.format(pk=parent.pk) + "split/",
        {
            "title_1": "Panchine",
            "body_1": "Più panchine.",
            "title_2": "Fontanelle",
            "body_2": "Acqua.",
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    parts = list(Idea.objects.filter(split_from=parent).order_by("pk"))
    assert parent.state == "split" and [p.title for p in parts] == ["Panchine", "Fontanelle"]
    assert all(p.author == charlie and not p.show_name for p in parts)
    assert all(Follow.objects.filter(user=charlie, idea=p).exists() for p in parts)
    parent_page = client.get(idea_url(parent)).content.decode()
    assert "This idea was split into these ideas:" in parent_page
    assert all(f'href="{idea_url(p)}"' in parent_page for p in parts)
    part_page = client.get(idea_url(parts[0])).content.decode()
    assert "This idea is a part of an idea that was split:" in part_page
    assert f'href="{idea_url(parent)}"' in part_page


def test_split_needs_two_parts_and_the_permission(persona_client, idea, carla, bob):
    response = persona_client(carla).post(
        STAFF_IDEA.format(pk=idea.pk) + "split/", {"title_1": "Solo", "body_1": "Una parte."}
    )
    assert response.status_code == 400
    assert "Split the idea into at least two parts." in response.content.decode()
    response = persona_client(carla).post(
        STAFF_IDEA.format(pk=idea.pk) + "split/", {"title_1": "Uno", "title_2": "Due"}
    )
    assert (
        response.status_code == 400 and "Part 1: Describe your idea." in response.content.decode()
    )
    two = {"title_1": "a", "body_1": "a", "title_2": "b", "body_2": "b"}
    assert (
        persona_client(bob).post(STAFF_IDEA.format(pk=idea.pk) + "split/", two).status_code == 403
    )
    assert Idea.objects.count() == 1
