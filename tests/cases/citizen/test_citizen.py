"""The citizen's follow-up: My requests, the filer's case page and its actions, the public page,
attachment access, redaction of personal data and the e-mails the actions send."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Attachment, Case, CaseEvent, Follower, Rating, Status
from insieme.cases.redact import redact
from insieme.core.pii import PLACEHOLDERS
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def url(name, case, *extra):
    return reverse(name, args=[case.administration.slug, case.reference, *extra])


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def file_for(user, cat, **extra):
    kwargs = {"answers": {"size": "small"}, "description": "Another hole", **INSIDE_MONTALTO}
    kwargs.update(extra)
    return filing_actions.submit_case(user, filing_actions.Filing(cat.pothole, **kwargs))[0]


@pytest.fixture
def dora(db):
    return make_user("dora@example.org", "Dora Other", phone="+39 320 111 2222")


@pytest.fixture
def private_case(cat, charlie):
    """A private case of Charlie's (applications are private; here a report made private)."""
    case = file_for(charlie, cat, description="Private matter")
    Case.objects.filter(pk=case.pk).update(is_public=False)
    case.refresh_from_db()
    return case


# --- My requests -----------------------------------------------------------------------------


def test_my_requests_lists_only_my_cases_newest_first(cat, charlie, dora, persona_client):
    mine_old = file_for(charlie, cat)
    mine_new = file_for(charlie, cat)
    theirs = file_for(dora, cat)
    response = persona_client(charlie).get(reverse("my_requests"))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine_old.reference in html and mine_new.reference in html
    assert theirs.reference not in html
    assert html.index(mine_new.reference) < html.index(mine_old.reference)
    assert "My requests" in html  # the navigation link


def test_my_requests_filters_open_and_closed(cat, charlie, persona_client):
    open_case = file_for(charlie, cat)
    closed = file_for(charlie, cat)
    citizen_actions.withdraw_case(charlie, closed, "fixed by itself")
    client = persona_client(charlie)
    html = client.get(reverse("my_requests"), {"state": "open"}).content.decode()
    assert open_case.reference in html and closed.reference not in html
    html = client.get(reverse("my_requests"), {"state": "closed"}).content.decode()
    assert closed.reference in html and open_case.reference not in html


def test_my_requests_includes_cases_filed_on_my_behalf(cat, charlie, bob, persona_client):
    case = file_for(bob, cat, on_behalf_of=charlie, consent_noted=True, channel="phone")
    html = persona_client(charlie).get(reverse("my_requests")).content.decode()
    assert case.reference in html
    assert case.reference not in persona_client(bob).get(reverse("my_requests")).content.decode()


def test_my_requests_paginates(cat, charlie, persona_client):
    for _ in range(21):
        file_for(charlie, cat)
    response = persona_client(charlie).get(reverse("my_requests"))
    assert len(response.context["page"].object_list) == 20
    assert "Next page" in response.content.decode()


def test_anonymous_is_sent_to_log_in(filed_case, client):
    for target in (
        reverse("my_requests"),
        url("my_case", filed_case),
        url("my_case_withdraw", filed_case),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("case_follow", filed_case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Follower.objects.filter(case=filed_case).exclude(user=filed_case.submitted_by)


# --- another person's case answers 404 -------------------------------------------------------


def test_another_persons_private_case_is_404_everywhere(private_case, dora, persona_client):
    handling_actions.change_status(None, private_case, Status.IN_PROGRESS)
    handling_actions.request_information(None, private_case, text="Send the receipt")
    attachment = Attachment.objects.create(
        case=private_case,
        file=SimpleUploadedFile("x.pdf", b"%PDF-1.4 secret"),
        content_type="application/pdf",
        size=15,
        created_at=private_case.submitted_at,
    )
    client = persona_client(dora)
    gets = [
        url("my_case", private_case),
        url("my_case_withdraw", private_case),
        url("case_public", private_case),
        url("case_attachment", private_case, attachment.pk),
    ]
    for target in gets:
        assert client.get(target).status_code == 404, target
    posts = {
        url("my_case_information", private_case): {"info-text": "hijack"},
        url("my_case_withdraw", private_case): {},
        url("my_case_rate", private_case): {"rating-score": "1"},
        url("case_follow", private_case): {"me_too": "1"},
        url("case_unfollow", private_case): {},
    }
    for target, data in posts.items():
        assert client.post(target, data).status_code == 404, target
    private_case.refresh_from_db()
    assert private_case.status == Status.WAITING_CITIZEN
    assert not Follower.objects.filter(case=private_case, user=dora).exists()


def test_another_persons_public_case_is_not_on_my_pages(filed_case, dora, persona_client):
    client = persona_client(dora)
    assert client.get(url("my_case", filed_case)).status_code == 404
    assert client.post(url("my_case_withdraw", filed_case)).status_code == 404
    assert client.get(url("case_public", filed_case)).status_code == 200
    filed_case.refresh_from_db()
    assert filed_case.is_open


def test_private_attachments_only_to_the_filer(filed_case, charlie, dora, persona_client, client):
    handling_actions.change_status(None, filed_case, Status.IN_PROGRESS)
    handling_actions.request_information(None, filed_case, text="A photo, please")
    citizen_actions.provide_information(charlie, filed_case, text="Here", attachments=[png()])
    attachment = Attachment.objects.get(case=filed_case)
    assert not attachment.is_public
    target = url("case_attachment", filed_case, attachment.pk)
    response = persona_client(charlie).get(target)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert persona_client(dora).get(target).status_code == 404
    assert client.get(target).status_code == 404
    Attachment.objects.filter(pk=attachment.pk).update(is_public=True)
    assert client.get(target).status_code == 200
    assert target in client.get(url("case_public", filed_case)).content.decode()


# --- the filer's case page --------------------------------------------------------------------


def test_case_page_shows_status_answers_sla_and_replies(filed_case, charlie, bob, persona_client):
    handling_actions.reply(bob, filed_case, "We will fix it next week.")
    handling_actions.reply(bob, filed_case, "INTERNAL: the contractor is slow", public=False)
    response = persona_client(charlie).get(url("my_case", filed_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert filed_case.reference in html and "Submitted" in html
    assert "Larger than a wheel" in html  # the answer's label, not its key
    assert "Anything else we should know?" in html
    assert "We will fix it next week." in html
    assert "INTERNAL" not in html and "contractor" not in html
    assert "Bob Officer" not in html
    assert "aims to deal with it by" in html
    assert html.count("<h1") == 1


def test_internal_notes_never_reach_the_citizen(filed_case, charlie, bob, persona_client, client):
    handling_actions.reply(bob, filed_case, "Secret staff note", public=False)
    # Even a note mistakenly stored as public stays hidden by kind.
    CaseEvent.objects.filter(kind=CaseEvent.Kind.INTERNAL_NOTE).update(is_public=True)
    assert (
        "Secret staff note"
        not in persona_client(charlie).get(url("my_case", filed_case)).content.decode()
    )
    assert "Secret staff note" not in client.get(url("case_public", filed_case)).content.decode()


def test_answering_an_information_request(filed_case, charlie, bob, persona_client):
    handling_actions.change_status(bob, filed_case, Status.IN_PROGRESS)
    handling_actions.request_information(
        bob, filed_case, text="How deep is it?", field_code="depth"
    )
    client = persona_client(charlie)
    html = client.get(url("my_case", filed_case)).content.decode()
    assert "How deep is it?" in html
    assert "How deep is it, in centimetres?" in html  # the field that was asked, by its label
    # Empty answer: a clear error, nothing written.
    response = client.post(url("my_case_information", filed_case), {"info-text": ""})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "Write the information asked for" in response.content.decode()
    filed_case.refresh_from_db()
    assert filed_case.status == Status.WAITING_CITIZEN
    # A wrong file type is refused.
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        url("my_case_information", filed_case), {"info-text": "see file", "info-attachments": bad}
    )
    assert response.status_code == 400
    filed_case.refresh_from_db()
    assert filed_case.status == Status.WAITING_CITIZEN
    # A real answer with a photo.
    response = client.post(
        url("my_case_information", filed_case),
        {"info-text": "About 20 cm", "info-attachments": [png()]},
    )
    assert response.status_code == 302 and response["Location"] == url("my_case", filed_case)
    filed_case.refresh_from_db()
    assert filed_case.status == Status.IN_PROGRESS
    event = CaseEvent.objects.get(case=filed_case, kind=CaseEvent.Kind.INFO_PROVIDED)
    assert event.text == "About 20 cm" and event.attachments.count() == 1
    html = client.get(url("my_case", filed_case)).content.decode()
    assert "About 20 cm" in html and "Thank you: your answer was sent" in html


def test_no_answer_form_unless_waiting(filed_case, charlie, persona_client):
    client = persona_client(charlie)
    assert "Send the information" not in client.get(url("my_case", filed_case)).content.decode()
    response = client.post(
        url("my_case_information", filed_case), {"info-text": "unasked"}, follow=True
    )
    assert response.redirect_chain == [(url("my_case", filed_case), 302)]
    assert "Nothing was asked of you" in response.content.decode()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.INFO_PROVIDED).exists()


def test_withdraw_with_confirmation_only_when_open(filed_case, charlie, persona_client):
    client = persona_client(charlie)
    confirm = client.get(url("my_case_withdraw", filed_case))
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    filed_case.refresh_from_db()
    assert filed_case.is_open  # the GET changes nothing
    response = client.post(url("my_case_withdraw", filed_case), {"withdraw-reason": "Fixed"})
    assert response.status_code == 302
    filed_case.refresh_from_db()
    assert filed_case.status == Status.CLOSED
    assert CaseEvent.objects.get(case=filed_case, kind="withdrawn").text == "Fixed"
    again = client.post(url("my_case_withdraw", filed_case), {"withdraw-reason": "again"})
    assert again.status_code == 400
    assert "Only an open request can be withdrawn" in again.content.decode()
    assert CaseEvent.objects.filter(case=filed_case, kind="withdrawn").count() == 1


def test_rating_only_when_resolved_only_once_only_1_to_5(filed_case, charlie, bob, persona_client):
    client = persona_client(charlie)
    target = url("my_case_rate", filed_case)
    early = client.post(target, {"rating-score": "4"}, follow=True)
    assert "once it is resolved" in early.content.decode()
    assert "Rate the outcome" not in client.get(url("my_case", filed_case)).content.decode()
    handling_actions.change_status(bob, filed_case, Status.RESOLVED, note="Filled in.")
    page = client.get(url("my_case", filed_case)).content.decode()
    assert "Rate the outcome" in page and "<fieldset" in page and "<legend" in page
    for bad in ("0", "6", "abc", ""):
        response = client.post(target, {"rating-score": bad})
        assert response.status_code == 400, bad
        assert 'role="alert"' in response.content.decode()
    assert not Rating.objects.exists()
    ok = client.post(target, {"rating-score": "5", "rating-comment": "Quick work"})
    assert ok.status_code == 302
    rating = Rating.objects.get(case=filed_case)
    assert (rating.score, rating.comment) == (5, "Quick work")
    twice = client.post(target, {"rating-score": "1"}, follow=True)
    assert "rated this request already" in twice.content.decode()
    assert Rating.objects.get(case=filed_case).score == 5
    html = client.get(url("my_case", filed_case)).content.decode()
    assert "You rated the outcome 5 out of 5." in html


def test_follow_me_too_and_unfollow(filed_case, charlie, dora, persona_client):
    client = persona_client(dora)
    assert "Follow for updates" in client.get(url("case_public", filed_case)).content.decode()
    response = client.post(url("case_follow", filed_case))
    assert response.status_code == 302 and response["Location"] == url("case_public", filed_case)
    follower = Follower.objects.get(case=filed_case, user=dora)
    assert not follower.me_too
    client.post(url("case_follow", filed_case), {"me_too": "1"})
    follower.refresh_from_db()
    assert follower.me_too
    assert CaseEvent.objects.filter(case=filed_case, kind="followed").count() == 1
    html = client.get(url("case_public", filed_case)).content.decode()
    assert "Stop following" in html and "Someone else reported it too" in html
    client.post(url("case_unfollow", filed_case))
    assert not Follower.objects.filter(case=filed_case, user=dora).exists()
    # The filer keeps following; the refusal is explained, not an error page.
    response = persona_client(charlie).post(url("case_unfollow", filed_case), follow=True)
    assert "you keep receiving its updates" in response.content.decode()
    assert Follower.objects.filter(case=filed_case, user=charlie).exists()


def test_me_too_refused_on_a_closed_case(filed_case, charlie, dora, persona_client):
    citizen_actions.withdraw_case(charlie, filed_case)
    client = persona_client(dora)
    assert (
        "I have this problem too" not in client.get(url("case_public", filed_case)).content.decode()
    )
    response = client.post(url("case_follow", filed_case), {"me_too": "1"}, follow=True)
    assert "This case is closed" in response.content.decode()
    assert not Follower.objects.filter(case=filed_case, user=dora).exists()


# --- the public page --------------------------------------------------------------------------


def test_public_page_shows_no_personal_data(filed_case, charlie, bob, client):
    handling_actions.change_status(bob, filed_case, Status.IN_PROGRESS)
    handling_actions.request_information(bob, filed_case, text="A photo, please")
    citizen_actions.provide_information(charlie, filed_case, text="My private reply with photo")
    handling_actions.reply(bob, filed_case, "Crew sent.")
    response = client.get(url("case_public", filed_case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Crew sent." in html and "The administration" in html
    assert "Pothole" in html and "In progress" in html and "(open)" in html
    assert "Via Roma 12" in html and "43.123, 11.123" in html
    for secret in (
        "Charlie Citizen",
        "charlie@example.org",
        "charlie.contact@example.org",
        "charlie.private@example.org",
        "+39 347 765 4321",
        "+39 333 123 4567",
        "RSSMRA85T10A562S",
        "My neighbour Mario fell here",
        "My private reply",
        "Bob Officer",
        "43.1234567",
    ):
        assert secret not in html, secret
    assert "[e-mail hidden]" in html and "[phone hidden]" in html
    assert "[tax code hidden]" in html
    assert "Buca enorme in via Roma 12." in html


def test_public_page_only_for_public_cases(private_case, cat, charlie, client):
    assert client.get(url("case_public", private_case)).status_code == 404
    response = client.get(reverse("case_public", args=["montalto", "2099-999999"]))
    assert response.status_code == 404


def test_public_page_for_anonymous_offers_log_in_to_follow(filed_case, client):
    html = client.get(url("case_public", filed_case)).content.decode()
    assert "Log in to follow" in html and "Follow for updates" not in html


# --- e-mails ------------------------------------------------------------------------------------


def test_emails_on_submission_status_reply_and_info_request(
    cat, charlie, bob, dora, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = file_for(charlie, cat, contact_phone="+39 347 000 0000")
    assert len(mail.outbox) == 1
    submitted = mail.outbox[0]
    assert submitted.to == ["charlie@example.org"]
    assert case.reference in submitted.subject
    assert case.reference in submitted.body
    assert "http://testserver" not in submitted.body
    assert f"/my/requests/montalto/{case.reference}/" in submitted.body
    assert submitted.body.startswith("Hello Charlie Citizen,")

    citizen_actions.follow_case(dora, case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.change_status(bob, case, Status.ACKNOWLEDGED, note="Seen it.")
    assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.org", "dora@example.org"]
    for message in mail.outbox:
        assert case.reference in message.subject and "Acknowledged" in message.subject
        assert "Seen it." in message.body
        assert "Bob Officer" not in message.body
    to_dora = next(m for m in mail.outbox if m.to == ["dora@example.org"])
    assert "Charlie" not in to_dora.body and "+39 347" not in to_dora.body
    assert f"/cases/montalto/{case.reference}/" in to_dora.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.reply(bob, case, "On our list.")
        handling_actions.reply(bob, case, "internal only", public=False)
    assert len(mail.outbox) == 2
    assert all("On our list." in m.body and case.reference in m.subject for m in mail.outbox)
    assert not any("internal only" in m.body for m in mail.outbox)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.request_information(bob, case, text="Which side of the road?")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["charlie@example.org"]
    assert case.reference in mail.outbox[0].subject
    assert "Which side of the road?" in mail.outbox[0].body
    assert f"/my/requests/montalto/{case.reference}/" in mail.outbox[0].body


def test_emails_are_in_the_recipients_language(cat, db, django_capture_on_commit_callbacks):
    italian = make_user("ita@example.org", "Ida Italiana", preferred_language="it")
    with django_capture_on_commit_callbacks(execute=True):
        case = file_for(italian, cat)
    message = mail.outbox[-1]
    assert message.extra_headers["Content-Language"] == "it"
    assert case.reference in message.subject


# --- redaction ------------------------------------------------------------------------------------

EMAILS = st.from_regex(
    r"[a-z][a-z0-9._+-]{0,15}@[a-z][a-z0-9-]{0,10}\.(it|org|com)", fullmatch=True
)
PHONES = st.one_of(
    st.from_regex(r"\+39 ?3[0-9]{2} ?[0-9]{3} ?[0-9]{3,4}", fullmatch=True),
    st.from_regex(r"0[0-9]{1,3}[ .-]?[0-9]{5,8}", fullmatch=True),
    st.from_regex(r"3[0-9]{2}[ -]?[0-9]{6,7}", fullmatch=True),
)
CF_DIGIT = "[0-9LMNPQRSTUV]"
TAX_CODES = st.from_regex(
    rf"[A-Z]{{6}}{CF_DIGIT}{{2}}[ABCDEHLMPRST]{CF_DIGIT}{{2}}[A-Z]{CF_DIGIT}{{3}}[A-Z]",
    fullmatch=True,
)
WORDS = st.text(alphabet="abcdefghij lmnopqrstuvz,àèéì", max_size=40)


@settings(max_examples=150, deadline=None)
@given(before=WORDS, secret=st.one_of(EMAILS, PHONES, TAX_CODES), after=WORDS)
def test_redact_masks_emails_phones_and_tax_codes(before, secret, after):
    text = f"{before} {secret} {after}"
    out = redact(text)
    assert secret not in out
    assert "hidden]" in out
    assert redact(out) == out  # idempotent


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_redact_only_replaces_stretches_with_placeholders(text):
    """Whatever the text, the redacted one is the text with some stretches replaced by
    placeholders: what is left is the original's, in its order, and nothing else is added."""
    out = redact(text)
    for placeholder in PLACEHOLDERS:
        out = out.replace(placeholder, "\x00")
    position = 0
    for kept in out.split("\x00"):
        found = text.find(kept, position)
        assert found >= 0, (kept, text)
        position = found + len(kept)
    assert out.count("\x00") <= len(text)


@pytest.mark.parametrize(
    "kept",
    [
        "Case 2026-000123 is the same hole.",
        "Since 2026-01-31 at 10 30.",
        "Via Roma 12, 00100 area",
        "It is 1.5 m wide and 30 cm deep.",
    ],
)
def test_redact_keeps_references_dates_and_measures(kept):
    assert redact(kept) == kept
