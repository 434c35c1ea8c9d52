"""Filing through Open311: POST requests (form-urlencoded and multipart), the api_key checks,
every kind of bad input, and the batch token flow."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insieme.cases.models import Attachment, Case
from insieme.core.models import ApiKey, AuditEntry
from insieme.open311.models import RequestToken
from tests.open311.conftest import (
    BASE,
    INSIDE_MONTALTO,
    assert_schema,
    file_request,
    parse_xml,
    png_bytes,
)

pytestmark = pytest.mark.django_db

OUTSIDE_MONTALTO = {"lat": "45.0", "long": "9.0"}


def only_case() -> Case:
    (case,) = Case.objects.all()
    return case


# --- success -----------------------------------------------------------------------------------


def test_post_json_files_a_case_through_the_action(client, world):
    response = file_request(
        client,
        world,
        email="filer@example.org",
        phone="+39 333 000 1111",
        first_name="Giulia",
        last_name="Bianchi",
        device_id="device-1",
        account_id="acc-1",
        address_string="Via Roma 1",
        **{"attribute[depth]": "12,5", "attribute[since]": "2026-11-01 08:30:00"},
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    (answer,) = response.json()
    case = only_case()
    assert answer["service_request_id"] == case.reference
    assert case.reference in answer["service_notice"]
    assert f"/cases/montalto/{case.reference}/" in answer["service_notice"]
    assert answer["account_id"] is None
    assert case.channel == "api"
    assert case.service == world.realtime
    assert case.submitted_by is None
    assert case.contact_email == "filer@example.org"
    assert case.contact_phone == "+39 333 000 1111"
    assert case.contact_name == "Giulia Bianchi"
    assert case.address == "Via Roma 1"
    assert (case.lat, case.lon) == (INSIDE_MONTALTO["lat"], INSIDE_MONTALTO["lon"])
    assert case.answers["size"] == "large"
    assert case.answers["depth"] == "12.5"
    assert case.answers["since"].startswith("2026-11-01T08:30:00")
    # The filing action audited it, as it does for every channel, naming the key that filed it.
    key = ApiKey.objects.get(name="Montalto app")
    entry = AuditEntry.objects.get(action="case.submit", object_id=str(case.pk))
    assert (entry.actor, entry.actor_label) == (None, str(key))
    assert key.prefix in entry.actor_label
    # The key's last use is recorded.
    assert key.last_used_at is not None


def test_post_xml(client, world):
    response = file_request(client, world, fmt="xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == only_case().reference


def test_api_key_and_everything_in_the_query_string(client, world):
    query = (
        f"jurisdiction_id=montalto&api_key={world.key}&service_code=road.hole"
        f"&lat={INSIDE_MONTALTO['lat']}&long={INSIDE_MONTALTO['lon']}&attribute[size]=small"
    )
    response = client.post(f"{BASE}requests.json?{query}", {"description": "From the query"})
    assert response.status_code == 200, response.content
    case = only_case()
    assert case.answers["size"] == "small" and case.description == "From the query"


def test_jurisdiction_defaults_to_the_keys(client, world):
    response = file_request(client, world, jurisdiction_id=None)
    assert response.status_code == 200, response.content
    assert only_case().administration.slug == "montalto"


def test_multipart_with_media(client, world):
    photo = SimpleUploadedFile("hole.png", png_bytes(), content_type="image/png")
    response = file_request(client, world, media=photo)  # a file makes the client send multipart
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(case=only_case())
    assert attachment.content_type == "image/png"
    assert attachment.is_public is False  # staff decide what becomes public


def test_bad_media_is_400_and_files_nothing(client, world):
    fake = SimpleUploadedFile("hole.png", b"not an image", content_type="image/png")
    response = file_request(client, world, media=fake)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media: ")
    assert not Case.objects.exists()


def test_multivalue_attribute_with_brackets(client, world):
    response = client.post(
        f"{BASE}requests.json",
        {
            "jurisdiction_id": "montalto",
            "api_key": world.key,
            "service_code": "road.hole",
            "address_string": "Piazza Grande",
            "attribute[size]": "small",
            "attribute[kinds][]": ["asphalt", "kerb"],
        },
    )
    assert response.status_code == 200, response.content
    assert only_case().answers["kinds"] == ["asphalt", "kerb"]


def test_multivalue_attribute_repeated_without_brackets(client, world):
    response = file_request(client, world, **{"attribute[kinds]": ["drain", "kerb"]})
    assert response.status_code == 200, response.content
    assert only_case().answers["kinds"] == ["drain", "kerb"]


def test_media_url_is_kept_for_staff(client, world):
    response = file_request(client, world, media_url="https://photos.example.org/1.jpg")
    assert response.status_code == 200
    assert "https://photos.example.org/1.jpg" in only_case().description


def test_idempotency_key_never_files_twice(client, world):
    first = client.post(
        f"{BASE}requests.json",
        {
            "jurisdiction_id": "montalto",
            "api_key": world.key,
            "service_code": "road.hole",
            "address_string": "Piazza Grande",
            "attribute[size]": "small",
        },
        headers={"Idempotency-Key": "retry-1"},
    )
    again = client.post(
        f"{BASE}requests.json",
        {
            "jurisdiction_id": "montalto",
            "api_key": world.key,
            "service_code": "road.hole",
            "address_string": "Piazza Grande",
            "attribute[size]": "small",
        },
        headers={"Idempotency-Key": "retry-1"},
    )
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Case.objects.count() == 1


# --- the api_key -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "which", ["missing", "wrong", "revoked", "out_of_scope", "other_administration"]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_api_key_is_403(client, world, which, fmt):
    key = {
        "missing": None,
        "wrong": "ins_not-a-real-key",
        "revoked": world.revoked_key,
        "out_of_scope": world.read_only_key,
        "other_administration": world.lv_key,
    }[which]
    response = file_request(client, world, fmt=fmt, api_key=key)
    assert response.status_code == 403, response.content
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 403
    else:
        assert parse_xml(response.content).findtext("error/code") == "403"
    assert not Case.objects.exists()


def test_other_administrations_key_cannot_file_without_jurisdiction_either(client, world):
    response = file_request(client, world, jurisdiction_id=None, api_key=world.lv_key)
    assert response.status_code == 404  # road.hole is not a Lago Verde service
    assert not Case.objects.exists()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "mentions"),
    [
        ({"jurisdiction_id": "atlantis"}, 404, "atlantis"),
        ({"service_code": "nope"}, 404, "nope"),
        ({"service_code": "lv-api"}, 404, "lv-api"),
        ({"service_code": None}, 400, "service_code"),
        ({"lat": "north"}, 400, "lat"),
        ({"long": "1e999"}, 400, "long"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": None}, 400, "long"),
        (OUTSIDE_MONTALTO, 400, "outside"),
        ({"lat": None, "long": None}, 400, "lat/long/address_string"),
        ({"attribute[size]": None}, 400, "attribute[size]"),
        ({"attribute[size]": "huge"}, 400, "attribute[size]"),
        ({"attribute[size]": ["small", "large"]}, 400, "attribute[size]"),
        ({"attribute[kinds][]": ["asphalt", "lava"]}, 400, "attribute[kinds]"),
        ({"attribute[depth]": "deep"}, 400, "attribute[depth]"),
        ({"attribute[since]": "last week"}, 400, "attribute[since]"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"description": "x" * 3990, "media_url": "https://example.org/a.jpg"}, 400, "description"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"service_code": "signed"}, 400, "signed-in"),
    ],
)
def test_bad_input(client, world, data, status, mentions):
    response = file_request(client, world, **data)
    assert response.status_code == status, response.content
    descriptions = " ".join(e["description"] for e in response.json())
    assert mentions in descriptions
    assert all(e["code"] == status for e in response.json())
    assert not Case.objects.exists()
    assert not RequestToken.objects.exists()


def test_description_of_4000_characters_is_fine(client, world):
    response = file_request(client, world, description="x" * 4000)
    assert response.status_code == 200


def test_bad_input_xml(client, world):
    response = file_request(client, world, fmt="xml", lat="north")
    assert response.status_code == 400
    root = parse_xml(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"
    assert "lat" in root.findtext("error/description")


def test_unreadable_multipart_is_400(client, world):
    response = client.generic(
        "POST",
        f"{BASE}requests.json",
        b"--x\r\nContent-Disposition: form-data; name=\r\n\r\nbroken",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_service_not_offered_on_the_api_channel_is_400(client, world, cat):
    cat.pothole.anonymous_allowed = True
    cat.pothole.save(update_fields=["anonymous_allowed"])
    response = file_request(client, world, service_code="pothole")
    assert response.status_code == 400
    assert "service_code" in response.json()[0]["description"]


# --- batch services and tokens -----------------------------------------------------------------


def _post_batch(client, world, **data):
    body = {
        "jurisdiction_id": "montalto",
        "api_key": world.key,
        "service_code": "bulky",
        "address_string": "Via Verdi 3",
        "description": "An old sofa.",
        "email": "mover@example.org",
    }
    body.update(data)
    return client.post(f"{BASE}requests.json", body)


def test_batch_answers_a_token_then_the_id(client, world, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("sofa.png", png_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post_batch(client, world, media=photo)
    assert response.status_code == 200, response.content
    (answer,) = response.json()
    token = answer["token"]
    assert "service_request_id" not in answer
    assert not Case.objects.exists()  # not yet: the task runs after the commit
    pending = client.get(f"{BASE}tokens/{token}.json?jurisdiction_id=montalto")
    assert pending.json() == [{"service_request_id": None, "token": token}]
    for callback in callbacks:  # the commit: the (eager) task files the case
        callback()
    case = only_case()
    assert case.channel == "api" and case.contact_email == "mover@example.org"
    assert Attachment.objects.filter(case=case).count() == 1
    row = RequestToken.objects.get(token=token)
    entry = AuditEntry.objects.get(action="case.submit", object_id=str(row.case_id))
    assert entry.actor_label == str(row.api_key)  # filed later, still under the key
    assert row.params == {} and not row.media  # contact details and upload not kept twice
    done = client.get(f"{BASE}tokens/{token}.json?jurisdiction_id=montalto")
    assert done.json() == [{"service_request_id": case.reference, "token": token}]
    root = parse_xml(client.get(f"{BASE}tokens/{token}.xml?jurisdiction_id=montalto").content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == case.reference
    assert root.findtext("request/token") == token
    # Delivered twice (brokers may): still one case.
    from insieme.open311.tasks import process_token

    assert process_token(row.pk) == "skipped"
    assert Case.objects.count() == 1
    # The request is public like any other.
    listed = client.get(f"{BASE}requests/{case.reference}.json?jurisdiction_id=montalto")
    assert_schema(listed.json(), "requests.json")


def test_batch_checks_answers_and_media_at_once(client, world, montalto):
    from tests.open311.conftest import ATTRIBUTES, _service

    _service(montalto, "bulky-form", service_type="batch", attributes=ATTRIBUTES)
    response = _post_batch(client, world, service_code="bulky-form")
    assert response.status_code == 400
    assert "attribute[size]" in response.json()[0]["description"]
    fake = SimpleUploadedFile("sofa.png", b"not an image", content_type="image/png")
    response = _post_batch(client, world, media=fake)
    assert response.status_code == 400
    assert not RequestToken.objects.exists()


def test_batch_rejected_later_shows_why(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_batch(client, world, lat=str(OUTSIDE_MONTALTO["lat"]), long="9.0")
    token = response.json()[0]["token"]
    assert not Case.objects.exists()
    answer = client.get(f"{BASE}tokens/{token}.json?jurisdiction_id=montalto")
    assert answer.status_code == 400
    assert "outside" in answer.json()[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_token_is_404(client, world, fmt, django_capture_on_commit_callbacks):
    assert client.get(f"{BASE}tokens/nope.{fmt}?jurisdiction_id=montalto").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        token = _post_batch(client, world).json()[0]["token"]
    # Another jurisdiction's token is unknown here.
    response = client.get(f"{BASE}tokens/{token}.{fmt}?jurisdiction_id=lago-verde")
    assert response.status_code == 404


def test_no_csrf_token_needed(world):
    """Apps authenticate with api_key, never with a cookie: CSRF does not apply."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = file_request(strict, world)
    assert response.status_code == 200, response.content
    assert strict.post(f"{BASE}").status_code == 404  # the base too answers in Open311's format
