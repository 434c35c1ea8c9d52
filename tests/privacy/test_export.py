"""A person downloads their own data: the JSON file and the readable page.

Charlie (a citizen) has a request with an answer he gave and a photo, staff's public reply and
an internal note on it, a rating, an idea, a comment, a support and a consent. Sara, another
citizen, has her own request, idea and comment, and supports Charlie's idea: nothing of hers
may reach Charlie's copy, nor the internal note.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Status
from insieme.core.models import AuditEntry
from insieme.core.registry import PersonalData, personal_data, register_personal_data
from insieme.participation import actions as participation_actions
from insieme.privacy import export
from insieme.privacy.models import Consent, SubjectRequest
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401  (fixture)
from tests.conftest import make_user
from tests.participation.conftest import make_idea, make_process

MINE = "Quokka7731"  # in every text Charlie wrote
HERS = "Otter4410"  # in every text Sara wrote
NOTE = "Narwhal9921"  # in the staff's internal note on Charlie's request

JSON_URL = reverse("privacy:export_json")
PAGE_URL = reverse("privacy:export_page")


def photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def file_case(cat, user, text: str):  # noqa: F811 - `cat` is the fixture's value
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large", "notes": f"Notes {text}"},
            description=f"A deep hole {text}",
            address=f"Via Roma 12 {text}",
            contact_name=user.full_name,
            contact_email=user.email,
            **INSIDE_MONTALTO,
        ),
    )
    return case


def charlies_request(cat, charlie, bob):  # noqa: F811
    case = file_case(cat, charlie, MINE)
    handling_actions.request_information(bob, case, text="Which side of the road?")
    citizen_actions.provide_information(
        charlie, case, text=f"The left side {MINE}", attachments=[photo("left-side.png")]
    )
    handling_actions.reply(bob, case, f"{NOTE}: the contractor is slow", public=False)
    handling_actions.reply(bob, case, "We will fix it next week.")
    handling_actions.change_status(bob, case, Status.RESOLVED, note="Filled in")
    citizen_actions.rate_case(charlie, case, score=4, comment=f"Quick work {MINE}")
    return case


@pytest.fixture
def world(cat, charlie, bob, carla, montalto):  # noqa: F811
    sara = make_user("sara@example.org", "Sara Secondcitizen")
    case = charlies_request(cat, charlie, bob)
    process = make_process(montalto, carla)
    idea = make_idea(process, charlie, title=f"Shade {MINE}", body=f"More trees {MINE}")
    comment = participation_actions.add_comment(
        charlie, idea=idea, body=f"And benches {MINE}", limit=False
    )
    # Sara's: her request, her idea (whose title is public: Charlie supports it), her comment
    # on Charlie's idea and her support of it.
    file_case(cat, sara, HERS)
    hers = make_idea(process, sara, title="Fountains in the park", body=f"Water {HERS}")
    participation_actions.add_comment(sara, idea=idea, body=f"I disagree {HERS}", limit=False)
    participation_actions.support_idea(sara, idea)
    participation_actions.support_idea(charlie, hers)
    Consent.objects.create(user=charlie, purpose="newsletter", granted=True)
    return SimpleNamespace(
        case=case, idea=idea, comment=comment, sara=sara, process=process, hers=hers
    )


def _sections(data: dict) -> dict[str, dict]:
    return {s["key"]: s for s in data["sections"]}


# --- the JSON file -----------------------------------------------------------------------------


def test_json_holds_every_registered_section_and_only_charlies_data(world, charlie, persona_client):
    response = persona_client(charlie).post(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="insieme-my-data-')
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    data = json.loads(body)
    sections = _sections(data)
    assert list(sections) == [d.key for d in export.registered()]
    assert set(sections) == set(personal_data.keys())
    assert data["person"] == {"name": "Charlie Citizen", "email": "charlie@example.org"}
    assert data["complete"] is True

    (case,) = sections["cases"]["records"]
    assert case["reference"] == world.case.reference
    assert case["description"] == f"A deep hole {MINE}"  # as written, not the public copy
    assert case["address"] == f"Via Roma 12 {MINE}"
    assert f"Notes {MINE}" in case["answers"].values()
    assert case["submitted_at"].startswith(str(world.case.submitted_at.year))
    texts = [m["text"] for m in case["messages"]]
    assert f"The left side {MINE}" in texts and "We will fix it next week." in texts
    assert [f["name"] for f in case["attachments"]] == ["left-side.png"]
    (rating,) = sections["case_ratings"]["records"]
    assert rating == {
        "reference": world.case.reference,
        "score": 4,
        "comment": f"Quick work {MINE}",
        "at": rating["at"],
    }
    (idea,) = sections["ideas"]["records"]
    assert idea["title"] == f"Shade {MINE}" and idea["supports"] == 1
    (comment,) = sections["comments"]["records"]
    assert comment["body"] == f"And benches {MINE}" and comment["on"] == f"Shade {MINE}"
    (support,) = sections["idea_supports"]["records"]
    assert support["idea"] == "Fountains in the park"
    (consent,) = sections["consents"]["records"]
    assert consent["purpose"] == "newsletter" and consent["granted"] is True
    assert "anonymous" in sections["survey_responses"]["note"]

    assert NOTE not in body and "contractor" not in body  # the staff's internal note
    assert HERS not in body  # nothing Sara wrote
    assert "Sara" not in body and "sara@example.org" not in body  # nor who she is
    assert "Bob Officer" not in body  # nor who handled the request


def test_each_download_is_a_subject_request_with_an_audit_entry_holding_no_data(
    world, charlie, persona_client
):
    client = persona_client(charlie)
    client.post(JSON_URL)
    client.post(PAGE_URL)
    requests = list(SubjectRequest.objects.filter(user=charlie).order_by("pk"))
    assert [(r.kind, r.state) for r in requests] == [("export", "done")] * 2
    assert all(r.completed_at is not None for r in requests)
    entries = list(AuditEntry.objects.filter(action="privacy.export").order_by("seq"))
    assert [e.actor_id for e in entries] == [charlie.pk, charlie.pk]
    assert [e.object_id for e in entries] == [str(r.pk) for r in requests]
    for entry in entries:
        assert entry.before is None
        assert entry.after == {
            "kind": "export",
            "state": "done",
            "format": entry.after["format"],
            "missing": [],
        }
        recorded = json.dumps([entry.object_repr, entry.after])
        assert MINE not in recorded and "Charlie" not in recorded
    assert [e.after["format"] for e in entries] == ["json", "page"]


def test_anonymous_visitors_are_sent_to_sign_in(db, client):
    for url in (JSON_URL, PAGE_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not SubjectRequest.objects.exists()


def test_a_person_without_any_data_gets_empty_sections(charlie, persona_client):
    data = json.loads(persona_client(charlie).post(JSON_URL).content)
    sections = _sections(data)
    assert sections["account"]["records"][0]["email"] == "charlie@example.org"
    assert sections["cases"]["records"] == [] and sections["ideas"]["records"] == []
    page = persona_client(charlie).post(PAGE_URL)
    assert page.status_code == 200
    assert "Nothing is held about you here." in page.content.decode()


# --- the readable page -------------------------------------------------------------------------


def test_page_shows_each_section_readably_in_english(world, charlie, persona_client):
    response = persona_client(charlie).post(PAGE_URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    for data in export.registered():
        assert f'<h2 id="data-{data.key}">{data.title}</h2>' in html
    assert world.case.reference in html and f"A deep hole {MINE}" in html
    assert f'<span lang="it">A deep hole {MINE}</span>' in html  # the text's own language
    assert "Larger than a wheel" in html  # an answer by its name, not its key
    assert "left-side.png" in html
    assert f"Shade {MINE}" in html and f"And benches {MINE}" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html and "<caption" in html
    assert "<dl" in html and "<time datetime=" in html
    assert NOTE not in html and HERS not in html and "Sara" not in html
    assert reverse("privacy:export_json") in html


@pytest.mark.parametrize("how", ["preference", "browser"])
def test_page_is_in_italian_for_an_italian_speaker(world, charlie, persona_client, how):
    client = persona_client(charlie)
    if how == "preference":
        charlie.preferred_language = "it"
        charlie.save(update_fields=["preferred_language"])
    else:  # the language chosen in this browser wins over the account's
        client.cookies["django_language"] = "it"
    response = client.post(PAGE_URL, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="it">' in html
    assert "Vai al contenuto principale" in html
    assert "Risolta" in html  # the request's status, in Italian
    assert f"Shade {MINE}" in html and NOTE not in html


# --- limits and failures -----------------------------------------------------------------------


def test_queries_do_not_grow_with_the_records(
    world,
    cat,  # noqa: F811
    charlie,
    bob,
    persona_client,
    django_assert_max_num_queries,
):
    client = persona_client(charlie)
    client.post(PAGE_URL)  # warm the session and the caches
    with CaptureQueriesContext(connection) as first:
        assert client.post(JSON_URL).status_code == 200
    for n in range(3):
        charlies_request(cat, charlie, bob)
        idea = make_idea(world.process, charlie, title=f"Idea {n}", body="Body")
        participation_actions.add_comment(charlie, idea=idea, body=f"Note {n}", limit=False)
        participation_actions.add_comment(charlie, process=world.process, body="On it")
        participation_actions.support_idea(charlie, idea)
        participation_actions.follow(charlie, idea=idea)
        Consent.objects.create(user=charlie, purpose=f"purpose-{n}", granted=bool(n % 2))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.post(JSON_URL)
    assert len(_sections(json.loads(response.content))["cases"]["records"]) == 4
    with django_assert_max_num_queries(len(first.captured_queries) + 5):
        assert client.post(PAGE_URL).status_code == 200


def test_downloads_are_rate_limited_per_person(charlie, persona_client, settings):
    settings.PRIVACY_EXPORT_RATE = "2/hour"
    client = persona_client(charlie)
    assert client.post(JSON_URL).status_code == 200
    assert client.post(PAGE_URL).status_code == 200
    refused = client.post(JSON_URL)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert SubjectRequest.objects.filter(user=charlie).count() == 2


def _broken(user):
    raise RuntimeError("a provider's bug")


def test_a_broken_part_is_reported_missing_and_the_rest_is_delivered(charlie, persona_client):
    register_personal_data(PersonalData("broken", "Broken part", _broken, app="tests"))
    try:
        response = persona_client(charlie).post(JSON_URL)
        page = persona_client(charlie).post(PAGE_URL)
    finally:
        personal_data.unregister("broken")
    assert response.status_code == 200 and page.status_code == 200
    data = json.loads(response.content)
    assert data["complete"] is False
    assert _sections(data)["broken"] == {
        "key": "broken",
        "title": "Broken part",
        "records": [],
        "missing": True,
    }
    assert _sections(data)["account"]["records"]
    assert 'id="export-incomplete"' in page.content.decode()
    request = SubjectRequest.objects.filter(user=charlie).first()
    assert request.state == SubjectRequest.State.PENDING and request.completed_at is None
    assert "broken" in request.note


def test_a_get_writes_nothing_and_leads_to_the_data_page(charlie, persona_client):
    """A copy is recorded and audited: it is asked for by a POST, never by following a link."""
    client = persona_client(charlie)
    entries = AuditEntry.objects.count()
    for url in (JSON_URL, PAGE_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("privacy:my_data")
        assert client.put(url).status_code == 405
    assert not SubjectRequest.objects.exists() and AuditEntry.objects.count() == entries


def test_the_post_needs_its_csrf_token(charlie):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(charlie)
    assert client.post(JSON_URL).status_code == 403
    assert not SubjectRequest.objects.exists()
