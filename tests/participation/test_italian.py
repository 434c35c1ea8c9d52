"""The pages in Italian: interface text from the app's own catalogue, the administration's texts
(process, phases, categories) in their Italian version."""

from __future__ import annotations

import pytest

from insieme.participation import actions
from tests.participation.conftest import idea_url, process_url


@pytest.fixture
def italian(client):
    client.cookies["django_language"] = "it"
    return client


def _get(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()


def test_the_pages_in_italian(italian, persona_client, process, category, idea, carla, charlie):
    actions.answer_idea(carla, idea, kind="rejected", text="Area vincolata.")
    actions.add_comment(charlie, idea=idea, body="Peccato", limit=False)
    landing = _get(italian, process_url(process))
    assert 'lang="it"' in landing
    assert "Idee per i parchi" in landing and "Ideas for the parks" not in landing
    assert "Fase in corso" in landing and "Che fine hanno fatto le idee" in landing
    assert "Ideazione" in landing and "Non accolta" in landing
    listing = _get(italian, process_url(process) + "ideas/")
    assert "Proponi un'idea" in listing and "Tutte le categorie" in listing and "Verde" in listing
    page = _get(italian, idea_url(idea))
    assert "Sostegni" in page and "Risposta ufficiale" in page and "Commenti" in page
    assert "Questa idea non è stata accolta: non accetta altri sostegni." in page
    assert "Accedi per commentare" in page
    assert _get(italian, "/participation/").count("Partecipazione") >= 1
    staff = persona_client(carla)
    staff.cookies["django_language"] = "it"
    form = staff.get("/staff/montalto/participation/new/", HTTP_ACCEPT_LANGUAGE="it").content
    assert "Chi partecipa" in form.decode()


def test_english_reads_the_english_texts_and_marks_missing_ones(client, montalto, carla):
    from tests.participation.conftest import make_process

    translated = make_process(montalto, carla)
    untranslated = make_process(
        montalto, carla, slug="solo", title="Solo italiano", translations={}
    )
    assert "Ideas for the parks" in client.get(process_url(translated)).content.decode()
    html = client.get(process_url(untranslated)).content.decode()
    assert "Solo italiano" in html and 'lang="it"' in html
    assert "no translation in your language yet" in html
