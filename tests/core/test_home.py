"""The home page, the front door: search the services, report on the map, the most used
services, recent public reports nearby, the Scorecard's headline figures, and any section a
later app registers (open processes) — public data only, in a small, fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.core.registry import HomeSection, home_sections, register_home_section
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.handling.test_queue import make_cases


def _sections(html: str) -> list[str]:
    return re.findall(r'<section[^>]*aria-labelledby="(home-[a-z]+)-heading"', html)


def test_home_page_sections(client, cat, charlie):
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca in piazza; scrivetemi a charlie.private@example.org",
            **INSIDE_MONTALTO,
        ),
    )
    assert client.head("/").status_code == 200  # monitors probe the front door with HEAD
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _sections(html) == [
        "home-search",
        "home-report",
        "home-popular",
        "home-recent",
        "home-figures",
    ]
    # Search the services: a search form to the public catalogue.
    assert re.search(r'<form method="get" action="/services/" role="search"', html)
    assert 'name="q"' in html
    assert 'href="/services/map/"' in html  # report a problem on the map
    assert "Pothole" in html and "1 request" in html  # the most used services
    case = Case.objects.get()
    assert f'href="/cases/montalto/{case.reference}/"' in html  # recent public reports nearby
    assert "charlie.private@example.org" not in html  # redacted, as on the public page
    assert "Charlie" not in html  # never who filed it


def test_most_used_services_count_the_last_90_days(client, cat):
    now = timezone.now()
    make_cases(cat.pothole, 3, submitted_at=now - dt.timedelta(days=100))  # too old
    make_cases(cat.lv_service, 2, submitted_at=now - dt.timedelta(days=10))
    html = client.get("/").content.decode()
    popular = html[html.index("home-popular-heading") : html.index("home-recent-heading")]
    assert cat.lv_service.name in popular and "2 requests" in popular
    assert cat.pothole.name not in popular


def test_recent_reports_are_public_and_near(client, cat, charlie):
    inside = {**INSIDE_MONTALTO}
    public, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Visibile", **inside
        ),
    )
    private, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Privata", **inside
        ),
    )
    Case.objects.filter(pk=private.pk).update(is_public=False)
    far, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(cat.lv_service, answers={}, description="Lontana", lat=45.9, lon=9.1),
    )
    html = client.get("/").content.decode()
    recent = html[html.index("home-recent-heading") :]
    assert f"/cases/montalto/{public.reference}/" in recent
    assert f"/cases/montalto/{private.reference}/" not in recent
    assert f"/cases/{far.administration.slug}/{far.reference}/" not in recent


def test_signed_in_people_see_reports_near_their_own(persona_client, cat, charlie):
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Mia", **INSIDE_MONTALTO
        ),
    )
    html = persona_client(charlie).get("/").content.decode()
    assert "Recent reports near you" in html


def test_headline_figures_of_the_scorecard(persona_client, client, cat, charlie, dario):
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="x", **INSIDE_MONTALTO
        ),
    )
    html = client.get("/").content.decode()
    figures = html[html.index("home-figures-heading") :]
    assert "Interactions and distinct participants in the last 30 days" in figures
    assert ">D1<" in figures
    assert "See the whole Scorecard" not in figures  # the Scorecard itself is for staff
    staff = persona_client(dario).get("/").content.decode()
    assert 'href="/staff/montalto/scorecard/"' in staff


def test_query_count_stays_small_and_fixed(client, cat, charlie):
    make_cases(cat.pothole, 5, is_public=True, lat=43.1, lon=11.1)
    client.get("/")  # fills the caches an hour's visitors share

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    make_cases(cat.pothole, 60, is_public=True, lat=43.1, lon=11.1)
    make_cases(cat.lv_service, 30)
    assert count() == few
    assert few <= 4


@pytest.fixture
def processes_section():
    """A later app (participation) adding its section through the registry, not the view."""
    shown = {"processes": []}

    section = register_home_section(
        HomeSection(
            key="test.processes",
            order=50,
            template="cases/home/_recent.html",
            context=lambda request: (
                {"reports": shown["processes"], "near_you": False, "radius_km": 1}
                if shown["processes"]
                else None
            ),
        )
    )
    yield shown
    home_sections.unregister(section.key)


def test_a_registered_section_appears_once_it_has_something(client, db, processes_section):
    before = client.get("/").content.decode()
    processes_section["processes"] = [
        {
            "reference": "P-1",
            "admin_slug": "x",
            "administration": "Somewhere",
            "service": "Open process: the new park",
            "status": "open",
            "submitted_at": timezone.now(),
            "excerpt": "",
        }
    ]
    after = client.get("/").content.decode()
    assert "Open process: the new park" not in before
    assert "Open process: the new park" in after
