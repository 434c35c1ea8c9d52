"""Filing online (views_filing): the form, bad input, idempotency, prefill, duplicates, confirmation."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from insieme.cases.filing import actions as filing_actions
from insieme.cases.filing.forms import form_seconds, sign_started
from insieme.cases.models import Attachment, Case, CaseEvent, Follower
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.files import clean_pdf

FILE_URL = "/services/montalto/pothole/file/"
PDF = clean_pdf()  # a real document: uploads are parsed and rewritten


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 6.0, 0.0)
    gps[3] = "E"
    gps[4] = (11.0, 6.0, 0.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS really is there
    return data


def form_fields(client, url=FILE_URL) -> dict:
    """The hidden fields (token, signed start time) of a freshly rendered form."""
    body = client.get(url).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    started = re.search(r'name="started" value="([^"]+)"', body).group(1)
    return {"token": token, "started": started}


def report_data(client, **overrides) -> dict:
    data = {
        **form_fields(client),
        "attr_size": "large",
        "attr_depth": "12",
        "description": "Buca profonda davanti al numero 4",
        "lat": "43.1",
        "lon": "11.1",
        "address": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def application(cat):  # noqa: F811
    return catalog_actions.create_service(
        None,
        cat.pothole.administration,
        code="parking",
        name="Residents' parking permit",
        kind="application",
        located=False,
        channels=["web"],
        status=Service.Status.PUBLISHED,
        attributes=[
            {
                "code": "plate",
                "datatype": "string",
                "label": "Number plate",
                "required": True,
                "order": 1,
            }
        ],
    )


@pytest.fixture
def citizen_client(client, charlie):
    client.force_login(charlie)
    return client


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), Attachment.objects.count(), CaseEvent.objects.count()


# --- the happy paths ---------------------------------------------------------------------------


def test_file_a_report_with_answers_location_and_a_photo_without_its_gps(cat, citizen_client):  # noqa: F811
    photo = SimpleUploadedFile("pothole.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = citizen_client.post(FILE_URL, report_data(citizen_client, attachments=photo))
    assert response.status_code == 302, re.findall(r"<li>.*?</li>", response.content.decode())
    case = Case.objects.get()
    assert response["Location"] == reverse(
        "case_filed", args=["montalto", "pothole", case.reference]
    )
    assert case.answers == {"size": "large", "depth": "12"}
    assert (case.lat, case.lon) == (43.1, 11.1)
    assert case.channel == "web" and case.submitted_by.email == "charlie@example.org"
    assert case.form_seconds is not None and case.form_seconds >= 0
    stored = Attachment.objects.get(case=case)
    assert stored.content_type == "image/jpeg"
    with stored.file.open("rb") as fh:
        raw = fh.read()
    exif = Image.open(io.BytesIO(raw)).getexif()
    assert not exif and not exif.get_ifd(0x8825)
    assert b"SpyCam" not in raw
    page = citizen_client.get(response["Location"]).content.decode()
    assert case.reference in page and "within 2 working days" in page
    assert page.count("<h1") == 1


def test_file_an_application_with_a_pdf(cat, application, citizen_client):  # noqa: F811
    url = reverse("case_file", args=["montalto", "parking"])
    body = citizen_client.get(url).content.decode()
    assert (
        'name="lat"' not in body
        and 'accept="image/jpeg,image/png,image/webp,application/pdf"' in body
    )
    data = {**form_fields(citizen_client, url), "attr_plate": "AB123CD"}
    data["attachments"] = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    response = citizen_client.post(url, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.kind == "application" and not case.is_public
    assert case.answers == {"plate": "AB123CD"}
    assert Attachment.objects.get(case=case).content_type == "application/pdf"


def test_the_public_service_page_links_to_filing(cat, client):  # noqa: F811
    body = client.get(reverse("catalogue_service", args=["montalto", "pothole"])).content.decode()
    assert f'href="{FILE_URL}"' in body and "File a request" in body


# --- bad input: a clear message, nothing saved -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"attr_size": None}, "This field is required."),
        ({"attr_depth": "deep"}, "Enter a number."),
        ({"lat": "45.0", "lon": "9.0"}, "This place is outside Comune di Montalto"),
        ({"lat": "", "lon": "", "address": ""}, "Show the place on the map or write its address."),
        ({"lat": "43.1", "lon": ""}, "Give both latitude and longitude."),
        ({"lat": "north"}, "Write the latitude as a number"),
        ({"description": "x" * 4001}, "at most 4000 characters"),
        ({"contact_email": "not-an-address"}, "Write a valid e-mail address"),
    ],
)
def test_bad_input_is_answered_clearly_and_saves_nothing(
    cat,  # noqa: F811
    citizen_client,
    overrides,
    message,
):
    before = counts()
    response = citizen_client.post(FILE_URL, report_data(citizen_client, **overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'role="alert"' in body and "Nothing was filed" in body
    assert counts() == before
    # what was typed is kept
    if "description" not in overrides:
        assert "Buca profonda davanti al numero 4" in body


def test_an_address_alone_is_a_location(cat, citizen_client):  # noqa: F811
    data = report_data(citizen_client, lat="", lon="", address="Via Roma 4")
    assert citizen_client.post(FILE_URL, data).status_code == 302
    assert Case.objects.get().address == "Via Roma 4"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "is not a photo (JPEG, PNG, WebP) or a PDF"),
        (
            "photo.jpg",
            b"just some text, not a picture",
            "is not a photo (JPEG, PNG, WebP) or a PDF",
        ),
    ],
)
def test_wrong_file_types_are_refused(cat, citizen_client, name, content, message):  # noqa: F811
    before = counts()
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = citizen_client.post(FILE_URL, report_data(citizen_client, attachments=upload))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and name in body
    assert counts() == before


def test_too_large_files_are_refused(cat, citizen_client, monkeypatch):  # noqa: F811
    monkeypatch.setattr("insieme.core.uploads.MAX_BYTES", 1024)
    before = counts()
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = citizen_client.post(FILE_URL, report_data(citizen_client, attachments=upload))
    assert response.status_code == 400
    assert "big.pdf is larger than" in response.content.decode()
    assert counts() == before


# --- idempotency, anonymity, prefill, time on form, drafts ------------------------------------


def test_a_double_submitted_form_files_once_and_lands_on_the_same_confirmation(
    cat,  # noqa: F811
    citizen_client,
):
    data = report_data(citizen_client)
    first = citizen_client.post(FILE_URL, data)
    second = citizen_client.post(FILE_URL, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_anonymous_people_are_sent_to_log_in_where_anonymity_is_not_allowed(cat, client):  # noqa: F811
    response = client.get(FILE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/services/montalto/pothole/file/" in response["Location"]
    data = {"attr_size": "large", "lat": "43.1", "lon": "11.1", "description": "buca"}
    assert client.post(FILE_URL, data).status_code == 302
    assert Case.objects.count() == 0


def test_anonymous_filing_where_allowed_with_optional_contact(cat, client, mailoutbox):  # noqa: F811
    catalog_actions.update_service(None, cat.pothole, anonymous_allowed=True)
    body = client.get(FILE_URL).content.decode()
    assert "Your contact details (optional)" in body
    data = report_data(client, contact_email="anon@example.org")
    response = client.post(FILE_URL, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.submitted_by is None and case.contact_email == "anon@example.org"
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page and "Updates will be sent to anon@example.org" in page


def test_signed_in_citizens_find_their_details_and_last_address_prefilled(cat, charlie, client):  # noqa: F811
    charlie.phone = "+39 333 1234567"
    charlie.save(update_fields=["phone"])
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "small"}, description="x", address="Via Verdi 7"
        ),
    )
    client.force_login(charlie)
    body = client.get(FILE_URL).content.decode()
    assert 'value="Charlie Citizen"' in body
    assert 'value="charlie@example.org"' in body
    assert 'value="+39 333 1234567"' in body
    assert '<option value="Via Verdi 7">' in body and 'list="last-addresses"' in body


def test_time_on_form_is_recorded_and_a_tampered_value_ignored(cat, citizen_client):  # noqa: F811
    import math
    import time

    begun = time.time()
    signed = sign_started(begun - 95)

    def within_the_time_taken(seconds) -> bool:
        # 95 s on the form, plus however long this test has taken so far (a loaded machine)
        return 95 <= seconds <= 96 + math.ceil(time.time() - begun)

    assert within_the_time_taken(form_seconds(signed))
    assert form_seconds(signed + "x") is None and form_seconds("") is None
    citizen_client.post(FILE_URL, report_data(citizen_client, started=signed))
    assert within_the_time_taken(Case.objects.get().form_seconds)
    citizen_client.post(
        FILE_URL, report_data(citizen_client, started="1700000000:forged", checked="on")
    )
    assert Case.objects.order_by("-pk").first().form_seconds is None


def test_draft_and_unknown_services_cannot_be_filed_on(cat, citizen_client):  # noqa: F811
    assert citizen_client.get("/services/montalto/residence/file/").status_code == 404
    assert citizen_client.post("/services/montalto/residence/file/", {}).status_code == 404
    assert citizen_client.get("/services/montalto/nothing/file/").status_code == 404


def test_only_the_filer_sees_the_confirmation(cat, citizen_client, client, bob):  # noqa: F811
    response = citizen_client.post(FILE_URL, report_data(citizen_client))
    url = response["Location"]
    assert citizen_client.get(url).status_code == 200
    from django.test import Client

    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(bob)
    assert other.get(url).status_code == 404


# --- duplicate suggestions ---------------------------------------------------------------------


@pytest.fixture
def existing(cat, alice):  # noqa: F811
    case, _ = filing_actions.submit_case(
        alice,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca profonda davanti al numero 4, scrivete a mario.rossi@example.org",
            lat=43.1001,
            lon=11.1001,
            contact_phone="+39 000 999",
        ),
    )
    return case


def test_similar_reports_are_suggested_before_filing(cat, existing, citizen_client):  # noqa: F811
    data = report_data(citizen_client)
    response = citizen_client.post(FILE_URL, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Similar reports nearby" in body and existing.reference in body
    assert "Follow " + existing.reference + " instead (me too)" in body
    assert "None of these — file my report" in body
    assert "Buca profonda davanti al numero 4" in body
    for personal in ("Alice", "+39 000 999", "mario.rossi@example.org"):
        assert personal not in body  # never personal data
    assert 'name="checked" value="on"' in body
    assert Case.objects.count() == 1
    # "None of these": the flag carried in the form files for real
    response = citizen_client.post(FILE_URL, {**data, "checked": "on"})
    assert response.status_code == 302 and Case.objects.count() == 2


def test_me_too_follows_the_existing_case_instead_of_filing(cat, existing, charlie, client):  # noqa: F811
    url = reverse("case_me_too", args=["montalto", "pothole", existing.reference])
    response = client.post(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(charlie)
    response = client.post(url)
    assert response.status_code == 302
    assert Follower.objects.get(case=existing, user=charlie).me_too
    assert Case.objects.count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200 and existing.reference in page.content.decode()
    assert client.get(url).status_code == 405
