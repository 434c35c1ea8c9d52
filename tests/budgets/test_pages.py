"""Pages and screens: the public budget page and its panel on the process page, the staff
screens and who opens them, the REST API (no counts before the results, never voters), query
counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insieme.budgets.models import Budget, Project
from insieme.participation.models import Audience
from tests.budgets.conftest import add_projects, budget_url, make_budget
from tests.participation.conftest import make_process


def test_the_budget_page_shows_projects_and_costs_without_counts(client, budget, projects):
    html = client.get(budget_url(budget)).content.decode()
    assert "Participatory budget 2026" in html and "€\xa060,000" in html
    assert "Parco giochi 0" in html and ">Votes<" not in html
    italian = client.get(budget_url(budget), HTTP_ACCEPT_LANGUAGE="it")
    assert italian.status_code == 200


def test_the_process_page_links_its_budget(client, budget, voting_process):
    html = client.get(f"/participation/montalto/{voting_process.slug}/").content.decode()
    assert budget_url(budget) in html and 'id="budgets"' in html


def test_a_budget_in_an_internal_idea_box_is_not_public(
    client, persona_client, montalto, carla, charlie
):
    box = make_process(
        montalto, carla, slug="interno", audience=Audience.EMPLOYEES, current="voting"
    )
    hidden = make_budget(box, carla)
    assert client.get(budget_url(hidden)).status_code == 404
    assert persona_client(charlie).get(budget_url(hidden)).status_code == 404
    assert client.get(f"/api/v1/budgets/{hidden.pk}/").status_code == 404


def test_unknown_and_malformed_ids_are_404(client, budget):
    base = f"/participation/montalto/{budget.process.slug}/budgets/"
    assert client.get(base + "999999/").status_code == 404
    assert client.get(base + "abc/").status_code == 404
    assert (
        client.get(
            f"/participation/lagoverde/{budget.process.slug}/budgets/{budget.pk}/"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("carla", 200),
        ("rita", 200),
        ("alice", 403),
        ("bob", 403),
        ("elena", 403),
        ("oscar", 404),
        ("charlie", 404),
    ],
)
def test_who_opens_the_budget_screens(persona_client, request, budget, projects, who, status):
    client = persona_client(request.getfixturevalue(who))
    for url in (
        "/staff/montalto/budgets/",
        "/staff/montalto/budgets/new/",
        f"/staff/montalto/budgets/{budget.pk}/",
        f"/staff/montalto/budgets/{budget.pk}/projects/new/",
        f"/staff/montalto/budgets/{budget.pk}/projects/{projects[0].pk}/",
        f"/staff/montalto/budgets/{budget.pk}/from-ideas/",
    ):
        assert client.get(url).status_code == status, url


def test_staff_create_a_budget_and_a_project(persona_client, voting_process, carla):
    client = persona_client(carla)
    response = client.post(
        "/staff/montalto/budgets/new/",
        {
            "process": voting_process.pk,
            "title": "Bilancio 2027",
            "description": "",
            "total": "50000",
            "kind": "approval",
            "max_choices": "3",
            "title__en": "Budget 2027",
            "description__en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    budget = Budget.objects.get(title="Bilancio 2027")
    assert (budget.total_cents, budget.kind, budget.max_choices) == (50_000_00, "approval", 3)
    assert budget.translations["en"]["title"] == "Budget 2027"
    new = client.post(
        f"/staff/montalto/budgets/{budget.pk}/projects/new/",
        {
            "title": "Orti urbani",
            "description": "",
            "cost": "12500.50",
            "title__en": "",
            "description__en": "",
        },
    )
    assert new.status_code == 302
    assert Project.objects.get(budget=budget).cost_cents == 12_500_50
    too_much = client.post(
        f"/staff/montalto/budgets/{budget.pk}/projects/new/",
        {"title": "Stadio", "cost": "60000", "title__en": "", "description__en": ""},
    )
    assert too_much.status_code == 400
    assert "cannot cost more than the whole budget" in too_much.content.decode()
    bad = client.post(
        "/staff/montalto/budgets/new/",
        {"process": voting_process.pk, "title": "", "total": "-1", "kind": "x"},
    )
    assert bad.status_code == 400


def test_a_budget_of_another_administration_is_404(persona_client, lagoverde, oscar, budget):
    assert persona_client(oscar).get(f"/staff/lagoverde/budgets/{budget.pk}/").status_code == 404


def test_the_api_lists_public_budgets_without_counts_before_results(client, budget, projects):
    listing = client.get("/api/v1/budgets/").json()
    assert [b["id"] for b in listing["results"]] == [budget.pk]
    detail = client.get(f"/api/v1/budgets/{budget.pk}/").json()
    assert detail["total_cents"] == 100_000_00 and detail["ballots"] is None
    assert [p["cost_cents"] for p in detail["projects"]] == [
        60_000_00,
        30_000_00,
        25_000_00,
        10_000_00,
    ]
    assert all(p["votes"] is None and p["funded"] is None for p in detail["projects"])
    assert "voter" not in str(detail) and "@" not in str(detail)
    assert client.get("/api/v1/budgets/99999999/").status_code == 404


def test_the_api_leaves_drafts_out(client, voting_process, carla):
    make_budget(voting_process, carla, is_published=False)
    assert client.get("/api/v1/budgets/").json()["results"] == []


def test_pages_read_a_fixed_number_of_queries(client, budget, carla):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add_projects(budget, carla, costs=(1_00, 2_00))
    few = (count(budget_url(budget)), count(f"/api/v1/budgets/{budget.pk}/"))
    add_projects(budget, carla, costs=(1_00,) * 12)
    many = (count(budget_url(budget)), count(f"/api/v1/budgets/{budget.pk}/"))
    assert few == many


def test_the_staff_dashboard_links_the_budgets(persona_client, carla, montalto):
    html = persona_client(carla).get("/staff/montalto/").content.decode()
    assert "/staff/montalto/budgets/" in html


def test_malformed_input_is_a_clear_4xx(
    persona_client, budget, projects, montalto_register, sara, carla
):
    from tests.budgets.conftest import SARA_CF

    client = persona_client(sara)
    verify = "/participation/montalto/budgets/verify/"
    assert (
        client.post(verify, {"fiscal_code": "AB\x00C", "birth_date": "1980-01-01"}).status_code
        == 400
    )
    assert (
        client.post(verify, {"fiscal_code": SARA_CF, "birth_date": "99999-01-01"}).status_code
        == 400
    )
    assert client.post(verify, {"fiscal_code": "x" * 500, "birth_date": ""}).status_code == 400
    assert (
        client.post(verify, {"fiscal_code": SARA_CF, "birth_date": "01/01/1980"}).status_code == 302
    )
    ballot = budget_url(budget, "ballot")
    assert client.post(ballot, {"projects": ["9" * 30], "action": "cast"}).status_code == 400
    assert client.post(ballot, {"projects": ["-1"], "action": "cast"}).status_code == 400
    staff = persona_client(carla)
    new = f"/staff/montalto/budgets/{budget.pk}/projects/new/"
    for cost in ("1e309", "abc", "0", "-5", "99999999999999999"):
        response = staff.post(
            new, {"title": "x", "cost": cost, "title__en": "", "description__en": ""}
        )
        assert response.status_code == 400, cost
    assert not Project.objects.filter(title="x").exists()
