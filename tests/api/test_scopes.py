"""Personal data and internal notes behind scopes of their own (issue 12, item 24).

Keys walk every combination of cases:read with cases:read_personal and cases:read_internal over
each case resource; people (the filer, staff of the department) keep reading what their role
allows. Without cases:read_personal a field with personal data is left out, never null.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Attachment, Status
from insieme.core import actions as core_actions
from insieme.core.models import ApiKey
from tests.api.conftest import PII, file_case
from tests.files import clean_pdf

PERSONAL, INTERNAL = "cases:read_personal", "cases:read_internal"
CONTACT = ("contact_name", "contact_email", "contact_phone")
PRIVATE_BITS = ("+39 333 123 4567", "charlie.private@example.org")
NOTE = "Internal: the pole is rusty, ask Mario"
PUBLIC_REPLY = "We will fix it; questions to maria.rossi@example.org"
COMBINATIONS = [
    set(extra) for n in range(3) for extra in itertools.combinations([PERSONAL, INTERNAL], n)
]
PDF = clean_pdf()  # a real document: uploads are parsed and rewritten


def ids(combo) -> str:
    return "+".join(sorted(combo)) or "cases:read only"


@pytest.fixture
def busy_case(lights, charlie, roberto):
    """Charlie's case with contact details, PII in its text, a private file, an internal note
    and a public reply."""
    pdf = SimpleUploadedFile("id-card.pdf", PDF, content_type="application/pdf")
    case = file_case(charlie, lights, attachments=[pdf])
    handling_actions.reply(roberto, case, NOTE, public=False)
    handling_actions.reply(roberto, case, PUBLIC_REPLY, public=True)
    return case


def case_url(case, tail: str = "") -> str:
    return f"/api/v1/cases/montalto/{case.reference}/{tail}"


@pytest.mark.parametrize("extra", COMBINATIONS, ids=ids)
def test_case_detail_and_list_by_scope(api, make_key, montalto, busy_case, extra):
    client = api(key=make_key(montalto, "cases:read", *extra))
    detail = client.get(case_url(busy_case))
    assert detail.status_code == 200
    listed = client.get("/api/v1/cases/").json()["results"]
    for body in (detail.json(), listed[0]):
        if PERSONAL in extra:
            assert body["contact_email"] == "charlie.contact@example.org"
            assert body["contact_phone"] == "+39 347 765 4321"
            assert body["contact_name"] == "Charlie Citizen"
            assert body["description"] == PII
        else:
            for field in CONTACT:
                assert field not in body, field  # left out, not null
            for bit in PRIVATE_BITS:
                assert bit not in str(body), bit
            assert "Lampione spento" in body["description"]  # the rest is kept
        assert body["answers"]["pole"] == "P-17" and body["reference"] == busy_case.reference


@pytest.mark.parametrize("extra", COMBINATIONS, ids=ids)
def test_case_events_by_scope(api, make_key, montalto, busy_case, extra):
    events = api(key=make_key(montalto, "cases:read", *extra)).get(case_url(busy_case, "events/"))
    assert events.status_code == 200
    texts = [e["text"] for e in events.json()]
    kinds = {e["kind"] for e in events.json()}
    if INTERNAL in extra:
        assert "internal_note" in kinds
        assert any(e["actor_name"] == "Roberto Roads" for e in events.json())
    else:
        assert "internal_note" not in kinds and not any(NOTE in t for t in texts)
        assert all(e["actor_name"] is None for e in events.json())
    reply = next(t for t in texts if t.startswith("We will fix it"))
    if PERSONAL in extra:
        assert reply == PUBLIC_REPLY
    else:
        assert "maria.rossi@example.org" not in reply
        if INTERNAL in extra:
            note = next(t for t in texts if t.startswith("Internal"))
            assert note.startswith("Internal: the pole is rusty")


@pytest.mark.parametrize("extra", COMBINATIONS, ids=ids)
def test_case_attachments_by_scope(api, make_key, montalto, busy_case, extra):
    private = Attachment.objects.get(case=busy_case)
    public = file_case(
        None,
        busy_case.service,
        attachments=[SimpleUploadedFile("pole.pdf", PDF, content_type="application/pdf")],
    )
    Attachment.objects.filter(case=public).update(is_public=True)
    client = api(key=make_key(montalto, "cases:read", *extra))
    listed = client.get(case_url(busy_case, "attachments/")).json()
    download = client.get(case_url(busy_case, f"attachments/{private.pk}/download/"))
    if PERSONAL in extra:
        assert [a["id"] for a in listed] == [private.pk]
        assert download.status_code == 200
    else:
        assert listed == []
        assert download.status_code == 404
    public_listed = client.get(case_url(public, "attachments/")).json()
    assert len(public_listed) == 1  # public files need no personal scope


@pytest.mark.parametrize("extra", COMBINATIONS, ids=ids)
def test_rating_comment_by_scope(api, make_key, montalto, bob, charlie, charlie_case, extra):
    handling_actions.change_status(bob, charlie_case, Status.RESOLVED, note="Fixed")
    citizen_actions.rate_case(charlie, charlie_case, score=2, comment="Call me on +39 333 123 4567")
    body = api(key=make_key(montalto, "cases:read", *extra)).get(case_url(charlie_case, "rating/"))
    assert body.json()["score"] == 2
    assert ("+39 333 123 4567" in body.json()["comment"]) == (PERSONAL in extra)


@pytest.mark.parametrize("extra", [set(), {PERSONAL}], ids=ids)
def test_filing_answer_shows_what_the_key_may_read(api, make_key, montalto, lights, extra):
    key = make_key(montalto, "cases:write", *extra)
    body = {
        "service": lights.pk,
        "description": "Light out",
        "answers": {"colour": "yellow"},
        "contact_email": "ada@example.org",
        **{"lat": 43.1234567, "lon": 11.1234567},
    }
    response = api(key=key).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert ("contact_email" in response.json()) == (PERSONAL in extra)


def test_people_read_by_their_role(api, busy_case, charlie, roberto):
    citizen = api(user=charlie)
    own = citizen.get(case_url(busy_case)).json()
    assert own["contact_email"] == "charlie.contact@example.org" and own["description"] == PII
    citizen_events = citizen.get(case_url(busy_case, "events/")).json()
    assert "internal_note" not in {e["kind"] for e in citizen_events}
    assert len(citizen.get(case_url(busy_case, "attachments/")).json()) == 1
    staff = api(user=roberto)
    assert staff.get(case_url(busy_case)).json()["contact_phone"] == "+39 347 765 4321"
    staff_events = staff.get(case_url(busy_case, "events/")).json()
    assert "internal_note" in {e["kind"] for e in staff_events}


def test_new_scopes_are_offered_and_granted(montalto):
    offered = {scope for scope, _label in ApiKey.SCOPES}
    assert {PERSONAL, INTERNAL} <= offered
    key, _raw = core_actions.create_api_key(
        None, montalto, name="full", scopes=["cases:read", PERSONAL, INTERNAL]
    )
    assert set(key.scopes) == {"cases:read", PERSONAL, INTERNAL}


def test_schema_marks_contact_fields_optional_and_says_why(api, db):
    schema = api().get("/api/schema/?format=json").json()
    case = schema["components"]["schemas"]["Case"]
    for field in CONTACT:
        assert field not in case["required"]
        assert "cases:read_personal" in case["properties"][field]["description"]
    assert "cases:read_personal" in case["properties"]["description"]["description"]
