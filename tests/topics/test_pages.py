"""The topics page, its CSV and a topic's page, as staff meet them: what they show, who may see
them, bad input, and no personal data."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from insieme.topics import actions
from insieme.topics.models import Topic
from tests.conftest import sign_in
from tests.topics.conftest import (
    LIGHTS,
    POTHOLES,
    PRIVATE_EMAIL,
    PRIVATE_PHONE,
    WITH_PII,
    file_report,
)

pytestmark = pytest.mark.django_db

LIST = "/staff/montalto/topics/"
CSV = "/staff/montalto/topics/topics.csv"


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_page_shows_the_two_themes_with_figures(client, run, dario):
    sign_in(client, dario)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "fall into 2 topics" in page
    labels = list(run.topics.values_list("label", flat=True))
    assert any("buca" in label for label in labels), labels
    assert any("luce" in label for label in labels), labels
    for topic in run.topics.all():
        assert reverse("topics:staff_detail", args=["montalto", topic.pk]) in page
    assert "Trending" in page or "Last 28 days" in page
    assert "at least 10 texts" in page  # the rule, stated


def test_the_csv_has_raw_numbers_and_adds_up(client, run, dario):
    sign_in(client, dario)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert len(rows) == 2
    assert sum(int(r["texts"]) for r in rows) == run.assigned == run.documents == 23
    assert sum(int(r["cases"]) for r in rows) == 21
    assert sum(int(r["ideas"]) for r in rows) == 2
    assert sum(float(r["share"]) for r in rows) == pytest.approx(1.0)
    lights = next(r for r in rows if "luce" in r["label"])
    assert int(lights["ideas"]) == 2  # both ideas are about lights
    # Everything was written today: all of it is in the recent window.
    assert int(lights["recent_texts"]) == int(lights["texts"])
    assert lights["before_texts"] == "0" and lights["before_share"] == ""
    assert lights["trending"] == "1"


def test_filter_by_source_counts_that_source_only(client, run, dario):
    sign_in(client, dario)
    rows = rows_of(client.get(CSV, {"source": "ideas"}))
    assert len(rows) == 1  # only the lights topic draws on ideas
    assert "luce" in rows[0]["label"]
    assert (rows[0]["texts"], rows[0]["share"], rows[0]["cases"]) == ("2", "1.0", "0")
    page = client.get(LIST, {"source": "ideas"}).content.decode()
    assert "Più lampioni" in page or "lampioni" in page.lower()


@pytest.mark.parametrize("value", ["spam", "case", "a\x01b", "x" * 500])
def test_a_bad_source_is_a_400(client, run, dario, value):
    sign_in(client, dario)
    response = client.get(LIST, {"source": value})
    assert response.status_code == 400
    if value.isprintable():  # a control character is refused before the view, as everywhere
        assert "no such source" in response.content.decode()
    assert client.get(CSV, {"source": value}).status_code == 400


def test_a_topic_page_lists_examples_and_weighted_terms(client, run, dario):
    sign_in(client, dario)
    topic = run.topics.get(number=1)
    response = client.get(reverse("topics:staff_detail", args=["montalto", topic.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for term, weight in topic.terms:
        assert f'<th scope="row">{term}</th><td>{weight:.3f}</td>' in page
    for example in topic.examples:
        assert example["text"].split()[0] in page


def test_no_personal_data_in_page_or_csv(client, cat, charlie, montalto, dario):
    # Few texts, so the report with an e-mail address and a phone number is among the
    # examples its topic shows (up to three per source).
    for text in [*POTHOLES[:3], LIGHTS[0], LIGHTS[1], WITH_PII]:
        file_report(cat, charlie, text)
    run = actions.compute(None, montalto, seed=7)
    light = next(t for t in run.topics.all() if "lampione" in t.label)
    assert any("[e-mail hidden]" in e["text"] for e in light.examples)
    sign_in(client, dario)
    outputs = [
        client.get(LIST).content.decode(),
        client.get(CSV).content.decode(),
        client.get(reverse("topics:staff_detail", args=["montalto", light.pk])).content.decode(),
    ]
    assert "[e-mail hidden]" in outputs[2]
    for text in outputs:
        assert PRIVATE_EMAIL not in text
        assert "765 4321" not in text and PRIVATE_PHONE not in text
    stored = " ".join(e["text"] for t in Topic.objects.all() for e in t.examples)
    assert PRIVATE_EMAIL not in stored and "765 4321" not in stored
    assert any(PRIVATE_EMAIL in c.description for c in montalto.cases.all())  # it was written


def test_the_improvement_link_only_for_those_who_may_open_one(client, run, dario, elena):
    topic = run.topics.get(number=1)
    sign_in(client, dario)  # a supervisor manages improvements
    page = client.get(LIST).content.decode()
    assert "Open an improvement item" in page
    href = page.split('href="/staff/montalto/improvements/new/?')[1].split('"')[0]
    query = parse_qs(href.replace("&amp;", "&"))
    assert query["source"] == ["topic"]
    assert query["detail"][0] in {t.label for t in run.topics.all()}
    assert len(query["detail"][0]) <= 300
    detail = client.get(reverse("topics:staff_detail", args=["montalto", topic.pk]))
    assert "Open an improvement item" in detail.content.decode()
    client.logout()
    sign_in(client, elena)  # a data steward reads topics but manages no improvement
    assert client.get(LIST).status_code == 200
    assert "Open an improvement item" not in client.get(LIST).content.decode()
    assert urlsplit(LIST).path == LIST


@pytest.mark.parametrize("who, status", [("charlie", 404), ("bob", 403), ("oscar", 404)])
def test_who_may_not_read_topics(client, run, request, who, status):
    sign_in(client, request.getfixturevalue(who))
    topic = run.topics.first()
    assert client.get(LIST).status_code == status
    assert client.get(CSV).status_code == status
    assert client.get(f"{LIST}{topic.pk}/").status_code == status


def test_anonymous_is_sent_to_sign_in(client, run):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_a_topic_of_another_administration_or_an_older_run_is_404(
    client, run, texts, dario, oscar, lagoverde
):
    sign_in(client, dario)
    old = run.topics.first()
    actions.compute(None, texts, seed=7)  # a newer run: the page reads it
    assert client.get(f"{LIST}{old.pk}/").status_code == 404
    other = actions.compute(None, lagoverde, seed=7)
    assert other.documents == 0 and not other.topics.exists()
    assert client.get(f"{LIST}999999/").status_code == 404
    client.logout()
    sign_in(client, oscar)
    page = client.get("/staff/lago-verde/topics/")
    assert page.status_code == 200
    assert "No topics have been computed" not in page.content.decode()
    newest = texts.topic_runs.first().topics.first()
    assert client.get(f"/staff/lago-verde/topics/{newest.pk}/").status_code == 404


def test_no_run_yet(client, montalto, dario):
    sign_in(client, dario)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "No topics have been computed" in response.content.decode()
    assert rows_of(client.get(CSV)) == []


def test_the_dashboard_links_to_the_topics(client, montalto, dario, bob):
    sign_in(client, dario)
    assert LIST in client.get("/staff/montalto/").content.decode()
    client.logout()
    sign_in(client, bob)
    assert LIST not in client.get("/staff/montalto/").content.decode()
