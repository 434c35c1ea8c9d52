"""A filer without an account follows their case through a private link: shown once filed and
in every e-mail, unguessable, 404 when wrong, never cached nor sent on as a referrer, slowed
down after repeated wrong tries; the page shows their timeline and takes their answers."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from insieme.cases import tracking
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Case, CaseEvent, Status
from insieme.catalog import actions as catalog_actions
from insieme.core import throttle
from insieme.core.models import AuditEntry
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.filing.test_filing import FILE_URL, report_data
from tests.files import clean_pdf
from tests.open311.conftest import file_request, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/track/[A-Za-z0-9_.\-]+/")


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    settings.BASE_URL = "https://servizi.example.org"
    # The throttle's window held still: a test's few requests never straddle two windows.
    monkeypatch.setattr(throttle, "clock", lambda: 1_000_000_050.0)


@pytest.fixture
def anonymous_service(cat):
    catalog_actions.update_service(None, cat.pothole, anonymous_allowed=True)
    return cat.pothole


def file_anonymously(service, email="ada@example.org", **extra) -> Case:
    case, _created = filing_actions.submit_case(
        None,
        filing_actions.Filing(
            service,
            answers={"size": "large", "notes": "Near my door"},
            description="Buca davanti a casa mia",
            contact_name="Ada Rossi",
            contact_email=email,
            language="en",
            **INSIDE_MONTALTO,
            **extra,
        ),
    )
    return case


def path_of(case: Case) -> str:
    return tracking.tracking_path(Case.objects.get(pk=case.pk))


def assert_private(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_web_filing_shows_the_private_link_and_mails_it(anonymous_service, client):
    data = report_data(client, contact_email="ada@example.org", contact_name="Ada Rossi")
    response = client.post(FILE_URL, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.submitted_by is None and case.tracking_nonce
    confirmation = client.get(response["Location"])
    assert_private(confirmation)
    path = tracking.tracking_path(case)
    assert f'href="http://testserver{path}"' in confirmation.content.decode()
    page = client.get(path)
    assert page.status_code == 200
    assert_private(page)
    body = page.content.decode()
    assert case.reference in body and data["description"] in body
    assert "Request submitted" in body  # the timeline


def test_the_submission_email_carries_the_link(
    anonymous_service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_anonymously(anonymous_service)
    (message,) = mail.outbox
    (link,) = LINK.findall(message.body)
    assert link == "https://servizi.example.org" + path_of(case)
    assert "keep this link to yourself" in message.body
    assert Client().get(link.removeprefix("https://servizi.example.org")).status_code == 200


def test_later_emails_carry_it_too(anonymous_service, bob, django_capture_on_commit_callbacks):
    case = file_anonymously(anonymous_service)
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.change_status(bob, case, Status.IN_PROGRESS, note="We are on it")
        handling_actions.request_information(bob, case, text="How deep is it?", field_code="depth")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.to == ["ada@example.org"]
        assert "https://servizi.example.org" + path_of(case) in message.body


def test_filers_with_an_account_get_no_link(cat, charlie):
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Buca", **INSIDE_MONTALTO
        ),
    )
    assert case.tracking_nonce is None and tracking.tracking_path(case) == ""


def test_links_are_unguessable_and_each_opens_only_its_case(anonymous_service, client):
    first, second = file_anonymously(anonymous_service), file_anonymously(anonymous_service)
    assert len(first.tracking_nonce) >= 22  # 128 random bits, URL-safe base64
    assert first.tracking_nonce != second.tracking_nonce
    assert path_of(first) != path_of(second)
    assert first.reference not in path_of(first)  # nothing in it names the case
    body = client.get(path_of(first)).content.decode()
    assert first.reference in body and second.reference not in body


def test_a_wrong_link_is_404(anonymous_service, client, charlie):
    case = file_anonymously(anonymous_service)
    token = tracking.token_for(case)
    nonce, signature = token.split(".")
    own, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            anonymous_service, answers={"size": "large"}, description="x", **INSIDE_MONTALTO
        ),
    )
    Case.objects.filter(pk=own.pk).update(tracking_nonce="charlies-own-nonce-1234")
    own.refresh_from_db()
    wrong = [
        f"{nonce}.{signature[:-2]}{'xy' if signature[-2:] != 'xy' else 'yx'}",  # changed
        f"{nonce[:-1]}{'B' if nonce[-1] != 'B' else 'C'}.{signature}",  # a changed nonce
        nonce,  # no signature at all
        case.reference,
        "x" * 300,
        tracking.token_for(own),  # well signed, but the case has an account holder
    ]
    for token_ in wrong:
        response = client.get(reverse("case_tracking", args=[token_]))
        assert response.status_code == 404, token_
        assert "Buca davanti a casa mia" not in response.content.decode()


def test_a_revoked_link_stops_working(anonymous_service, client):
    case = file_anonymously(anonymous_service)
    old = path_of(case)
    Case.objects.filter(pk=case.pk).update(tracking_nonce=tracking.new_nonce())
    assert client.get(old).status_code == 404
    assert client.get(path_of(case)).status_code == 200


def test_repeated_wrong_links_are_slowed_down(anonymous_service, settings):
    settings.LOGIN_RATE_LIMIT = 3
    case = file_anonymously(anonymous_service)
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        assert guesser.get(f"/track/guess-{i}.nope/").status_code == 404
    blocked = guesser.get(path_of(case))  # even the right link, from this address, for now
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "Too many requests" in blocked.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.2").get(path_of(case)).status_code == 200


def test_answering_an_information_request_through_the_link(anonymous_service, bob):
    case = file_anonymously(anonymous_service)
    handling_actions.change_status(bob, case, Status.IN_PROGRESS)
    handling_actions.request_information(bob, case, text="Send a photo of it", field_code="depth")
    client = Client()
    page = client.get(path_of(case)).content.decode()
    assert "Send a photo of it" in page and "The administration needs more information" in page
    empty = client.post(path_of(case) + "information/", {"info-text": ""})
    assert empty.status_code == 400 and "Write the information asked for" in empty.content.decode()
    pdf = {"info-attachments": _pdf()}
    response = client.post(path_of(case) + "information/", {"info-text": "About 20 cm", **pdf})
    assert response.status_code == 302 and response["Location"] == path_of(case)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.INFO_PROVIDED)
    assert event.text == "About 20 cm" and event.actor is None
    entry = AuditEntry.objects.get(action="case.info_provided", object_id=str(case.pk))
    assert entry.after["via"] == "tracking link"
    page = client.get(path_of(case)).content.decode()
    assert "About 20 cm" in page and "Information you provided" in page
    attachment = case.attachments.get()
    download = client.get(path_of(case) + f"attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Referrer-Policy"] == "no-referrer"
    other = file_anonymously(anonymous_service)  # another case's link cannot fetch it
    assert client.get(path_of(other) + f"attachments/{attachment.pk}/").status_code == 404
    # nothing is asked any more: a second answer is refused with a clear message
    again = client.post(path_of(case) + "information/", {"info-text": "More"})
    assert again.status_code == 400
    assert "Nothing was asked of you" in again.content.decode()


def test_the_link_is_never_on_public_output(anonymous_service, client):
    case = file_anonymously(anonymous_service)
    token = tracking.token_for(case)
    public = client.get(reverse("case_public", args=["montalto", case.reference]))
    assert public.status_code == 200 and token not in public.content.decode()
    assert case.tracking_nonce not in public.content.decode()


def test_open311_filers_get_the_link_by_email(client, world, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = file_request(client, world, email="ada@example.org")
    assert response.status_code == 200
    case = Case.objects.get()
    (message,) = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert "https://servizi.example.org" + path_of(case) in message.body
    assert tracking.token_for(case) not in response.content.decode()  # not the app's to keep


def test_assisted_filing_without_an_account_mails_the_link(
    cat, bob, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff_file_for_citizen_form", args=["montalto", "pothole"]),
            {
                "channel": "phone",
                "consent_noted": "on",
                "attr_size": "large",
                "description": "Buca davanti al mercato",
                "lat": str(INSIDE_MONTALTO["lat"]),
                "lon": str(INSIDE_MONTALTO["lon"]),
                "contact_name": "Ada Rossi",
                "contact_email": "ada@example.org",
            },
        )
    assert response.status_code == 302
    case = Case.objects.get()
    (message,) = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert "https://servizi.example.org" + path_of(case) in message.body
    confirmation = client.get(response["Location"]).content.decode()
    assert tracking.token_for(case) not in confirmation  # the citizen's, not the officer's


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.pdf", clean_pdf(), content_type="application/pdf")
