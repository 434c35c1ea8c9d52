"""Proposing an idea: who the author is (citizen, employee, partner organisation), the similar-idea
check (the cases' duplicate matcher) as a second step without JavaScript, a place inside the
administration, attachments with the cases' upload rules, the phase that takes ideas, a form sent
twice, co-authors, and what the public sees of the author."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from insieme.core.models import AuditEntry
from insieme.participation import actions
from insieme.participation.models import Coauthor, Follow, Idea, IdeaAttachment
from insieme.participation.similar import similar_ideas
from tests.files import SECRET_AUTHOR, clean_pdf, one_colour_png, risky_pdf
from tests.participation.conftest import (
    INSIDE,
    OUTSIDE,
    idea_url,
    make_idea,
    make_process,
    process_url,
)

NEW = "/participation/montalto/parchi/ideas/new/"


def _data(**over):
    data = {
        "title": "Fontanella nel parco",
        "body": "Una fontanella vicino ai giochi.",
        "show_name": "on",
    }
    data.update(over)
    return data


def test_a_citizen_proposes_an_idea(persona_client, process, category, charlie):
    client = persona_client(charlie)
    page = client.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("id_title", "id_body", "id_category", "id_lat", "id_lon", "id_attachments"):
        assert f'for="{field}"' in html  # every input has its label (works without the map)
    response = client.post(NEW, _data(category=category.pk, **INSIDE))
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea_url(idea)
    assert (idea.author, idea.author_type, idea.partner) == (charlie, "citizen", None)
    assert (idea.lat, idea.lon, idea.category) == (INSIDE["lat"], INSIDE["lon"], category)
    assert idea.match_grams  # the matcher's signature, for the next similar-idea check
    assert Follow.objects.filter(user=charlie, idea=idea).exists()  # the author follows it
    entry = AuditEntry.objects.get(action="participation.idea.created")
    assert entry.actor == charlie and "match_grams" not in entry.after


def test_the_author_type_comes_from_who_files(process, charlie, bob, rita, paola, piero):
    assert make_idea(process, charlie).author_type == "citizen"
    assert make_idea(process, bob, title="b").author_type == "employee"
    assert make_idea(process, rita, title="r").author_type == "employee"  # the region's staff
    idea = make_idea(process, paola, title="p")
    assert (idea.author_type, idea.partner.name) == ("partner", "Cooperativa Il Girasole")
    assert make_idea(process, piero, title="q").author_type == "partner"


def test_similar_ideas_are_shown_before_filing_without_javascript(
    persona_client, process, charlie, sara
):
    earlier = make_idea(
        process,
        sara,
        title="Panchine all'ombra nel parco",
        body="Servono panchine sotto gli alberi.",
    )
    make_idea(process, sara, title="Wifi in biblioteca", body="Connessione internet gratuita.")
    client = persona_client(charlie)
    first = client.post(
        NEW,
        _data(title="Panchine ombreggiate", body="Mettete panchine sotto gli alberi del parco."),
    )
    assert first.status_code == 200  # the second step: nothing filed yet
    html = first.content.decode()
    assert "Similar ideas already proposed" in html
    assert f'href="{idea_url(earlier)}"' in html and "Wifi" not in html
    assert 'name="checked" value="True"' in html or 'name="checked" value="on"' in html
    assert Idea.objects.count() == 2
    second = client.post(
        NEW,
        _data(
            title="Panchine ombreggiate",
            body="Mettete panchine sotto gli alberi del parco.",
            checked="on",
        ),
    )
    assert second.status_code == 302
    assert Idea.objects.count() == 3


def test_the_similar_check_reuses_the_duplicate_matcher(process, sara):
    bins = make_idea(process, sara, title="Bidoni pieni", body="I cassonetti traboccano sempre.")
    make_idea(process, sara, title="Musica alta", body="Troppo rumore la notte.")
    found = similar_ideas(process, "Bins overflowing", "The bins are always full")  # English
    assert [s.idea for s in found] == [bins]  # the matcher's bilingual lexicon at work
    assert similar_ideas(process, "", "") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (OUTSIDE, "This place is outside Comune di Montalto"),
        ({"lat": "43.1"}, "Give both latitude and longitude, or neither."),
        ({"lat": "123", "lon": "11.1"}, "less than or equal to 90"),
        ({"lat": "abc", "lon": "11.1"}, "Write the latitude as a number"),
        ({"title": ""}, "This field is required."),
        ({"body": "x" * 4001}, "at most 4000 characters"),
        ({"category": "999999"}, "Choose a category of this process."),
    ],
)
def test_bad_input_re_renders_the_form(persona_client, process, category, charlie, data, message):
    response = persona_client(charlie).post(NEW, _data(**data, checked="on"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Idea.objects.exists()


def test_a_category_of_another_process_is_refused(
    persona_client, montalto, carla, process, category, charlie
):
    other = make_process(montalto, carla, slug="altro")
    foreign = actions.save_category(carla, other, name="Altrove")
    response = persona_client(charlie).post(NEW, _data(category=foreign.pk, checked="on"))
    assert response.status_code == 400
    assert not Idea.objects.exists()


def _png() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (20, 20), "green")
    exif = Image.Exif()
    exif[0x013B] = SECRET_AUTHOR  # Artist
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_attachments_follow_the_upload_rules_of_cases(persona_client, process, charlie):
    client = persona_client(charlie)
    photo = SimpleUploadedFile("panchina.jpg", _png(), content_type="image/jpeg")
    pdf = SimpleUploadedFile("progetto.pdf", risky_pdf(), content_type="application/pdf")
    response = client.post(NEW, {**_data(checked="on"), "attachments": [photo, pdf]})
    assert response.status_code == 302
    idea = Idea.objects.get()
    stored = list(IdeaAttachment.objects.filter(idea=idea))
    assert [a.content_type for a in stored] == ["image/jpeg", "application/pdf"]
    for attachment in stored:
        with attachment.file.open("rb") as fh:
            assert SECRET_AUTHOR.encode() not in fh.read()  # metadata stripped
    download = client.get(idea_url(idea) + f"attachments/{stored[0].pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert client.get(idea_url(idea) + "attachments/999999/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00not a photo", "is not a photo (JPEG, PNG, WebP) or a PDF"),
        ("huge.png", one_colour_png(8000, 8000), "photos may have at most 40 megapixels"),
    ],
)
def test_bad_attachments_are_refused(persona_client, process, charlie, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = persona_client(charlie).post(NEW, {**_data(checked="on"), "attachments": [upload]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Idea.objects.exists() and not IdeaAttachment.objects.exists()


def test_at_most_five_attachments(persona_client, process, charlie):
    files = [SimpleUploadedFile(f"f{i}.pdf", clean_pdf(1)) for i in range(6)]
    response = persona_client(charlie).post(NEW, {**_data(checked="on"), "attachments": files})
    assert response.status_code == 400
    assert "Attach at most 5 files." in response.content.decode()


def test_ideas_are_taken_only_in_the_ideation_phase(persona_client, montalto, carla, charlie):
    from insieme.participation.models import PhaseKind

    make_process(montalto, carla, current=PhaseKind.VOTING)
    client = persona_client(charlie)
    response = client.get(NEW)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "New ideas are taken only during the ideation phase." in page
    assert client.post(NEW, _data(checked="on")).status_code == 302
    assert not Idea.objects.exists()


def test_anonymous_visitors_log_in_first(client, process):
    response = client.get(NEW)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(NEW, _data()).status_code == 302
    assert not Idea.objects.exists()


def test_the_same_form_sent_twice_files_once(persona_client, process, charlie):
    client = persona_client(charlie)
    token = "a" * 32
    for _attempt in range(2):
        response = client.post(NEW, _data(checked="on", token=token))
        assert response.status_code == 302
    assert Idea.objects.count() == 1


def test_the_public_sees_the_display_name_or_nothing_never_the_email(
    client, process, charlie, sara
):
    named = make_idea(process, charlie)
    hidden = make_idea(process, sara, title="Senza nome", show_name=False)
    html = client.get(idea_url(named)).content.decode()
    assert "Charlie C." in html and "charlie@example.org" not in html and "Citizen" in html
    html = client.get(idea_url(hidden)).content.decode()
    assert "Anonymous participant" in html and "Sara" not in html and "sara@" not in html
    listing = client.get(process_url(process) + "ideas/").content.decode()
    assert "Sara" not in listing and "@example.org" not in listing


def test_co_authors_are_invited_by_email_and_accept(
    persona_client, idea, charlie, sara, django_capture_on_commit_callbacks
):
    author = persona_client(charlie)
    url = idea_url(idea)
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(url + "coauthors/", {"email": "SARA@example.org"})
    assert response.status_code == 302
    row = Coauthor.objects.get()
    assert (row.user, row.accepted_at) == (sara, None)
    assert mail.outbox[-1].to == ["sara@example.org"]
    assert "Charlie Citizen invites you" in mail.outbox[-1].body
    assert "Sara M." not in author.get(url).content.decode()  # not a co-author yet
    invitee = persona_client(sara)
    assert "Become a co-author" in invitee.get(url).content.decode()
    assert invitee.post(url + "coauthors/accept/").status_code == 302
    row.refresh_from_db()
    assert row.accepted_at is not None
    assert "with Sara M." in author.get(url).content.decode()
    assert Follow.objects.filter(user=sara, idea=idea).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_row(
    persona_client, idea, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = persona_client(charlie).post(
            idea_url(idea) + "coauthors/", {"email": "nobody@example.org"}, follow=True
        )
    assert "If an account that can see this process uses that address" in response.content.decode()
    assert not Coauthor.objects.exists() and not mail.outbox


def test_only_the_author_invites_and_bad_addresses_are_refused(persona_client, idea, charlie, sara):
    assert (
        persona_client(sara)
        .post(idea_url(idea) + "coauthors/", {"email": "sara@example.org"})
        .status_code
        == 404
    )
    response = persona_client(charlie).post(
        idea_url(idea) + "coauthors/", {"email": "not-an-email"}
    )
    assert response.status_code == 400
    assert "Write a valid e-mail address" in response.content.decode()
    response = persona_client(charlie).post(
        idea_url(idea) + "coauthors/", {"email": "charlie@example.org"}
    )
    assert (
        response.status_code == 400 and "You are the author already." in response.content.decode()
    )
    assert persona_client(sara).post(idea_url(idea) + "coauthors/accept/").status_code == 404
