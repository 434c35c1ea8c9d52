"""Public resources: readable without any key, and never carrying personal data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Attachment
from insieme.catalog import actions as catalog_actions
from tests.api.conftest import file_case
from tests.files import clean_pdf

pytestmark = pytest.mark.django_db

PDF = clean_pdf()  # a real document: uploads are parsed and rewritten


def test_administrations_are_public(api, montalto, lagoverde, region):
    response = api().get("/api/v1/administrations/")
    assert response.status_code == 200
    slugs = [a["slug"] for a in response.json()["results"]]
    assert slugs == ["lago-verde", "montalto", "valdoro"]
    detail = api().get("/api/v1/administrations/montalto/").json()
    assert detail["parent"] == "valdoro" and detail["kind"] == "municipality"
    assert api().get("/api/v1/administrations/nowhere/").status_code == 404


def test_services_with_their_forms_published_only(api, cat, lights):
    body = api().get("/api/v1/services/").json()
    codes = {s["code"] for s in body["results"]}
    assert {"pothole", "lights", "boats"} <= codes
    assert "residence" not in codes  # a draft
    service = api().get(f"/api/v1/services/{lights.pk}/").json()
    assert [a["code"] for a in service["attributes"]] == ["pole", "colour"]
    colour = service["attributes"][1]
    assert colour["required"] is True
    assert colour["values"] == [
        {"key": "white", "name": "White"},
        {"key": "yellow", "name": "Yellow"},
    ]
    assert "hourly_cost" not in service and "staff_minutes" not in service
    assert api().get(f"/api/v1/services/{cat.draft.pk}/").status_code == 404


def test_services_filters(api, cat, lights):
    def codes(query):
        return {s["code"] for s in api().get(f"/api/v1/services/?{query}").json()["results"]}

    assert codes("administration=lago-verde") == {"boats"}
    assert codes("q=light") == {"lights"}
    assert codes("administration=montalto&group=Roads") == {"pothole", "lights"}


def test_regulations_with_status(api, cat):
    body = api().get("/api/v1/regulations/?administration=montalto").json()
    assert [r["reference"] for r in body["results"]] == ["Reg. 1/2020"]
    regulation = body["results"][0]
    assert {p["article"] for p in regulation["provisions"]} == {"art. 1", "art. 2"}
    assert regulation["status"] == "in_force"
    detail = api().get(f"/api/v1/regulations/{cat.lv_regulation.pk}/")
    assert detail.json()["administration"] == "lago-verde"


def test_public_case_has_no_personal_data(api, charlie_case):
    response = api().get(f"/api/v1/public-cases/montalto/{charlie_case.reference}/")
    assert response.status_code == 200
    body = response.json()
    text = response.content.decode()
    for secret in ["charlie", "Charlie", "+39 333", "347 765", "P-17"]:
        assert secret not in text
    assert "[phone hidden]" in body["description"]
    assert body["lat"] == 43.123 and body["lon"] == 11.123  # approximate, as the public page
    assert "contact_email" not in body and "answers" not in body


def test_private_cases_are_not_public(api, montalto, charlie):
    permit = catalog_actions.create_service(
        None,
        montalto,
        code="permit",
        name="Permit",
        kind="application",
        located=False,
        channels=["web", "api"],
    )
    application, _created = filing_actions.submit_case(
        charlie, filing_actions.Filing(permit, description="I apply")
    )
    assert application.is_public is False
    assert api().get(f"/api/v1/public-cases/montalto/{application.reference}/").status_code == 404
    listed = api().get("/api/v1/public-cases/").json()["results"]
    assert application.reference not in [c["reference"] for c in listed]


def test_public_timeline_hides_internal_notes_and_names(api, charlie_case, bob):
    handling_actions.reply(
        bob, charlie_case, "Internal: call charlie.private@example.org", public=False
    )
    handling_actions.reply(bob, charlie_case, "We fixed it; thanks charlie.private@example.org")
    events = api().get(f"/api/v1/public-cases/montalto/{charlie_case.reference}/events/").json()
    texts = [e["text"] for e in events]
    assert not any("Internal" in t for t in texts)
    assert "We fixed it; thanks [e-mail hidden]" in texts
    assert all(e["actor_name"] is None for e in events)


def test_public_attachments_only(api, lights, charlie):
    pdf = SimpleUploadedFile("private.pdf", PDF, content_type="application/pdf")
    case = file_case(charlie, lights, attachments=[pdf])
    url = f"/api/v1/public-cases/montalto/{case.reference}/attachments/"
    assert api().get(url).json() == []  # filed attachments are private
    Attachment.objects.filter(case=case).update(is_public=True)
    listed = api().get(url).json()
    assert len(listed) == 1
    download = api().get(listed[0]["download_url"])
    assert download.status_code == 200


def test_public_reads_with_a_key_or_without(api, make_key, montalto, lights):
    key = make_key(montalto, "services:read")
    assert api(key=key).get("/api/v1/services/").status_code == 200
    assert api(key="ins_wrong").get("/api/v1/services/").status_code == 401


def test_schema_and_docs_are_served_offline(api, db):
    schema = api().get("/api/schema/?format=json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert {"bearerAuth", "apiKeyHeader", "cookieAuth"} <= set(
        body["components"]["securitySchemes"]
    )
    post = body["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "400", "401", "403", "409", "413", "415", "429"} <= set(post["responses"])
    docs = api().get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "<script>" not in html and "<style>" not in html  # CSP: script-src/style-src 'self'
    assert "cdn" not in html.lower()
    script = api().get("/api/docs/?script")
    assert script.status_code == 200 and b"/api/schema/" in script.content


def test_datetime_filters_with_any_offset(api, charlie_case):
    """ISO 8601 allows any hh:mm offset; PostgreSQL stores at most ±15:59 (this was a 500)."""
    response = api().get("/api/v1/public-cases/", {"updated_after": "1990-06-13T16:49:58+20:27"})
    assert response.status_code == 200
    response = api().get("/api/v1/public-cases/", {"submitted_before": "1800-01-01T00:10:00+05:00"})
    assert response.status_code == 200
    assert response.json()["results"] == []
    # Year 1 is outside the calendar every date field takes (insieme.core.safe_input).
    response = api().get("/api/v1/public-cases/", {"submitted_before": "0001-01-01T00:10:00+05:00"})
    assert response.status_code == 400
