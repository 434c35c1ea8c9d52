"""The public catalogue: no login, published services only, never staff-only data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.catalog import actions
from insieme.catalog.models import Service


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_catalogue_lists_only_published_services(cat, client):
    actions.create_service(
        None,
        cat.pothole.administration,
        code="gone",
        name="Retired thing",
        channels=["web"],
        status=Service.Status.RETIRED,
    )
    body = _page(client, reverse("catalogue"))
    assert "Pothole" in body and "Boat mooring permit" in body
    assert "Certificato di residenza" not in body  # draft
    assert "Retired thing" not in body
    assert body.count("<h1") == 1


@pytest.mark.parametrize("code", ["residence", "gone", "nonexistent"])
def test_unpublished_or_missing_service_pages_are_not_found(code, cat, client):
    actions.create_service(
        None,
        cat.pothole.administration,
        code="gone",
        name="Retired",
        channels=["web"],
        status=Service.Status.RETIRED,
    )
    assert client.get(reverse("catalogue_service", args=["montalto", code])).status_code == 404


def test_a_service_is_found_only_under_its_own_administration(cat, client):
    url = reverse("catalogue_service", args=["lago-verde", "pothole"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "found", "absent"),
    [
        ("BUCHE", "Pothole", "Boat mooring"),  # keyword, any case
        ("pothole road", "Pothole", "Boat mooring"),  # every word must match
        ("mooring", "Boat mooring", "Pothole"),
        ("Lake", "Boat mooring", "Pothole"),  # group
        ("hole road", "Pothole", "Boat mooring"),  # description
    ],
)
def test_search(query, found, absent, cat, client):
    body = _page(client, reverse("catalogue") + "?q=" + query)
    assert found in body and absent not in body


def test_search_ignores_accents_and_case(cat, client):
    service = Service.objects.get(code="residence")
    actions.update_service(None, service, status=Service.Status.PUBLISHED)
    for query in ["citta", "CITTÀ", "Città", "certificato RESIDENZA"]:
        body = _page(client, reverse("catalogue") + "?q=" + query)
        assert "Certificato di residenza" in body, query
        assert "Pothole" not in body, query


def test_browse_by_administration_and_group(cat, client):
    body = _page(client, reverse("catalogue") + "?administration=lago-verde")
    assert "Boat mooring permit" in body and "Pothole" not in body
    assert "Services of Comune di Lago Verde" in body
    body = _page(client, reverse("catalogue") + "?group=Roads")
    assert "Pothole" in body and "Boat mooring permit" not in body
    body = _page(client, reverse("catalogue") + "?administration=nowhere&group=Lake")
    assert "were ignored" in body
    # A control character in the address is no filter at all: the request is refused.
    assert client.get(reverse("catalogue") + "?group=%00").status_code == 400


def test_service_page_shows_what_citizens_need(cat, client):
    body = _page(client, reverse("catalogue_service", args=["montalto", "pothole"]))
    assert "A hole in the road." in body
    assert "Web" in body and "Phone" in body
    assert "within 2 working days" in body and "within 15 working days" in body
    assert "Working days exclude Saturdays, Sundays and public holidays." in body
    assert "L.R. 12/2019 art. 5" in body and "Expired" in body
    assert "Reg. 1/2020 art. 1" in body and "In force" in body
    assert 'href="https://example.org/reg-1-2020"' in body
    assert "How big is the pothole?" in body and "The service itself" in body
    assert 'href="/services/montalto/pothole/file/"' in body
    assert 'name="attr_size"' in body and "disabled" in body
    assert body.count("<h1") == 1 and 'style="' not in body


def test_service_page_never_shows_staff_only_data(cat, bob, client):
    actions.set_skilled(None, cat.pothole, [bob.memberships.get()])
    actions.update_service(None, cat.pothole, name="Buche", hourly_cost="47.25", citizen_minutes=23)
    body = _page(client, reverse("catalogue_service", args=["montalto", "pothole"]))
    for secret in [
        "Bob Officer",
        "47.25",
        "47,25",
        "staff minutes",
        "Staff minutes",
        "Deviation",
        "overridden",
        "form:",
        "Standard Cost Model",
        "Lago Verde",
        "Boat mooring",
        "LV 1/2021",
    ]:
        assert secret not in body, secret


def test_catalogue_never_shows_staff_only_data(cat, client):
    body = _page(client, reverse("catalogue"))
    for secret in ["staff minutes", "Certificato", "/staff/montalto/services/"]:
        assert secret not in body, secret


def test_public_pages_work_in_italian(cat, client):
    client.cookies["django_language"] = "it"
    body = _page(client, reverse("catalogue_service", args=["montalto", "pothole"]))
    assert 'lang="it"' in body


def test_catalogue_query_count_does_not_grow_with_services(cat, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("catalogue") + "?q=pothole").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(6):
        actions.create_service(
            None,
            cat.pothole.administration,
            template=cat.region_template,
            code=f"pothole-{n}",
            status=Service.Status.PUBLISHED,
        )
    assert queries() == few


def test_the_navigation_is_read_once_a_request(cat, charlie, alice, rf, monkeypatch):
    # Panels rendered with `render_to_string(..., request=request)` run the context processors
    # again: the navigation's queries run once a request, and again only for another person.
    from insieme.core import context_processors

    calls = []
    real = context_processors.administrations_for

    def counting(user):
        calls.append(user.pk)
        return real(user)

    monkeypatch.setattr(context_processors, "administrations_for", counting)
    request = rf.get(reverse("catalogue_service", args=["montalto", "pothole"]))
    request.user = charlie
    first = context_processors.insieme(request)
    assert context_processors.insieme(request) is first
    assert calls == [charlie.pk]
    request.user = alice  # signed in during the request
    assert context_processors.insieme(request)["staff_administrations"]
    assert calls == [charlie.pk, alice.pk]
