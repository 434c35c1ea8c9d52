"""The staff case page, request in, response and database state out: the role x action matrix,
tenant and department isolation, bad input for every form (clear errors, nothing saved), stale
forms (409, nothing changed) and a query count that does not grow with the timeline."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment
from insieme.cases.models import (
    Case,
    CaseEvent,
    CaseShare,
    Escalation,
    Handoff,
    ResponseTemplate,
    Status,
    TimeLog,
)
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from insieme.core.models import AuditEntry
from insieme.core.permissions import Role
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def parks(cat, montalto):
    return core_actions.create_department(None, montalto, name="Parks", code="parks")


@pytest.fixture
def case(filed_case):
    """Charlie's pothole report, led by Roads, unassigned."""
    return filed_case


@pytest.fixture
def rosa(case, cat, montalto):
    """An officer of Roads (the case's lead department), created after the case was filed so
    that it stays unassigned."""
    return make_staff(
        montalto,
        Role.OFFICER,
        "rosa@montalto.example",
        "Rosa Roads",
        department=cat.department,
        capacity=1,
    )


@pytest.fixture
def paolo(case, parks, montalto):
    """An officer of Parks: Roads' cases are not his."""
    return make_staff(
        montalto, Role.OFFICER, "paolo@montalto.example", "Paolo Parks", department=parks
    )


@pytest.fixture
def twin(case, charlie, cat):
    """A second report of the same pothole (a duplicate)."""
    dup, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca enorme in via Roma 12, pericolosa",
            address="Via Roma 12",
            **INSIDE_MONTALTO,
        ),
    )
    return dup


@pytest.fixture
def application(cat, montalto, charlie):
    service = catalog_actions.create_service(
        None,
        montalto,
        code="permit",
        name="Parking permit",
        group="Mobility",
        kind="application",
        located=False,
        channels=["web"],
        department=cat.department,
        status=Service.Status.PUBLISHED,
        attributes=[{"code": "plate", "datatype": "string", "label": "Plate", "order": 1}],
    )
    catalog_actions.add_trace(None, service, provision=cat.provision)
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(service, answers={"plate": "AB123CD"}, description="Permit please"),
    )
    return case


def url(case: Case, name: str = "", *args) -> str:
    if not name:
        return reverse("staff_case", args=[case.administration.slug, case.reference])
    return reverse(f"staff_case_{name}", args=[case.administration.slug, case.reference, *args])


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def counts(case: Case) -> dict:
    """What any action could have written."""
    c = fresh(case)
    return {
        "events": CaseEvent.objects.count(),
        "handoffs": list(Handoff.objects.values_list("pk", "state")),
        "shares": CaseShare.objects.count(),
        "time": TimeLog.objects.count(),
        "escalations": Escalation.objects.count(),
        "audit": AuditEntry.objects.count(),
        "case": (c.status, c.version, c.assignee_id, c.department_id, c.staff_minutes),
    }


# --- the page ----------------------------------------------------------------------------------


STAFF = ["alice", "bob", "carla", "dario", "elena", "rita"]  # rita: through the region


@pytest.mark.parametrize("persona", STAFF)
def test_every_staff_role_of_the_administration_reads_the_page(
    persona, request, case, persona_client
):
    user = request.getfixturevalue(persona)
    response = persona_client(user).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body
    # Staff see the citizen's contact details and private answers.
    assert "charlie.contact@example.org" in body
    assert "+39 347 765 4321" in body
    assert "My neighbour Mario fell here" in body
    assert "Roads" in body  # the lead department


@pytest.mark.parametrize("persona", ["charlie", "oscar", "paolo", "anonymous"])
def test_outsiders_get_404(persona, request, case, persona_client, client):
    if persona == "anonymous":
        response = client.get(url(case))  # not logged in: to the login page
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        return
    user = request.getfixturevalue(persona)
    assert persona_client(user).get(url(case)).status_code == 404


def test_missing_case_is_404(case, bob, persona_client):
    response = persona_client(bob).get(
        reverse("staff_case", args=[case.administration.slug, "2000-999999"])
    )
    assert response.status_code == 404


def test_department_officer_sees_own_department_case(case, rosa, persona_client):
    assert persona_client(rosa).get(url(case)).status_code == 200


def test_shared_department_sees_the_case(case, bob, paolo, parks, persona_client):
    assignment.share_case(bob, case, parks)
    assert persona_client(paolo).get(url(case)).status_code == 200


def test_read_only_roles_see_no_action_forms(case, elena, carla, persona_client):
    for user in (elena, carla):
        body = persona_client(user).get(url(case)).content.decode()
        assert url(case, "reply") not in body
        assert url(case, "status") not in body
        assert "Your role lets you read this case" in body


def test_officer_page_shows_the_forms_with_the_version(case, bob, parks, persona_client):
    body = persona_client(bob).get(url(case)).content.decode()
    for name in ("reply", "status", "assign", "info", "handoff", "share", "time", "merge"):
        assert url(case, name) in body
    assert f'name="status-version" value="{case.version}"' in body
    assert url(case, "decide") not in body  # reports get no decision
    # Only the allowed transitions are offered.
    assert 'value="in_progress"' in body
    assert 'value="submitted"' not in body


def test_timeline_separates_public_replies_from_internal_notes(case, bob, persona_client):
    handling_actions.reply(bob, case, "We are on it.", public=True)
    handling_actions.reply(bob, case, "Needs the asphalt crew.", public=False)
    client = persona_client(bob)
    body = client.get(url(case)).content.decode()
    assert "We are on it." in body and "Needs the asphalt crew." in body
    assert "timeline-public" in body and "timeline-internal" in body
    public = client.get(url(case) + "?show=public").content.decode()
    assert "We are on it." in public and "Needs the asphalt crew." not in public
    internal = client.get(url(case) + "?show=internal").content.decode()
    assert "Needs the asphalt crew." in internal and "We are on it." not in internal


def test_paused_sla_is_shown(case, bob, persona_client):
    handling_actions.request_information(bob, case, text="Photo please", field_code="depth")
    body = persona_client(bob).get(url(case)).content.decode()
    assert "SLA paused" in body
    assert "How deep is it, in centimetres?" in body  # the field the request named


def test_staff_download_a_private_attachment(case, bob, charlie, persona_client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    handling_actions.request_information(bob, case, text="A document please", field_code="document")
    from tests.files import clean_pdf

    pdf = SimpleUploadedFile("id.pdf", clean_pdf(), content_type="application/pdf")
    citizen_actions.provide_information(charlie, case, text="Here", attachments=[pdf])
    attachment = case.attachments.get()
    client = persona_client(bob)
    assert url(case, "attachment", attachment.pk) in client.get(url(case)).content.decode()
    assert client.get(url(case, "attachment", attachment.pk)).status_code == 200
    assert client.get(url(case, "attachment", attachment.pk + 99)).status_code == 404


def test_query_count_does_not_grow_with_events(case, bob, dario, persona_client):
    client = persona_client(bob)
    for i in range(3):
        handling_actions.reply(bob, case, f"note {i}", public=bool(i % 2))
    assignment.assign(bob, case, bob)
    assignment.share_case(
        bob, case, core_actions.create_department(None, case.administration, name="L", code="l")
    )
    client.get(url(case))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(case)).status_code == 200
    for i in range(30):
        handling_actions.reply(bob, case, f"more {i}", public=bool(i % 2))
    assignment.assign(dario, fresh(case), None)
    handling_actions.request_information(bob, fresh(case), text="Photo?", field_code="depth")
    handling_actions.change_status(bob, fresh(case), Status.IN_PROGRESS)  # same state as before
    assignment.share_case(
        bob, case, core_actions.create_department(None, case.administration, name="M", code="m")
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(case)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- the role x action matrix ------------------------------------------------------------------


OK, FORBIDDEN, NOT_FOUND = 302, 403, 404
HANDLERS = {"bob": OK, "dario": OK, "alice": FORBIDDEN, "carla": FORBIDDEN, "elena": FORBIDDEN}
OUTSIDERS = {"charlie": NOT_FOUND, "oscar": NOT_FOUND, "paolo": NOT_FOUND}


def _data(action, case, user, ctx):
    v = case.version
    return {
        "reply": {"reply-version": v, "reply-visibility": "internal", "reply-text": "A note"},
        "status": {"status-version": v, "status-status": "in_progress", "status-note": ""},
        "assign_self": {"assign-version": v, "assign-assignee": user.pk},
        "assign_other": {"assign-version": v, "assign-assignee": ctx["rosa"].pk},
        "info": {"info-version": v, "info-field": "depth", "info-text": "How deep is it?"},
        "handoff": {
            "handoff-version": v,
            "handoff-to_department": ctx["parks"].pk,
            "handoff-reason": "Trees, not asphalt",
        },
        "share": {"share-version": v, "share-department": ctx["parks"].pk},
        "time": {"time-version": v, "time-minutes": "15", "time-action": "call"},
        "merge": {"merge-version": v, "merge-into": ctx["twin"].reference},
    }[action]


MATRIX = {
    "reply": HANDLERS,
    "status": HANDLERS,
    "assign_self": HANDLERS,
    "assign_other": {
        "bob": FORBIDDEN,
        "dario": OK,
        "alice": OK,
        "carla": FORBIDDEN,
        "elena": FORBIDDEN,
    },
    "info": HANDLERS,
    "handoff": HANDLERS,
    "share": HANDLERS,
    "time": HANDLERS,
    "merge": HANDLERS,
}
CASES = [
    (action, persona, expected)
    for action, roles in MATRIX.items()
    for persona, expected in {**roles, **OUTSIDERS}.items()
]


@pytest.mark.parametrize(("action", "persona", "expected"), CASES)
def test_role_action_matrix(
    action, persona, expected, request, case, twin, rosa, parks, persona_client
):
    user = request.getfixturevalue(persona)
    ctx = {"rosa": rosa, "parks": parks, "twin": twin}
    before = counts(case)
    path = action.split("_")[0]
    response = persona_client(user).post(url(case, path), _data(action, case, user, ctx))
    assert response.status_code == expected, response.content.decode()[:3000]
    if expected == OK:
        assert response["Location"] == url(case)
        assert counts(case) != before
    else:
        assert counts(case) == before


def _handoff(case, bob, parks):
    return assignment.hand_off(bob, case, parks, reason="Trees, not asphalt")


@pytest.mark.parametrize(
    ("persona", "expected"), [*HANDLERS.items(), ("charlie", 404), ("oscar", 404)]
)
@pytest.mark.parametrize("answer", ["accept", "return"])
def test_handoff_answer_matrix(
    answer, persona, expected, request, case, bob, parks, persona_client
):
    handoff = _handoff(case, bob, parks)
    case = fresh(case)
    user = request.getfixturevalue(persona)
    before = counts(case)
    data = {f"{answer}-version": case.version, "return-response": "Not ours"}
    response = persona_client(user).post(url(case, f"handoff_{answer}", handoff.pk), data)
    assert response.status_code == expected
    handoff.refresh_from_db()
    if expected == OK:
        assert handoff.state == ("accepted" if answer == "accept" else "returned")
    else:
        assert handoff.state == "pending"
        assert counts(case) == before


def test_sending_department_cannot_answer_its_own_handoff(case, bob, rosa, parks, persona_client):
    handoff = _handoff(case, bob, parks)
    case = fresh(case)
    response = persona_client(rosa).post(
        url(case, "handoff_return", handoff.pk),
        {"return-version": case.version, "return-response": "No"},
    )
    assert response.status_code == 403
    handoff.refresh_from_db()
    assert handoff.state == "pending"


def test_receiving_department_officer_answers_the_handoff(case, bob, paolo, parks, persona_client):
    handoff = _handoff(case, bob, parks)
    case = fresh(case)
    client = persona_client(paolo)
    body = client.get(url(case)).content.decode()
    assert "Send it back" in body
    response = client.post(
        url(case, "handoff_return", handoff.pk),
        {"return-version": case.version, "return-response": "Not ours"},
    )
    assert response.status_code == 302
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.RETURNED
    # Once sent back, the case is no longer Parks' to see.
    assert client.get(url(case)).status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [*HANDLERS.items(), *OUTSIDERS.items()])
def test_decide_matrix(persona, expected, request, application, cat, parks, persona_client):
    user = request.getfixturevalue(persona)
    before = counts(application)
    data = {
        "decide-version": application.version,
        "decide-decision": "refused",
        "decide-reasons": "Not a resident",
        "decide-provision": cat.provision.pk,
    }
    response = persona_client(user).post(url(application, "decide"), data)
    assert response.status_code == expected
    after = fresh(application)
    if expected == OK:
        assert after.status == Status.REFUSED and after.decision_provision_id == cat.provision.pk
    else:
        assert counts(application) == before


def test_decide_on_a_report_is_404(case, bob, persona_client):
    data = {"decide-version": case.version, "decide-decision": "granted"}
    assert persona_client(bob).post(url(case, "decide"), data).status_code == 404


def test_decision_form_offers_traced_and_in_force_provisions(application, cat, bob, persona_client):
    body = persona_client(bob).get(url(application)).content.decode()
    assert url(application, "decide") in body
    assert "Traced to this service" in body
    assert "Reg. 1/2020 art. 1" in body  # traced
    assert "Reg. 1/2020 art. 2" not in body  # overdue for review, not traced: not offered
    assert "LV 1/2021" not in body  # another tenant's register


# --- results of the actions --------------------------------------------------------------------


def test_public_reply_and_note(case, bob, persona_client):
    client = persona_client(bob)
    response = client.post(
        url(case, "reply"),
        {"reply-version": case.version, "reply-visibility": "public", "reply-text": "Fixed soon"},
        follow=True,
    )
    assert "The reply was sent." in response.content.decode()
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PUBLIC_REPLY)
    assert event.is_public and event.text == "Fixed soon"


def test_template_preview_and_reply(case, bob, montalto, cat, persona_client):
    template = ResponseTemplate.objects.create(
        administration=montalto,
        service=cat.pothole,
        name="On our list",
        body="Dear {name}, case {reference} ({service}) is on our list.",
        status=Status.IN_PROGRESS,
    )
    ResponseTemplate.objects.create(
        administration=montalto, service=cat.draft, name="Other service", body="x"
    )
    client = persona_client(bob)
    body = client.get(url(case)).content.decode()
    assert "On our list" in body and "Other service" not in body
    preview = client.get(url(case) + f"?template={template.pk}").content.decode()
    assert f"Dear Charlie Citizen, case {case.reference} (Pothole) is on our list." in preview
    response = client.post(
        url(case, "reply"),
        {
            "reply-version": case.version,
            "reply-visibility": "public",
            "reply-template": template.pk,
            "reply-text": "Dear Charlie, edited text.",
        },
    )
    assert response.status_code == 302
    after = fresh(case)
    assert after.status == Status.IN_PROGRESS
    reply = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PUBLIC_REPLY)
    assert reply.text == "Dear Charlie, edited text."


def test_information_request_names_the_field(case, bob, persona_client):
    client = persona_client(bob)
    for field, name, code in [
        ("depth", "", "depth"),
        ("other", "Photo of the street sign", "other:Photo of the street sign"),
    ]:
        c = fresh(case)
        if c.status == Status.WAITING_CITIZEN:
            handling_actions.change_status(bob, c, Status.IN_PROGRESS)
            c = fresh(case)
        response = client.post(
            url(case, "info"),
            {
                "info-version": c.version,
                "info-field": field,
                "info-other_name": name,
                "info-text": "Please tell us",
            },
        )
        assert response.status_code == 302
        event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.INFO_REQUESTED).last()
        assert event.field_code == code
    after = fresh(case)
    assert after.status == Status.WAITING_CITIZEN and after.sla_paused_at is not None


def test_assign_to_me_and_beyond_capacity_needs_a_reason(case, twin, dario, rosa, persona_client):
    assignment.assign(dario, twin, rosa)  # rosa is now at her capacity of 1
    client = persona_client(dario)
    page = client.get(url(case)).content.decode()
    assert "Rosa Roads — 1 of 1 open cases (at capacity)" in page
    before = counts(case)
    data = {"assign-version": case.version, "assign-assignee": rosa.pk}
    response = client.post(url(case, "assign"), data)
    assert response.status_code == 400
    assert "say why they should take one more" in response.content.decode()
    assert counts(case) == before
    data["assign-override_reason"] = "She knows this street"
    assert client.post(url(case, "assign"), data).status_code == 302
    assert fresh(case).assignee_id == rosa.pk
    assert Escalation.objects.filter(case=case, kind="capacity_override").count() == 1


def test_time_prefilled_and_logged(case, bob, persona_client):
    client = persona_client(bob)
    body = client.get(url(case)).content.decode()
    # The cost model expects 12 minutes for a web case; nothing logged yet.
    assert 'name="time-minutes" value="12"' in body
    client.post(
        url(case, "time"),
        {"time-version": case.version, "time-minutes": "20", "time-action": "work"},
    )
    assert fresh(case).staff_minutes == 20
    assert 'name="time-minutes" value="5"' in client.get(url(case)).content.decode()


def test_logged_time_names_its_activity_in_words(case, bob, persona_client, settings):
    """Issue 12, item 9: the time log showed the raw codes ("work", "call")."""
    client = persona_client(bob)
    for action in ("call", "work"):
        client.post(
            url(case, "time"),
            {"time-version": fresh(case).version, "time-minutes": "7", "time-action": action},
        )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    body = client.get(url(case)).content.decode()
    assert "<td>Telefonata</td>" in body and "<td>Lavorazione della pratica</td>" in body
    assert "<td>call</td>" not in body and "<td>work</td>" not in body


def test_merge_suggestion_and_merge(case, twin, bob, persona_client):
    client = persona_client(bob)
    body = client.get(url(twin)).content.decode()
    assert f"Merge this case into {case.reference}" in body
    response = client.post(
        url(twin, "merge"), {"merge-version": twin.version, "merge-into": case.reference}
    )
    assert response.status_code == 302
    assert fresh(twin).status == Status.DUPLICATE and fresh(twin).duplicate_of_id == case.pk


def test_handoff_bounced_back(case, bob, dario, parks, persona_client):
    client = persona_client(bob)
    client.post(
        url(case, "handoff"),
        {
            "handoff-version": case.version,
            "handoff-to_department": parks.pk,
            "handoff-reason": "Trees",
        },
    )
    handoff = Handoff.objects.get(case=case)
    body = persona_client(dario).get(url(case)).content.decode()
    assert "Accept the case" in body and "Send it back" in body
    c = fresh(case)
    response = persona_client(dario).post(
        url(case, "handoff_return", handoff.pk),
        {"return-version": c.version, "return-response": "It is the road, not the trees"},
    )
    assert response.status_code == 302
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.RETURNED
    assert fresh(case).department_id == case.department_id


# --- bad input: clear errors, nothing saved ----------------------------------------------------


BAD = [
    ("reply", {"reply-visibility": "public", "reply-text": "  "}, "Write the reply."),
    ("reply", {"reply-visibility": "loud", "reply-text": "x"}, "Select a valid choice"),
    (
        "reply",
        {"reply-visibility": "internal", "reply-text": "x", "reply-template": "1"},
        "A reply from a template is public",
    ),
    ("status", {"status-status": "submitted"}, "Select a valid choice"),
    ("assign", {"assign-assignee": "999999"}, "Select a valid choice"),
    ("info", {"info-field": "depth", "info-text": ""}, "Say what is missing."),
    ("info", {"info-field": "other", "info-text": "x"}, "Name what the form does not ask."),
    ("info", {"info-field": "nonsense", "info-text": "x"}, "Select a valid choice"),
    ("handoff", {"handoff-to_department": "", "handoff-reason": "x"}, "This field is required"),
    ("handoff", {"handoff-to_department": "PARKS", "handoff-reason": ""}, "Say why the case"),
    ("share", {"share-department": "999999"}, "Select a valid choice"),
    ("time", {"time-minutes": "abc", "time-action": "work"}, "Give the minutes as a whole number"),
    ("time", {"time-minutes": "2000", "time-action": "work"}, "less than or equal to 1440"),
    ("time", {"time-minutes": "-5", "time-action": "work"}, "greater than or equal to 0"),
    ("merge", {"merge-into": ""}, "Give the reference of the case to keep."),
    ("merge", {"merge-into": "2000-000001"}, "There is no case with this reference"),
    ("merge", {"merge-into": "SELF"}, "cannot be merged into itself"),
]


@pytest.mark.parametrize(("action", "data", "message"), BAD)
def test_bad_input_is_refused_and_nothing_saved(
    action, data, message, case, bob, parks, montalto, cat, persona_client
):
    data = {
        k: (parks.pk if v == "PARKS" else case.reference if v == "SELF" else v)
        for k, v in data.items()
    }
    if action == "reply" and "reply-template" in data:
        t = ResponseTemplate.objects.create(administration=montalto, name="T", body="Hello")
        data["reply-template"] = t.pk
    data[f"{action}-version"] = case.version
    before = counts(case)
    response = persona_client(bob).post(url(case, action), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body, body[:200]
    assert "Nothing was saved" in body
    assert counts(case) == before


def test_bad_decision_input(application, bob, persona_client):
    before = counts(application)
    response = persona_client(bob).post(
        url(application, "decide"),
        {"decide-version": application.version, "decide-decision": "refused"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A refusal states its reasons." in body
    assert "A refusal names the provision applied." in body
    assert counts(application) == before


def test_bad_handoff_answer(case, bob, parks, persona_client):
    handoff = _handoff(case, bob, parks)
    case = fresh(case)
    before = counts(case)
    response = persona_client(bob).post(
        url(case, "handoff_return", handoff.pk),
        {"return-version": case.version, "return-response": " "},
    )
    assert response.status_code == 400
    assert "Say why the case is sent back." in response.content.decode()
    assert counts(case) == before


def test_missing_version_is_refused(case, bob, persona_client):
    before = counts(case)
    response = persona_client(bob).post(url(case, "status"), {"status-status": "in_progress"})
    assert response.status_code == 400
    assert counts(case) == before


# --- concurrency -------------------------------------------------------------------------------


def test_two_officers_on_one_version_the_second_gets_409(case, bob, dario, persona_client):
    version = case.version
    first = persona_client(bob).post(
        url(case, "status"),
        {"status-version": version, "status-status": "in_progress", "status-note": "Bob"},
    )
    assert first.status_code == 302
    before = counts(case)
    second = persona_client(dario).post(
        url(case, "status"),
        {"status-version": version, "status-status": "acknowledged", "status-note": "Dario's"},
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "Someone else changed this case meanwhile" in body
    assert "Dario&#x27;s" in body  # what the second officer wrote is kept
    assert f'name="status-version" value="{version + 1}"' in body
    after = fresh(case)
    assert after.status == Status.IN_PROGRESS
    assert counts(case) == before
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).count() == 1


@pytest.mark.parametrize("action", ["assign", "info", "handoff", "merge"])
def test_stale_forms_change_nothing(action, case, twin, bob, dario, rosa, parks, persona_client):
    ctx = {"rosa": rosa, "parks": parks, "twin": twin}
    data = _data({"assign": "assign_other"}.get(action, action), case, rosa, ctx)
    handling_actions.change_status(bob, case, Status.ACKNOWLEDGED)  # someone else changed it
    before = counts(case)
    response = persona_client(dario).post(url(case, action), data)
    assert response.status_code == 409
    assert counts(case) == before


def test_stale_decision(application, bob, cat, persona_client):
    version = application.version
    handling_actions.change_status(bob, application, Status.IN_PROGRESS)
    before = counts(application)
    response = persona_client(bob).post(
        url(application, "decide"),
        {"decide-version": version, "decide-decision": "granted", "decide-reasons": ""},
    )
    assert response.status_code == 409
    assert counts(application) == before
