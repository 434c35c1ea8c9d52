"""The REST API's participation endpoints (insieme/participation/api.py): public processes only,
visible ideas and comments only, no personal data anywhere, the API's error format for bad
input, a fixed number of queries per list, and the OpenAPI schema they conform to. Also the
participation webhook events: no personal data, nothing of a hidden comment."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from insieme.catalog import actions as catalog_actions
from insieme.core import actions as core_actions
from insieme.core.models import ApiKey
from insieme.participation import actions, display
from insieme.participation.models import Comment, Idea, PhaseKind
from insieme.webhooks import actions as webhook_actions
from insieme.webhooks.models import Delivery
from tests.conftest import make_user
from tests.participation.conftest import make_idea, make_process

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def get(url: str, key: str | None = None, user=None, **headers):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    if user is not None:
        from tests.conftest import sign_in

        sign_in(client, user)
    return client.get(url, **headers)


def ok(url: str, **kwargs) -> dict:
    response = get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def error(url: str, status: int, code: str, **kwargs) -> dict:
    response = get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"], body
    return body


def key_of(admin, *scopes: str) -> str:
    _key, raw = core_actions.create_api_key(None, admin, name="app", scopes=list(scopes))
    return raw


def slugs(body: dict) -> list[str]:
    return [f"{p['administration']}/{p['slug']}" for p in body["results"]]


@pytest.fixture
def world(
    process, category, idea_box, round_table, carla, charlie, sara, paola, bob, lagoverde, oscar
):
    """Ideas and comments of every kind in Montalto's public process, and non-public ones."""
    w = type("World", (), {})()
    w.process, w.category = process, category
    w.idea_box, w.round_table = idea_box, round_table
    w.draft = make_process(process.administration, carla, slug="bozza", published=False)
    w.idea = make_idea(process, charlie, category=category, show_name=True)
    w.sara_idea = make_idea(process, sara, title="Una fontana", body="Acqua.", show_name=False)
    # Paola is a member of an invited partner organisation: her idea is the organisation's.
    w.partner_idea = make_idea(
        process, paola, title="Orti condivisi", body="Coltiviamo insieme.", show_name=True
    )
    w.employee_idea = make_idea(process, bob, title="Idea interna", body="Dal personale.")
    w.held_idea = make_idea(process, sara, title="Compra orologi", body="spam spam")
    Idea.objects.filter(pk=w.held_idea.pk).update(held_at=timezone.now())
    w.box_idea = make_idea(idea_box, bob, title="Nella cassetta", body="Solo personale.")
    for _ in range(3):
        actions.support_idea(make_user(f"s{_}@example.org", f"Supporter{_} Person"), w.idea)
    actions.answer_idea(carla, w.idea, kind="accepted", text="Lo faremo in primavera.")
    w.comment = actions.add_comment(charlie, idea=w.idea, body="Ottima idea!", limit=False)
    w.reply = actions.add_comment(
        sara, idea=w.idea, parent=w.comment, body="Concordo.", limit=False
    )
    w.official = actions.add_comment(
        carla, idea=w.idea, body="Ne parliamo in giunta.", official=True, limit=False
    )
    w.hidden = actions.add_comment(sara, idea=w.idea, body="SEGRETO NASCOSTO", limit=False)
    actions.hide_comment(carla, w.hidden, "Offensive.")
    w.held = actions.add_comment(sara, idea=w.idea, body="TRATTENUTO DAL FILTRO", limit=False)
    Comment.objects.filter(pk=w.held.pk).update(held_at=timezone.now())
    w.process_comment = actions.add_comment(
        paola, process=process, body="Il Girasole partecipa.", limit=False
    )
    w.process_hidden = actions.add_comment(
        charlie, process=process, body="PROCESSO NASCOSTO", limit=False
    )
    actions.hide_comment(carla, w.process_hidden, "Personal data.")
    w.box_comment = actions.add_comment(bob, idea=w.box_idea, body="Interno.", limit=False)
    w.lv_process = make_process(lagoverde, None, slug="lago", current=PhaseKind.VOTING)
    return w


# --- who sees which process ---------------------------------------------------------------------


def test_only_public_processes_are_listed_whoever_calls(world, montalto, bob, paola, carla):
    everyone = ["lago-verde/lago", "montalto/parchi"]
    assert slugs(ok(f"{API}processes/")) == everyone
    assert slugs(ok(f"{API}processes/", key=key_of(montalto, "services:read"))) == everyone
    # Not even the staff of the administration nor the invited partner, through the API.
    for person in (bob, paola, carla):
        assert slugs(ok(f"{API}processes/", user=person)) == everyone


@pytest.mark.parametrize("slug", ["cassetta", "tavolo", "bozza", "nowhere"])
def test_non_public_processes_answer_404_in_the_api_format(world, montalto, bob, slug):
    base = f"{API}processes/montalto/{slug}/"
    for url in (base, base + "ideas/", base + "comments/"):
        error(url, 404, "not_found")
        error(url, 404, "not_found", key=key_of(montalto, "services:read"))
        error(url, 404, "not_found", user=bob)


def test_ideas_and_comments_of_non_public_processes_answer_404(world):
    error(f"{API}ideas/{world.box_idea.pk}/", 404, "not_found")
    error(f"{API}ideas/{world.box_idea.pk}/comments/", 404, "not_found")
    error(f"{API}processes/nowhere/parchi/", 404, "not_found")


def test_process_filters(world):
    assert slugs(ok(f"{API}processes/?administration=montalto")) == ["montalto/parchi"]
    assert slugs(ok(f"{API}processes/?administration=lago-verde")) == ["lago-verde/lago"]
    assert slugs(ok(f"{API}processes/?phase=ideation")) == ["montalto/parchi"]
    assert slugs(ok(f"{API}processes/?phase=voting")) == ["lago-verde/lago"]
    assert slugs(ok(f"{API}processes/?phase=evaluation")) == []
    body = error(f"{API}processes/?administration=nowhere", 400, "validation_error")
    assert "administration" in body["error"]["fields"]
    error(f"{API}processes/?phase=brainstorm", 400, "validation_error")


def test_process_detail(world):
    body = ok(f"{API}processes/montalto/parchi/", HTTP_ACCEPT_LANGUAGE="en")
    assert body["title"] == "Ideas for the parks" and body["audience"] == "public"
    assert [p["kind"] for p in body["phases"]] == ["information", "ideation", "voting"]
    assert body["current_phase"]["kind"] == "ideation" and body["status"] == "open"
    assert body["phases"][1]["starts_on"] <= timezone.localdate().isoformat()
    assert [c["name"] for c in body["categories"]] == ["Greenery"]
    counts = body["counts"]
    assert counts["ideas"] == 4  # the held idea is not counted
    assert counts["accepted"] == 1 and counts["unanswered"] == 3 and counts["supports"] == 3
    assert counts["comments"] == 1  # the hidden one is not counted
    assert counts["idea_comments"] == 3  # nor the hidden nor the held one
    assert body["ideas_url"].endswith("/api/v1/processes/montalto/parchi/ideas/")
    assert body["web_url"].endswith("/participation/montalto/parchi/")


def test_process_detail_lists_published_services(world, carla, montalto):
    service = catalog_actions.create_service(
        None, montalto, code="parks", name="Park upkeep", kind="report", channels=["web"]
    )
    draft = catalog_actions.create_service(
        None, montalto, code="parks-draft", name="Draft", channels=["web"], status="draft"
    )
    process = world.process
    process.services.add(service, draft)
    body = ok(f"{API}processes/montalto/parchi/")
    assert [s["code"] for s in body["services"]] == ["parks"]
    assert body["services"][0]["url"].endswith(f"/api/v1/services/{service.pk}/")


# --- ideas --------------------------------------------------------------------------------------


def titles(body: dict) -> list[str]:
    return [i["title"] for i in body["results"]]


def test_idea_list_shows_visible_ideas_newest_first(world):
    body = ok(f"{API}processes/montalto/parchi/ideas/")
    assert titles(body) == [
        "Idea interna",
        "Orti condivisi",
        "Una fontana",
        "Più panchine all'ombra",
    ]
    assert "Compra orologi" not in json.dumps(body)  # held for review


def test_idea_list_filters_and_ordering(world):
    base = f"{API}processes/montalto/parchi/ideas/"
    assert titles(ok(f"{base}?category={world.category.pk}")) == ["Più panchine all'ombra"]
    assert titles(ok(f"{base}?answer=accepted")) == ["Più panchine all'ombra"]
    assert len(ok(f"{base}?answer=none")["results"]) == 3
    assert titles(ok(f"{base}?author_type=partner")) == ["Orti condivisi"]
    assert titles(ok(f"{base}?author_type=employee")) == ["Idea interna"]
    assert titles(ok(f"{base}?ordering=supports"))[0] == "Più panchine all'ombra"
    assert titles(ok(f"{base}?ordering=recent"))[0] == "Idea interna"
    first = ok(f"{base}?category={world.category.pk}")["results"][0]
    assert first["category"]["id"] == world.category.pk
    assert first["supports_count"] == 3 and first["comments_count"] == 3
    assert first["answer"] == "accepted"


@pytest.mark.parametrize(
    "query",
    [
        "category=abc",
        "category=0",
        "category=99999999999999999999999999",
        "answer=maybe",
        "author_type=robot",
        "state=gone",
        "ordering=random",
        "cursor=not-a-cursor",
    ],
)
def test_bad_idea_filters_answer_400(world, query):
    body = error(f"{API}processes/montalto/parchi/ideas/?{query}", 400, "validation_error")
    assert body["error"]["fields"]


def test_huge_page_sizes_are_capped_and_page_numbers_ignored(world):
    base = f"{API}processes/montalto/parchi/ideas/"
    assert len(ok(f"{base}?page_size=99999999999999999999")["results"]) == 4
    assert len(ok(f"{base}?page=99999999999999999999")["results"]) == 4
    error(f"{API}ideas/99999999999999999999999/", 404, "not_found")
    error(f"{API}ideas/0/", 404, "not_found")


def test_pagination_follows_next_to_the_end(world):
    url = f"{API}processes/montalto/parchi/ideas/?page_size=1&ordering=supports"
    seen = []
    while url:
        body = ok(url)
        assert len(body["results"]) <= 1
        seen += titles(body)
        url = body["next"]
    assert len(seen) == 4 and len(set(seen)) == 4
    assert seen[0] == "Più panchine all'ombra"
    back = ok(f"{API}processes/montalto/parchi/comments/?page_size=1")
    assert back["next"] is None and len(back["results"]) == 1


def test_idea_detail_with_answers_and_links(world, carla, charlie):
    into = make_idea(world.process, charlie, title="Panchine e ombra", body="Alberi e panchine.")
    actions.merge_ideas(carla, world.sara_idea, into)
    body = ok(f"{API}ideas/{world.idea.pk}/")
    assert body["supports_count"] == 3
    assert [(a["kind"], a["text"], a["administration"]) for a in body["official_answers"]] == [
        ("accepted", "Lo faremo in primavera.", "Comune di Montalto")
    ]
    assert body["author_type"] == "citizen" and body["organisation"] is None
    merged = ok(f"{API}ideas/{world.sara_idea.pk}/")
    assert merged["state"] == "merged" and merged["merged_into"]["id"] == into.pk
    target = ok(f"{API}ideas/{into.pk}/")
    assert [i["id"] for i in target["merged_from"]] == [world.sara_idea.pk]
    parts = actions.split_idea(
        carla, world.employee_idea, [{"title": "Uno", "body": "a"}, {"title": "Due", "body": "b"}]
    )
    parent = ok(f"{API}ideas/{world.employee_idea.pk}/")
    assert sorted(i["id"] for i in parent["split_into"]) == sorted(p.pk for p in parts)
    assert ok(f"{API}ideas/{parts[0].pk}/")["split_from"]["id"] == world.employee_idea.pk


def test_partner_ideas_carry_the_organisation_not_the_person(world):
    body = ok(f"{API}ideas/{world.partner_idea.pk}/")
    assert body["author_type"] == "partner"
    assert body["organisation"] == "Cooperativa Il Girasole"
    assert ok(f"{API}ideas/{world.employee_idea.pk}/")["author_type"] == "employee"


def test_held_and_hidden_ideas_answer_404(world, carla):
    error(f"{API}ideas/{world.held_idea.pk}/", 404, "not_found")
    error(f"{API}ideas/{world.held_idea.pk}/comments/", 404, "not_found")
    Idea.objects.filter(pk=world.sara_idea.pk).update(hidden_at=timezone.now())
    error(f"{API}ideas/{world.sara_idea.pk}/", 404, "not_found")
    assert "Una fontana" not in json.dumps(ok(f"{API}processes/montalto/parchi/ideas/"))


# --- comments -----------------------------------------------------------------------------------


def test_idea_comments_never_show_hidden_or_held_ones(world):
    response = get(f"{API}ideas/{world.idea.pk}/comments/")
    body = response.json()
    ids = [c["id"] for c in body["results"]]
    assert ids == [world.comment.pk, world.reply.pk, world.official.pk]
    text = response.content.decode()
    assert "SEGRETO NASCOSTO" not in text and "TRATTENUTO" not in text
    assert "Offensive." not in text  # not even the reason: the comment is left out
    reply = body["results"][1]
    assert reply["parent"] == world.comment.pk and reply["root"] == world.comment.pk
    assert reply["depth"] == 1
    official = body["results"][2]
    assert official["official"] is True and official["administration"] == "Comune di Montalto"
    assert body["results"][0]["official"] is False and body["results"][0]["administration"] is None


def test_process_comments(world):
    response = get(f"{API}processes/montalto/parchi/comments/")
    body = response.json()
    assert [c["body"] for c in body["results"]] == ["Il Girasole partecipa."]
    assert body["results"][0]["organisation"] == "Cooperativa Il Girasole"
    assert "PROCESSO NASCOSTO" not in response.content.decode()


def test_a_comment_hidden_later_disappears_and_shown_again_returns(world, carla):
    actions.hide_comment(carla, world.comment, "Spam.")
    ids = [c["id"] for c in ok(f"{API}ideas/{world.idea.pk}/comments/")["results"]]
    assert world.comment.pk not in ids and world.reply.pk in ids
    actions.restore_comment(carla, Comment.objects.get(pk=world.comment.pk), "A mistake.")
    ids = [c["id"] for c in ok(f"{API}ideas/{world.idea.pk}/comments/")["results"]]
    assert world.comment.pk in ids


# --- no personal data ---------------------------------------------------------------------------


def test_no_personal_data_in_any_answer(world, alice, bob, carla, charlie, sara, paola, montalto):
    urls = [
        f"{API}processes/",
        f"{API}processes/montalto/parchi/",
        f"{API}processes/montalto/parchi/ideas/",
        f"{API}processes/montalto/parchi/ideas/?ordering=supports",
        f"{API}processes/montalto/parchi/comments/",
    ]
    for idea in (world.idea, world.sara_idea, world.partner_idea, world.employee_idea):
        urls += [f"{API}ideas/{idea.pk}/", f"{API}ideas/{idea.pk}/comments/"]
    people = [alice, bob, carla, charlie, sara, paola, *world.idea.supports.all()]
    secrets = set()
    for person in people:
        user = getattr(person, "user", person)
        secrets |= {user.email, user.full_name, display.short_name(user)}
        secrets |= {user.email.split("@")[0]}
    key = key_of(montalto, *[scope for scope, _label in ApiKey.SCOPES])
    for url in urls:
        for kwargs in ({}, {"key": key}, {"user": carla}):
            text = get(url, **kwargs).content.decode()
            found = [s for s in secrets if s.lower() in text.lower()]
            assert not found, (url, kwargs.keys(), found)
            assert "@" not in text, url


# --- a fixed number of queries ------------------------------------------------------------------


def _grow(world, n: int, people) -> None:
    for i in range(n):
        idea = make_idea(world.process, people[i % len(people)], title=f"Idea {i}", body="b")
        root = actions.add_comment(people[0], idea=idea, body="c", limit=False)
        actions.add_comment(people[1], idea=idea, parent=root, body="r", limit=False)
        actions.add_comment(people[i % 2], process=world.process, body="p", limit=False)


LISTS = [
    f"{API}processes/",
    f"{API}processes/?phase=ideation&administration=montalto",
    f"{API}processes/montalto/parchi/",
    f"{API}processes/montalto/parchi/ideas/",
    f"{API}processes/montalto/parchi/ideas/?ordering=supports&answer=none",
    f"{API}processes/montalto/parchi/comments/",
]


def _queries(url: str, django_assert_num_queries, expected: int | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if expected is None:
        with CaptureQueriesContext(connection) as ctx:
            assert get(url).status_code == 200
        return len(ctx.captured_queries)
    with django_assert_num_queries(expected):
        assert get(url).status_code == 200
    return expected


def test_list_queries_do_not_grow_with_the_rows(
    world, django_assert_num_queries, charlie, sara, carla
):
    people = [charlie, sara]
    _grow(world, 2, people)
    few = {url: _queries(url, django_assert_num_queries) for url in LISTS}
    idea_comments = f"{API}ideas/{world.idea.pk}/comments/"
    few[idea_comments] = _queries(idea_comments, django_assert_num_queries)
    _grow(world, 25, people)
    for _ in range(10):
        actions.add_comment(charlie, idea=world.idea, body="more", limit=False)
    for extra in range(3):
        make_process(world.process.administration, None, slug=f"altro-{extra}")
    for url, expected in few.items():
        _queries(url, django_assert_num_queries, expected)
    assert max(few.values()) <= 12


# --- the schema ---------------------------------------------------------------------------------


PATHS = [
    "/api/v1/processes/",
    "/api/v1/processes/{admin_slug}/{slug}/",
    "/api/v1/processes/{admin_slug}/{slug}/ideas/",
    "/api/v1/processes/{admin_slug}/{slug}/comments/",
    "/api/v1/ideas/{id}/",
    "/api/v1/ideas/{id}/comments/",
]


def test_the_schema_and_the_swagger_page_list_the_endpoints(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path in PATHS:
        assert "get" in schema["paths"][path], path
    ideas = schema["paths"]["/api/v1/processes/{admin_slug}/{slug}/ideas/"]["get"]
    names = {p["name"] for p in ideas["parameters"]}
    assert {"category", "answer", "author_type", "ordering", "cursor", "page_size"} <= names
    assert {"200", "400", "404"} <= set(ideas["responses"])
    idea = schema["components"]["schemas"]["IdeaDetail"]["properties"]
    assert "official_answers" in idea and "author" not in idea and "email" not in json.dumps(idea)
    assert client.get("/api/docs/").status_code == 200


@pytest.fixture
def participation_schema(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": None, "api_user": None, "api_address": None},
    }
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_answers_conform_to_the_schema(participation_schema, world):
    """Generated requests to each participation operation (schemathesis): never a server
    error, always a documented status and a body of the documented shape; and the real
    objects' answers conform too."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    done = []
    for result in participation_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(("/api/v1/processes", "/api/v1/ideas")):
            continue
        done.append(operation.path)

        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(checks=checks)

        run()
        real = {"admin_slug": "montalto", "slug": "parchi", "id": world.idea.pk}
        params = {k: v for k, v in real.items() if "{" + k + "}" in operation.path}
        case = operation.Case(path_parameters=params)
        response = case.call()
        assert response.status_code == 200, (operation.path, response.text[:200])
        case.validate_response(response, checks=checks)
    assert sorted(set(done)) == sorted(PATHS)


# --- webhooks and feeds -------------------------------------------------------------------------


PARTICIPATION_EVENTS = [
    "participation.idea_created",
    "participation.idea_answered",
    "participation.phase_started",
]


def test_webhook_events_carry_no_personal_data_nor_hidden_comments(
    montalto, carla, charlie, sara, paola, bob, idea_box, settings
):
    settings.WEBHOOKS_DISPATCH = "manual"
    webhook_actions.create_subscription(
        None,
        montalto,
        name="integrator",
        url="https://hooks.example.net/in",
        event_types=PARTICIPATION_EVENTS,
    )
    process = make_process(montalto, carla, slug="eventi")
    idea = make_idea(process, charlie, show_name=True)
    partner_idea = make_idea(process, paola, title="Dal partner", body="Testo.")
    comment = actions.add_comment(sara, idea=idea, body="COMMENTO NASCOSTO", limit=False)
    actions.hide_comment(carla, comment, "Abuse.")
    actions.add_comment(sara, idea=idea, body="COMMENTO VISIBILE", limit=False)
    actions.answer_idea(carla, idea, kind="evaluating", text="Ci pensiamo.")
    actions.answer_idea(carla, partner_idea, kind="rejected", text="Non possibile.")
    # Nothing of the internal idea box goes out.
    box_idea = make_idea(idea_box, bob, title="Interna", body="Solo per noi.")
    actions.answer_idea(carla, box_idea, kind="accepted", text="Sì.")
    deliveries = list(Delivery.objects.all())
    kinds = sorted(d.event_type for d in deliveries)
    assert kinds.count("participation.idea_created") == 2
    assert kinds.count("participation.idea_answered") == 2
    assert "participation.phase_started" in kinds
    text = json.dumps([d.payload for d in deliveries])
    for person in (carla, charlie, sara, paola, bob):
        for secret in (person.email, person.full_name, display.short_name(person)):
            assert secret not in text, secret
    assert "COMMENTO" not in text  # no comment reaches a webhook, hidden or not
    assert "Interna" not in text and "cassetta" not in text
    assert "participation.idea_decided" not in kinds  # the apps' own event never leaves
    created = [d.payload for d in deliveries if d.event_type == "participation.idea_created"]
    assert {json.dumps(p["data"], sort_keys=True).count("author_type") for p in created} == {1}


def test_no_event_type_of_participation_is_about_comments():
    """A hidden comment can reach no webhook because no comment is an event: if one is ever
    added, it must leave hidden and held comments out (and this test must be changed)."""
    from insieme.core.events import EVENT_TYPES

    ours = sorted(name for name in EVENT_TYPES if name.startswith("participation."))
    assert ours == sorted(PARTICIPATION_EVENTS)


def test_what_the_spam_filter_holds_reaches_no_webhook_and_no_answer(
    montalto, carla, charlie, sara, monkeypatch, settings
):
    """An idea and a comment the spam filter holds: no event, absent from every API answer;
    once a moderator releases the idea, it is listed."""
    from insieme.participation import spam

    settings.WEBHOOKS_DISPATCH = "manual"
    webhook_actions.create_subscription(
        None,
        montalto,
        name="i",
        url="https://hooks.example.net/in",
        event_types=PARTICIPATION_EVENTS,
    )
    process = make_process(montalto, carla, slug="filtro")
    fine = make_idea(process, charlie, title="Idea pulita", body="Testo.")
    monkeypatch.setattr(spam, "verdict", lambda admin_id, text: 0.99)
    held = make_idea(process, sara, title="OROLOGI SCONTATI", body="compra ora")
    comment = actions.add_comment(sara, idea=fine, body="CLICCA QUI", limit=False)
    assert held.held_at is not None and comment.held_at is not None
    payloads = json.dumps([d.payload for d in Delivery.objects.all()])
    assert "OROLOGI" not in payloads and "CLICCA" not in payloads
    answers = [
        get(f"{API}processes/montalto/filtro/ideas/"),
        get(f"{API}processes/montalto/filtro/"),
        get(f"{API}ideas/{fine.pk}/comments/"),
    ]
    for response in answers:
        assert response.status_code == 200
        assert "OROLOGI" not in response.content.decode()
        assert "CLICCA" not in response.content.decode()
    assert answers[1].json()["counts"]["ideas"] == 1
    error(f"{API}ideas/{held.pk}/", 404, "not_found")
    actions.release_idea(carla, held, "")
    assert "OROLOGI SCONTATI" in titles(ok(f"{API}processes/montalto/filtro/ideas/"))


def test_the_apps_internal_event_cannot_be_subscribed_to(montalto):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown event types"):
        webhook_actions.create_subscription(
            None,
            montalto,
            name="curious",
            url="https://hooks.example.net/in",
            event_types=["participation.idea_decided"],
        )
