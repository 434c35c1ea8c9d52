"""Deliberation in a real browser (Debian's chromium): a citizen votes agree, disagree and pass
and adds a statement; a moderator accepts it; the report shows the opinion groups, its map and
its table; the organisers' screen works. axe-core finds no WCAG 2.1 A/AA violation on any page
visited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from insieme.deliberation.actions import REFRESH_EVERY_SECONDS
from insieme.deliberation.models import GroupsComputation, Statement, Vote
from tests.browser.conftest import assert_accessible, log_in_as
from tests.deliberation.test_pages import (
    conversation_url,
    deliberation_process,
    make_conversation,
    plant_votes,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "Serve una fontana nuova al centro della piazza."


def test_vote_add_a_statement_moderate_and_read_the_report(page, montalto, carla, charlie):
    process = deliberation_process(montalto, carla)
    conversation = make_conversation(process, carla)
    url = page.base_url + conversation_url(process)

    # A visitor sees the statements and a way to log in, no vote buttons.
    page.goto(url)
    assert page.get_by_role("link", name="Log in to vote and to add statements").count() == 1
    assert page.get_by_role("button", name="Agree").count() == 0
    assert_accessible(page)

    # A citizen votes on the next statement three times, one of each.
    log_in_as(page, charlie)
    page.goto(url)
    assert_accessible(page)
    assert "You have voted on 0 of 3 statements." in page.locator("#progress").inner_text()
    next_card = page.locator("#next")
    for choice in ("Agree", "Disagree", "Pass / unsure"):
        next_card.get_by_role("button", name=choice, exact=True).click()
        page.wait_for_load_state()
        assert "Your vote is recorded" in page.locator(".messages").inner_text()
    assert "You have voted on 3 of 3 statements." in page.locator("#progress").inner_text()
    assert sorted(Vote.objects.values_list("value", flat=True)) == [-1, 0, 1]
    assert page.get_by_text("Your vote: Pass / unsure").count() == 1
    assert_accessible(page)

    # ...changes a vote from the list (each person counts once)...
    first = conversation.statements.order_by("pk").first()
    page.locator(f"#statement-{first.pk}").get_by_role(
        "button", name="Disagree", exact=True
    ).click()
    page.wait_for_load_state()
    assert Vote.objects.count() == 3
    assert Vote.objects.get(statement=first).value == -1

    # ...and adds a statement, which waits for a moderator.
    page.get_by_label("Your statement").fill(NEW)
    page.get_by_role("button", name="Send the statement to the moderators").click()
    page.wait_for_load_state()
    assert "waiting for a moderator" in page.locator("#your-statements").inner_text()
    assert_accessible(page)
    statement = Statement.objects.get(text=NEW)
    assert statement.status == Statement.Status.PENDING

    # A moderator accepts it from the queue.
    log_in_as(page, carla)
    page.goto(page.base_url + f"/staff/montalto/participation/{process.pk}/deliberation/")
    assert_accessible(page)
    page.get_by_role("link", name="Moderate: 1 statement waiting").click()
    page.wait_for_load_state()
    assert NEW in page.locator("main").inner_text()
    assert_accessible(page)
    page.locator(f"#statement-{statement.pk}").get_by_role(
        "button", name="Accept (statement", exact=False
    ).click()
    page.wait_for_load_state()
    assert "No statement waits for moderation." in page.locator("main").inner_text()
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED

    # The report shows the groups, as a map and as a table.
    plant_votes(conversation)
    # The groups computed after each vote above are moments old: the report would show them
    # until REFRESH_EVERY_SECONDS pass. Age them, as time would.
    GroupsComputation.objects.update(
        computed_at=timezone.now() - dt.timedelta(seconds=REFRESH_EVERY_SECONDS + 1)
    )
    page.goto(url + "report/")
    figure = page.get_by_role("img", name="Map of the opinion groups")
    assert figure.count() == 1
    table = page.locator("#groups-table")
    assert table.get_by_role("rowheader", name="Group A").count() == 1
    assert table.get_by_role("rowheader", name="Group B").count() == 1
    assert page.get_by_role("heading", name="What sets each group apart").count() == 1
    assert charlie.email not in page.content() and charlie.full_name not in page.content()
    assert_accessible(page)


def test_the_pages_in_italian_are_accessible(page, montalto, carla, charlie):
    process = deliberation_process(montalto, carla)
    conversation = make_conversation(process, carla)
    plant_votes(conversation)
    log_in_as(page, charlie)
    page.context.add_cookies([{"name": "django_language", "value": "it", "url": page.base_url}])
    for path in ("", "report/"):
        page.goto(page.base_url + conversation_url(process) + path)
        assert page.locator("html").get_attribute("lang") == "it"
        assert_accessible(page)
