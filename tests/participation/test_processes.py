"""Processes, phases and categories: the staff screens (participation:process:manage), the public
list and landing pages, and the current phase derived from today's date."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.core.models import AuditEntry, today_in
from insieme.participation import actions
from insieme.participation.models import Audience, Phase, PhaseKind, Process
from tests.participation.conftest import make_idea, make_process, process_url


def _process_data(**over):
    data = {
        "title": "Mobilità in centro",
        "slug": "mobilita",
        "description": "Discutiamo di bici e bus.",
        "audience": Audience.PUBLIC,
        "is_published": "on",
        "support_threshold": "",
        "support_deadline": "",
        "title__en": "Mobility downtown",
        "description__en": "Let's talk about bikes and buses.",
    }
    data.update(over)
    return data


def test_a_manager_creates_a_process_in_both_languages(persona_client, carla, montalto, cat):
    client = persona_client(carla)
    response = client.post(
        "/staff/montalto/participation/new/",
        _process_data(services=[cat.pothole.pk]),
    )
    assert response.status_code == 302
    process = Process.objects.get(slug="mobilita")
    assert response["Location"] == f"/staff/montalto/participation/{process.pk}/"
    assert process.language == "it"
    assert process.translations == {
        "en": {"title": "Mobility downtown", "description": "Let's talk about bikes and buses."}
    }
    assert list(process.services.all()) == [cat.pothole]
    entry = AuditEntry.objects.get(action="participation.process.created")
    assert entry.actor == carla and entry.after["services"] == [cat.pothole.pk]
    # The public landing page in each language.
    assert "Mobility downtown" in client.get("/participation/montalto/mobilita/").content.decode()
    client.cookies["django_language"] = "it"
    html = client.get("/participation/montalto/mobilita/", HTTP_ACCEPT_LANGUAGE="it").content
    assert "Mobilità in centro" in html.decode()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"slug": "not a slug!"}, "slug", "Enter a valid"),
        ({"audience": Audience.PARTNERS}, "invited_partners", "Invite at least one partner"),
        ({"support_threshold": "0"}, "support_threshold", "at least one support"),
        ({"support_deadline": "2024-02-30"}, "support_deadline", "Enter a valid date"),
        ({"audience": "everybody"}, "audience", "Select a valid choice"),
    ],
)
def test_bad_process_input_re_renders_with_errors(
    persona_client, carla, montalto, over, field, message
):
    response = persona_client(carla).post(
        "/staff/montalto/participation/new/", _process_data(**over)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Process.objects.exists()


def test_a_short_name_is_unique_per_administration(
    persona_client, carla, process, oscar, lagoverde
):
    response = persona_client(carla).post(
        "/staff/montalto/participation/new/", _process_data(slug=process.slug)
    )
    assert response.status_code == 400
    assert (
        "Another process of this administration uses this short name." in response.content.decode()
    )
    # Another administration may use it.
    assert make_process(lagoverde, None, slug=process.slug).administration == lagoverde


def test_phases_never_overlap_and_end_after_they_start(persona_client, carla, process):
    client = persona_client(carla)
    url = f"/staff/montalto/participation/{process.pk}/phases/new/"
    first = process.phases.first()
    overlapping = {
        "kind": PhaseKind.EVALUATION,
        "starts_on": first.ends_on.isoformat(),
        "ends_on": (first.ends_on + dt.timedelta(days=40)).isoformat(),
    }
    response = client.post(url, overlapping)
    assert response.status_code == 400
    assert "cannot overlap" in response.content.decode()
    backwards = {"kind": PhaseKind.EVALUATION, "starts_on": "2030-05-10", "ends_on": "2030-05-01"}
    response = client.post(url, backwards)
    assert response.status_code == 400
    assert "The last day cannot come before the first." in response.content.decode()
    assert process.phases.count() == 3
    fine = {
        "kind": PhaseKind.EVALUATION,
        "starts_on": "2030-05-01",
        "ends_on": "2030-05-10",
        "name": "Bilancio",
        "name__en": "Review",
    }
    assert client.post(url, fine).status_code == 302
    phase = process.phases.get(kind=PhaseKind.EVALUATION)
    assert phase.translations == {"en": {"name": "Review"}}


def test_edit_and_delete_a_phase_and_a_category(persona_client, carla, process, category):
    client = persona_client(carla)
    phase = process.phases.get(kind=PhaseKind.VOTING)
    url = f"/staff/montalto/participation/{process.pk}/phases/{phase.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "kind": PhaseKind.VOTING,
        "starts_on": phase.starts_on.isoformat(),
        "ends_on": (phase.ends_on + dt.timedelta(days=3)).isoformat(),
        "name": "Voto",
    }
    assert client.post(url, data).status_code == 302
    phase.refresh_from_db()
    assert phase.name == "Voto"
    assert AuditEntry.objects.filter(action="participation.phase.updated").exists()
    assert client.post(url + "delete/").status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()
    cat_url = f"/staff/montalto/participation/{process.pk}/categories/{category.pk}/"
    assert client.post(cat_url, {"name": "Parchi", "position": "1"}).status_code == 302
    category.refresh_from_db()
    assert category.name == "Parchi"
    assert client.post(cat_url + "delete/").status_code == 302
    assert not process.categories.exists()


def test_a_category_name_is_unique_per_process(persona_client, carla, process, category):
    response = persona_client(carla).post(
        f"/staff/montalto/participation/{process.pk}/categories/new/",
        {"name": category.name, "position": "0"},
    )
    assert response.status_code == 400
    assert "This process has a category of that name already." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/montalto/participation/{p}/phases/999999/",
        "/staff/montalto/participation/{p}/categories/999999/",
        "/staff/montalto/participation/999999/",
        "/participation/montalto/no-such-process/",
        "/participation/nowhere/",
        "/participation/montalto/{slug}/ideas/999999/",
    ],
)
def test_unknown_ids_are_404(persona_client, carla, process, path):
    url = path.format(p=process.pk, slug=process.slug)
    assert persona_client(carla).get(url).status_code == 404


def test_the_current_phase_comes_from_todays_date(montalto, carla):
    process = make_process(montalto, carla)
    today = today_in(montalto)
    assert process.current_phase(today).kind == PhaseKind.IDEATION
    ideation = process.phases.get(kind=PhaseKind.IDEATION)
    assert process.current_phase(ideation.ends_on + dt.timedelta(days=1)).kind == PhaseKind.VOTING
    assert process.current_phase(ideation.starts_on - dt.timedelta(days=1)).kind == (
        PhaseKind.INFORMATION
    )
    last = process.phases.last()
    assert process.current_phase(last.ends_on + dt.timedelta(days=1)) is None


def test_landing_page_shows_phase_timeline_services_and_earlier_input(
    client, montalto, carla, cat, charlie, sara
):
    process = make_process(montalto, carla, services=[cat.pothole, cat.draft])
    accepted = make_idea(process, charlie, title="Accolta")
    rejected = make_idea(process, sara, title="Respinta")
    make_idea(process, charlie, title="Nuova")
    actions.answer_idea(carla, accepted, kind="accepted")
    actions.answer_idea(carla, rejected, kind="rejected", text="Area vincolata.")
    html = client.get(process_url(process)).content.decode()
    assert 'aria-current="step"' in html and "Ideation" in html  # the current phase
    assert html.count("process-timeline") == 1 and "Information" in html and "Voting" in html
    assert f'href="/services/montalto/{cat.pothole.code}/"' in html
    assert cat.draft.code not in html  # a draft service is not linked from a public page
    table = html[html.index("input-heading") :]
    assert '<a href="/participation/montalto/parchi/ideas/?answer=accepted">Accepted</a>' in table
    assert '<a href="/participation/montalto/parchi/ideas/?answer=rejected">Rejected</a>' in table
    assert "<td>1</td>" in table
    listed = client.get("/participation/montalto/parchi/ideas/?answer=accepted").content.decode()
    assert "Accolta" in listed and "Respinta" not in listed and "Nuova" not in listed


def test_the_list_of_processes_per_administration(client, montalto, lagoverde, carla, oscar):
    make_process(montalto, carla)
    make_process(montalto, carla, slug="concluso", current=None, title="Concluso", translations={})
    make_process(lagoverde, None, slug="altrove", title="Altrove", translations={})
    html = client.get("/participation/montalto/").content.decode()
    assert "Ideas for the parks" in html and "Concluso" in html and "Altrove" not in html
    assert "Now: Ideation" in html and "Closed" in html
    index = client.get("/participation/").content.decode()
    assert "Altrove" in index and "Concluso" in index


def test_a_draft_is_seen_by_managers_only(client, persona_client, montalto, carla, bob, charlie):
    make_process(montalto, carla, published=False)
    url = "/participation/montalto/parchi/"
    assert client.get(url).status_code == 404
    assert persona_client(charlie).get(url).status_code == 404
    assert persona_client(bob).get(url).status_code == 404  # staff, but does not manage them
    assert persona_client(carla).get(url).status_code == 200
    assert "Ideas for the parks" not in client.get("/participation/montalto/").content.decode()


def test_editing_a_process_records_only_what_changed(persona_client, carla, process):
    client = persona_client(carla)
    url = f"/staff/montalto/participation/{process.pk}/"
    data = _process_data(
        title=process.title,
        slug=process.slug,
        description=process.description,
        title__en="Ideas for the parks",
        description__en="Tell us.",
        support_threshold="25",
    )
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="participation.process.updated")
    assert entry.before == {"support_threshold": None}
    assert entry.after == {"support_threshold": 25}
    before = AuditEntry.objects.count()
    assert client.post(url, data).status_code == 302  # nothing changed: nothing written
    assert AuditEntry.objects.count() == before
