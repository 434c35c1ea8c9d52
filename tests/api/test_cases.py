"""Cases through the API: who reads what (keys, citizens, staff), and filing through the
cases' write path."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Case, Rating, Status
from insieme.core.models import ApiKey, AuditEntry
from tests.api.conftest import INSIDE_MONTALTO, file_case
from tests.files import clean_pdf

pytestmark = pytest.mark.django_db

PDF = clean_pdf()  # a real document: uploads are parsed and rewritten


def refs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {c["reference"] for c in response.json()["results"]}


def new_case_body(service, **extra) -> dict:
    return {
        "service": service.pk,
        "description": "The light at the corner is out.",
        "answers": {"colour": "yellow", "pole": "P-9"},
        **INSIDE_MONTALTO,
        **extra,
    }


# --- reading -----------------------------------------------------------------------------------


def test_cases_need_a_session_or_a_key(api, charlie_case):
    response = api().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    detail = api().get(f"/api/v1/cases/montalto/{charlie_case.reference}/")
    assert detail.status_code == 401


def test_key_reads_only_its_administration(api, make_key, montalto, charlie_case, lv_case):
    key = make_key(montalto, "cases:read")
    assert refs(api(key=key).get("/api/v1/cases/")) == {charlie_case.reference}
    other = api(key=key).get(f"/api/v1/cases/lago-verde/{lv_case.reference}/")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    personal = make_key(montalto, "cases:read", "cases:read_personal")
    own = api(key=personal).get(f"/api/v1/cases/montalto/{charlie_case.reference}/").json()
    assert own["contact_email"] == "charlie.contact@example.org"  # the administration's own data


def test_key_of_b_cannot_see_a(api, make_key, lagoverde, charlie_case, lv_case):
    key = make_key(lagoverde, "cases:read")
    assert refs(api(key=key).get("/api/v1/cases/")) == {lv_case.reference}
    hidden = api(key=key).get(f"/api/v1/cases/montalto/{charlie_case.reference}/events/")
    assert hidden.status_code == 404


def test_key_header_variants(api, make_key, montalto, charlie_case):
    from rest_framework.test import APIClient

    key = make_key(montalto, "cases:read")
    client = APIClient()
    assert refs(client.get("/api/v1/cases/", HTTP_X_API_KEY=key)) == {charlie_case.reference}


def test_key_without_cases_read_is_refused(api, make_key, montalto, charlie_case):
    key = make_key(montalto, "services:read", "cases:write")
    response = api(key=key).get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "cases:read" in response.json()["error"]["message"]


def test_revoked_key_is_refused(api, make_key, montalto, charlie_case):
    from insieme.core import actions as core_actions
    from insieme.core.models import ApiKey

    key = make_key(montalto, "cases:read")
    core_actions.revoke_api_key(None, ApiKey.objects.get(key_hash=ApiKey.hash_secret(key)))
    response = api(key=key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_citizen_reads_own_cases_only(api, charlie, charlie_case, diana_case):
    client = api(user=charlie)
    assert refs(client.get("/api/v1/cases/")) == {charlie_case.reference}
    assert client.get(f"/api/v1/cases/montalto/{charlie_case.reference}/").status_code == 200
    for suffix in ["", "events/", "attachments/", "rating/"]:
        response = client.get(f"/api/v1/cases/montalto/{diana_case.reference}/{suffix}")
        assert response.status_code == 404, suffix


def test_citizen_never_reads_a_private_application_of_another(api, montalto, charlie, diana):
    from insieme.catalog import actions as catalog_actions

    permit = catalog_actions.create_service(
        None,
        montalto,
        code="permit",
        name="Permit",
        kind="application",
        located=False,
        channels=["web", "api"],
    )
    application, _ = filing_actions.submit_case(
        diana, filing_actions.Filing(permit, description="my income is 10")
    )
    client = api(user=charlie)
    assert client.get(f"/api/v1/cases/montalto/{application.reference}/").status_code == 404
    assert application.reference not in refs(client.get("/api/v1/cases/"))


def test_staff_see_their_departments_cases(api, roberto, paola, alice, charlie_case, lv_case):
    assert refs(api(user=roberto).get("/api/v1/cases/")) == {charlie_case.reference}
    assert refs(api(user=paola).get("/api/v1/cases/")) == set()
    url = f"/api/v1/cases/montalto/{charlie_case.reference}/"
    assert api(user=paola).get(url).status_code == 404
    assert api(user=roberto).get(url).status_code == 200
    # an administrator without a department sees all of Montalto's, none of Lago Verde's
    assert refs(api(user=alice).get("/api/v1/cases/")) == {charlie_case.reference}
    assert api(user=alice).get(f"/api/v1/cases/lago-verde/{lv_case.reference}/").status_code == 404


def test_internal_notes_for_staff_and_key_not_for_the_citizen(
    api, make_key, montalto, bob, charlie, charlie_case
):
    handling_actions.reply(bob, charlie_case, "Internal: the pole is rusty", public=False)
    url = f"/api/v1/cases/montalto/{charlie_case.reference}/events/"
    citizen = [e["text"] for e in api(user=charlie).get(url).json()]
    staff = api(user=bob).get(url).json()
    internal_key = make_key(montalto, "cases:read", "cases:read_internal")
    keyed = [e["text"] for e in api(key=internal_key).get(url).json()]
    assert "Internal: the pole is rusty" not in citizen
    assert "Internal: the pole is rusty" in [e["text"] for e in staff]
    assert "Internal: the pole is rusty" in keyed
    note = next(e for e in staff if e["kind"] == "internal_note")
    assert note["actor_name"] == "Bob Officer" and note["by"] == "staff"


def test_attachments_metadata_and_download(api, make_key, montalto, lagoverde, lights, charlie):
    pdf = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    case = file_case(charlie, lights, attachments=[pdf])
    url = f"/api/v1/cases/montalto/{case.reference}/attachments/"
    listed = api(user=charlie).get(url).json()
    assert [(a["content_type"], a["is_public"]) for a in listed] == [("application/pdf", False)]
    download = listed[0]["download_url"]
    response = api(user=charlie).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    personal = make_key(montalto, "cases:read", "cases:read_personal")
    assert api(key=personal).get(download).status_code == 200
    assert api(key=make_key(lagoverde, "cases:read")).get(download).status_code == 404
    assert api().get(download).status_code == 401


# --- filing ------------------------------------------------------------------------------------


def test_key_with_cases_write_files_a_case(api, make_key, montalto, lights):
    key = make_key(montalto, "cases:write", "cases:read")
    response = api(key=key).post("/api/v1/cases/", new_case_body(lights), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"], administration=montalto)
    assert case.channel == "api" and case.submitted_by is None
    assert case.answers == {"colour": "yellow", "pole": "P-9"}
    assert case.events.filter(kind="submitted").exists()  # the action's timeline, not a shortcut
    # Audited under the key that filed it (there is no person).
    entry = AuditEntry.objects.get(action="case.submit", object_id=str(case.pk))
    assert entry.actor is None
    assert entry.actor_label == str(ApiKey.objects.get(administration=montalto, name="app"))


def test_key_without_cases_write_cannot_post(api, make_key, montalto, lights):
    key = make_key(montalto, "cases:read")
    response = api(key=key).post("/api/v1/cases/", new_case_body(lights), format="json")
    assert response.status_code == 403
    assert "cases:write" in response.json()["error"]["message"]
    assert not Case.objects.exists()


def test_key_cannot_file_with_another_administrations_service(api, make_key, lagoverde, lights):
    key = make_key(lagoverde, "cases:write")
    response = api(key=key).post("/api/v1/cases/", new_case_body(lights), format="json")
    assert response.status_code == 400
    assert "service" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_validation_errors_carry_field_details(api, make_key, montalto, lights):
    key = make_key(montalto, "cases:write")
    body = new_case_body(lights, answers={"colour": "purple"}, lat=45.0, lon=9.0)
    response = api(key=key).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"answers.colour", "location"}
    bad = api(key=key).post("/api/v1/cases/", {"service": "x", "lat": 99}, format="json")
    assert set(bad.json()["error"]["fields"]) == {"service", "lat"}
    assert not Case.objects.exists()


def test_citizen_session_files_with_csrf(api, charlie, lights):
    client = api(user=charlie, csrf=True)
    refused = client.post("/api/v1/cases/", new_case_body(lights), format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    client.get("/accounts/login/")  # any page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/cases/", new_case_body(lights), format="json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.submitted_by == charlie and case.channel == "api"
    assert refs(client.get("/api/v1/cases/")) == {case.reference}


# --- ratings -----------------------------------------------------------------------------------


def test_citizen_rates_a_resolved_case(api, make_key, montalto, bob, charlie, diana, charlie_case):
    url = f"/api/v1/cases/montalto/{charlie_case.reference}/rating/"
    early = api(user=charlie).post(url, {"score": 5}, format="json")
    assert early.status_code == 400  # not resolved yet: the action's rule
    handling_actions.change_status(bob, charlie_case, Status.RESOLVED, note="Fixed")
    assert api(user=diana).post(url, {"score": 1}, format="json").status_code == 404
    key = make_key(montalto, "cases:read", "cases:write")
    assert api(key=key).post(url, {"score": 1}, format="json").status_code == 403
    bad = api(user=charlie).post(url, {"score": 9}, format="json")
    assert bad.status_code == 400 and "score" in bad.json()["error"]["fields"]
    response = api(user=charlie).post(url, {"score": 4, "comment": "Quick!"}, format="json")
    assert response.status_code == 201
    assert Rating.objects.get(case=charlie_case).score == 4
    assert api(key=key).get(url).json()["score"] == 4
    again = api(user=charlie).post(url, {"score": 2}, format="json")
    assert again.status_code == 400
    assert Rating.objects.get(case=charlie_case).score == 4
