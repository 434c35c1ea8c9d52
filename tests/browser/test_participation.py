"""Participation in a real browser (Debian's chromium): a citizen proposes an idea, another
supports it and comments; a moderator hides a reported comment and releases one the spam filter
held. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from insieme.participation import actions
from insieme.participation.models import Comment, Idea, Support
from tests.browser.conftest import assert_accessible, log_in_as
from tests.participation.conftest import make_process, process_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_propose_support_comment_and_moderate(page, montalto, carla, charlie, alice):
    from tests.conftest import make_user

    sara = make_user("sara@example.org", "Sara Martini")
    process = make_process(montalto, carla)
    url = page.base_url + process_url(process)

    # A citizen proposes an idea.
    log_in_as(page, charlie)
    page.goto(url)
    assert_accessible(page)
    page.get_by_role("link", name="Propose an idea").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Title").fill("Più panchine all'ombra")
    page.get_by_label("Your idea").fill("Servono panchine vicino ai giochi dei bambini.")
    page.get_by_role("button", name="Publish the idea").click()
    page.wait_for_load_state()
    if page.get_by_role("button", name="My idea is different: publish it").count():
        page.get_by_role("button", name="My idea is different: publish it").click()
        page.wait_for_load_state()
    idea = Idea.objects.get()
    assert f"/ideas/{idea.pk}/" in page.url
    assert_accessible(page)

    # Another supports it and comments.
    log_in_as(page, sara)
    page.goto(page.url)
    page.get_by_role("button", name="Support this idea").click()
    page.wait_for_load_state()
    assert Support.objects.filter(idea=idea, user=sara).exists()
    page.get_by_label("Your comment").fill("Ottima idea, la sostengo.")
    page.get_by_role("button", name="Publish the comment").click()
    page.wait_for_load_state()
    assert "Ottima idea, la sostengo." in page.locator("#comments").inner_text()
    assert_accessible(page)
    comment = Comment.objects.get(body="Ottima idea, la sostengo.")
    actions.flag_comment(charlie, comment, "off_topic")
    held = actions.add_comment(
        charlie, idea=idea, body="Compra pillole su www.x.example", limit=False
    )
    Comment.objects.filter(pk=held.pk).update(held_at=timezone.now(), spam_score=0.93)

    # A moderator hides the reported comment and releases the held one.
    log_in_as(page, carla)
    page.goto(page.base_url + "/staff/montalto/participation/moderation/")
    assert_accessible(page)
    assert "0.93" in page.locator("main").inner_text()
    page.get_by_role("link", name=f"Decide on comment {comment.pk}").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Reason (shown to everyone in place of a hidden comment)").fill("Fuori tema")
    page.get_by_role("button", name="Hide it").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=f"Decide on comment {held.pk}").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Release it").click()
    page.wait_for_load_state()
    comment.refresh_from_db()
    held.refresh_from_db()
    assert comment.is_hidden and not held.is_held
    page.goto(page.base_url + f"{process_url(process)}ideas/{idea.pk}/")
    text = page.locator("#comments").inner_text()
    assert "Hidden by the moderators: Fuori tema" in text and "www.x.example" in text
    assert_accessible(page)
