"""The home page's "processes open now": public, published processes with a phase running today,
in the visitor's language; never an internal idea box, a round table or a draft."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.participation.conftest import make_process


def test_open_processes_on_the_home_page(client, montalto, carla, girasole):
    make_process(montalto, carla)
    make_process(
        montalto, carla, slug="cassetta", audience="employees", title="Cassetta", translations={}
    )
    make_process(
        montalto,
        carla,
        slug="tavolo",
        audience="partners",
        invited_partners=[girasole],
        title="Tavolo",
        translations={},
    )
    make_process(montalto, carla, slug="bozza", published=False, title="Bozza", translations={})
    make_process(montalto, carla, slug="finito", current=None, title="Finito", translations={})
    html = client.get("/").content.decode()
    section = html[html.index("home-processes-heading") :]
    assert 'href="/participation/montalto/parchi/"' in section and "Ideas for the parks" in section
    assert "now: Ideation" in section
    for hidden in ("Cassetta", "Tavolo", "Bozza", "Finito"):
        assert hidden not in html
    cache.clear()
    client.cookies["django_language"] = "it"
    italian = client.get("/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Percorsi aperti ora" in italian and "Idee per i parchi" in italian


def test_no_section_without_open_processes_and_no_query_once_cached(client, db):
    assert "home-processes-heading" not in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert not any("participation_" in q["sql"] for q in ctx.captured_queries)
