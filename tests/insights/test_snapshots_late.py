"""A late Scorecard snapshot where a background worker runs (insieme.insights.snapshots): the page
shows the figures it has, says when they were computed and that newer ones are coming, and asks
the worker once; the worker's task, through a real broker, stores the new snapshot and the next
page shows it. Without a worker the page computes, as before; a report for a given day never
takes another day's figures."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from kombu import Connection, Exchange, Queue

from insieme.core.registry import Scope, indicators
from insieme.insights import snapshots
from insieme.insights.models import Snapshot
from insieme.insights.tasks import refresh_scorecard
from tests.cases.test_tasks_broker import (  # noqa: F401  (the broker fixtures)
    BROKERS,
    TASK_TIMEOUT,
    broker_app,
    ran,
    running_worker,
)
from tests.conftest import sign_in
from tests.insights.test_snapshots import KEY, new_service, on, page, value_of  # noqa: F401

LATE_NOTE = "longer ago than usual"


def waiting(app) -> int:
    """How many messages wait on the app's test queue at the broker."""
    name = app.conf.task_default_queue
    with Connection(app.conf.broker_url, connect_timeout=3) as conn:
        queue = Queue(name, Exchange(name, "direct"), routing_key=name)(conn.default_channel)
        return queue.queue_declare().message_count


def make_late(**changes) -> None:
    Snapshot.objects.update(computed_at=timezone.now() - timedelta(seconds=901), **changes)


@pytest.mark.django_db(transaction=True)
def test_a_late_snapshot_is_shown_while_the_worker_computes_a_new_one(
    on,  # noqa: F811
    broker_app,  # noqa: F811
    ran,  # noqa: F811
    client,
    alice,
    montalto,
):
    runs, finished = ran
    sign_in(client, alice)
    first = page(client, "montalto")  # never computed: the page computes it
    assert LATE_NOTE not in first and value_of(first, KEY)[2] == "0"
    assert waiting(broker_app) == 0
    new_service(montalto)
    make_late()

    late = page(client, "montalto")
    assert value_of(late, KEY)[2] == "0"  # what the snapshot holds, at once
    assert LATE_NOTE in late
    assert waiting(broker_app) == 1
    page(client, "montalto")  # a second reader does not ask again
    assert waiting(broker_app) == 1
    assert "Reload the page" in page(client, "montalto")

    with running_worker(broker_app):
        assert finished.wait(TASK_TIMEOUT), "the worker did not run the task in time"
    assert [name for name, _eager, _queue in runs] == [refresh_scorecard.name]
    fresh = page(client, "montalto")
    assert value_of(fresh, KEY) == ("0.0", "0", "1") and LATE_NOTE not in fresh
    assert Snapshot.objects.get().computed_at > timezone.now() - timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_just_after_midnight_yesterdays_figures_show_as_of_yesterday(
    on,  # noqa: F811
    broker_app,  # noqa: F811
    client,
    alice,
    montalto,
):
    sign_in(client, alice)
    page(client, "montalto")
    page(client, "montalto", "it")
    today = Snapshot.objects.first().day
    yesterday = today - timedelta(days=1)
    scope = Scope.of(montalto)
    for row in Snapshot.objects.all():
        key = snapshots.key_for(replace(scope, today=yesterday), row.language)
        Snapshot.objects.filter(pk=row.pk).update(
            day=yesterday, key=key, computed_at=timezone.now() - timedelta(hours=1)
        )

    html = page(client, "montalto")
    assert LATE_NOTE in html
    assert "più tempo fa del solito" in page(client, "montalto", "it")
    assert waiting(broker_app) == 2  # one computation per language
    # "as of" names the day the figures are for, not today
    assert Snapshot.objects.count() == 2
    with translation.override("en"):
        assert f"as of {date_format(yesterday, 'DATE_FORMAT')}" in html
        assert f"as of {date_format(today, 'DATE_FORMAT')}" not in html


@pytest.mark.django_db(transaction=True)
def test_the_api_says_when_figures_were_computed_and_whether_they_are_late(
    on,  # noqa: F811
    broker_app,  # noqa: F811
    client,
    alice,
    montalto,
):
    sign_in(client, alice)
    query = {"administration": "montalto"}
    first = client.get("/api/v1/scorecard/", query).json()
    assert first["stale"] is False and first["as_of"] == str(Snapshot.objects.get().day)
    make_late()
    late = client.get("/api/v1/scorecard/", query).json()
    assert late["stale"] is True
    assert datetime.fromisoformat(late["computed_at"]) < datetime.fromisoformat(
        first["computed_at"]
    )
    assert waiting(broker_app) == 1


def test_without_a_worker_a_late_snapshot_is_computed_by_the_page(on, client, alice, montalto):  # noqa: F811
    sign_in(client, alice)
    page(client, "montalto")
    new_service(montalto)
    make_late()
    html = page(client, "montalto")
    assert value_of(html, KEY) == ("0.0", "0", "1") and LATE_NOTE not in html


def test_a_report_for_a_day_takes_that_days_figures_only(on, settings, client, alice, montalto):  # noqa: F811
    """A report is as of the day it names: another day's snapshot, or a late one, is not it."""
    from insieme.celery import app

    sign_in(client, alice)
    page(client, "montalto")
    new_service(montalto)
    make_late()
    late_display = Snapshot.objects.get().payload[KEY]["result"]["display"]
    app.conf.task_always_eager = False  # as if a worker ran: the page would show the late one
    try:
        response = client.get(reverse("reports:scorecard", args=["montalto"]))
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 200
    expected = str(indicators.get(KEY).compute(Scope.of(montalto)).display)
    assert late_display != expected
    assert shown_in_report(response.content.decode(), KEY) == expected
    assert Snapshot.objects.get().computed_at > timezone.now() - timedelta(seconds=60)


def shown_in_report(html: str, key: str) -> str:
    """The value the report shows for indicator `key`."""
    title = re.escape(escape(str(indicators.get(key).title)))
    match = re.search(rf"{title}</span>.*?</th>\s*<td>(.*?)</td>", html, flags=re.S)
    assert match, key
    return unescape(match.group(1)).strip()


def test_the_task_refuses_what_it_cannot_compute(on, montalto):  # noqa: F811
    assert refresh_scorecard([montalto.pk], "xx") is False  # no such language
    assert refresh_scorecard([montalto.pk, 987654], "en") is False  # one deleted since
    assert refresh_scorecard([], "en") is False
    assert refresh_scorecard(["x"], "en") is False and refresh_scorecard(None, "en") is False
    assert not Snapshot.objects.exists()
    assert refresh_scorecard([montalto.pk], "it") is True
    assert Snapshot.objects.get().language == "it"


def test_the_task_does_nothing_with_snapshots_off(settings, montalto):
    settings.INSIEME_SCORECARD_MAX_AGE = 0
    assert refresh_scorecard([montalto.pk], "en") is False
    assert not Snapshot.objects.exists()


def test_a_stored_snapshot_lets_a_page_ask_again(on, montalto):  # noqa: F811
    """The flag that stops a second request goes when a snapshot is stored, so a page finding
    it late later asks for another computation."""
    from django.core.cache import cache

    scope = Scope.of(montalto)
    key = snapshots.key_for(scope, "en")
    cache.add(snapshots.refresh_flag(key), 1)
    assert refresh_scorecard([montalto.pk], "en") is True
    assert cache.get(snapshots.refresh_flag(key)) is None


def test_the_home_pages_headline_figures_read_the_installations_snapshot(on, client, montalto):  # noqa: F811
    """The installation's scope (the region with all it hosts) is one the worker keeps: the home
    page's headline figures come from its snapshot, not from the records."""
    from insieme.insights import home
    from insieme.insights.tasks import refresh_scorecards

    scope = home.installation_scope()
    assert refresh_scorecards() > 0
    headline = next(i for i in indicators if i.headline)
    row = Snapshot.objects.get(key=snapshots.key_for(scope, "en"))
    row.payload[headline.key]["result"]["display"] = "12,345 (from the snapshot)"
    row.save(update_fields=["payload"])
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "12,345 (from the snapshot)" in html


@pytest.mark.django_db(transaction=True)
def test_the_home_page_never_computes_the_figures_where_a_worker_will(
    on,  # noqa: F811
    broker_app,  # noqa: F811
    ran,  # noqa: F811
    client,
    montalto,
):
    """With no snapshot yet and a worker running, the home page answers at once without the
    headline figures and asks the worker, once; a minute later it shows the worker's figures."""
    from django.core.cache import cache

    from insieme.insights import home

    runs, finished = ran
    client.cookies["django_language"] = "en"
    first = client.get("/").content.decode()
    assert first.count("home-figures-heading") == 0
    assert not Snapshot.objects.exists()  # nothing computed by the page
    assert waiting(broker_app) == 1
    cache.delete("home:headline-figures:en")  # as if the minute had passed
    client.get("/")
    assert waiting(broker_app) == 1  # asked once, not by every visitor

    with running_worker(broker_app):
        assert finished.wait(TASK_TIMEOUT), "the worker did not run the task in time"
    assert [name for name, _eager, _queue in runs] == [refresh_scorecard.name]
    assert Snapshot.objects.filter(key=snapshots.key_for(home.installation_scope(), "en")).exists()
    cache.delete("home:headline-figures:en")
    later = client.get("/").content.decode()
    assert "home-figures-heading" in later
