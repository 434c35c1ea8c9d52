"""Uploads at every entry point: an image over the pixel limit is refused from its header, before
any decoding; PDFs are rewritten without metadata, scripts, automatic actions and embedded files,
and the ones that cannot be cleaned are refused. Web filing, assisted filing, answers to an
information request and Open311 give the same refusal in their own formats."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Attachment, Case, Status
from insieme.core import uploads
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.filing.test_filing import FILE_URL, report_data
from tests.files import (
    SECRET_AUTHOR,
    clean_pdf,
    encrypted_pdf,
    no_pages_pdf,
    one_colour_png,
    risky_pdf,
)
from tests.open311.conftest import file_request, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PIXEL_MESSAGE = "photos may have at most 40 megapixels"


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    kind = "application/pdf" if name.endswith(".pdf") else "image/png"
    return SimpleUploadedFile(name, data, content_type=kind)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored_bytes() -> bytes:
    with Attachment.objects.get().file.open("rb") as fh:
        return fh.read()


# --- images over the pixel limit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8000, 8000),  # 64 Mpx: Pillow only warns below twice its limit, and it used to decode it
        (10000, 10000),  # 100 Mpx: Pillow's own error, once answered "not a photo"
        (40_001, 1000),  # one row of pixels past the limit
    ],
)
def test_web_filing_refuses_an_image_over_the_pixel_limit(cat, charlie, width, height):
    client = login(charlie)
    data = one_colour_png(width, height)
    assert len(data) < 300_000  # a small upload: the size limit does not catch it
    response = client.post(FILE_URL, report_data(client, attachments=upload(data, "huge.png")))
    assert response.status_code == 400
    body = response.content.decode()
    assert f"huge.png is {width:,} × {height:,} pixels".replace(",", "") in body.replace(",", "")
    assert PIXEL_MESSAGE in body
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_the_refusal_reads_the_header_only(cat, charlie):
    """A header that claims 8000 × 8000 pixels followed by garbage: decoding would fail, so the
    pixel message proves the image was refused before any decoding was tried."""
    data = one_colour_png(8000, 8000)
    idat = data.index(b"IDAT")
    broken = data[: idat + 4] + b"\x00garbage, not compressed pixels" * 10
    with pytest.raises(Exception) as refused:
        uploads.clean_uploads([upload(broken, "claims.png")])
    assert PIXEL_MESSAGE in str(refused.value)
    assert "8000 × 8000 pixels" in str(refused.value)


def test_the_limit_is_exact(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 10_000)
    kept = uploads.clean_uploads([upload(one_colour_png(100, 100), "ok.png")])
    assert Image.open(kept[0].content).size == (100, 100)
    with pytest.raises(Exception, match="101 × 100 pixels"):
        uploads.clean_uploads([upload(one_colour_png(101, 100), "over.png")])


def test_pillow_agrees_on_the_limit():
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_PIXELS == 40_000_000


def test_a_palette_image_keeps_its_colours():
    out = io.BytesIO()
    image = Image.new("RGB", (6, 4), (10, 120, 240)).convert("P")
    image.save(out, format="PNG")
    (kept,) = uploads.clean_uploads([upload(out.getvalue(), "palette.png")])
    colour = image.convert("RGB").getpixel((2, 2))
    assert (
        colour != (0, 0, 0) and Image.open(kept.content).convert("RGB").getpixel((2, 2)) == colour
    )


def test_assisted_filing_refuses_an_image_over_the_limit(cat, bob):
    response = login(bob).post(
        reverse("staff_file_for_citizen_form", args=["montalto", "pothole"]),
        {
            "channel": "phone",
            "consent_noted": "on",
            "attr_size": "large",
            "description": "Buca davanti al mercato",
            "lat": str(INSIDE_MONTALTO["lat"]),
            "lon": str(INSIDE_MONTALTO["lon"]),
            "contact_name": "Ada Rossi",
            "attachments": upload(one_colour_png(8000, 8000), "huge.png"),
        },
    )
    assert response.status_code == 400
    assert PIXEL_MESSAGE in response.content.decode()
    assert not Case.objects.exists()


def test_an_answer_to_an_information_request_refuses_it(filed_case, charlie, bob):
    handling_actions.change_status(bob, filed_case, Status.IN_PROGRESS)
    handling_actions.request_information(bob, filed_case, text="A photo please")
    url = reverse("my_case_information", args=["montalto", filed_case.reference])
    response = login(charlie).post(
        url,
        {"info-text": "here", "info-attachments": upload(one_colour_png(8000, 8000), "h.png")},
    )
    assert response.status_code == 400 and PIXEL_MESSAGE in response.content.decode()
    filed_case.refresh_from_db()
    assert filed_case.status == Status.WAITING_CITIZEN and not Attachment.objects.exists()


def test_open311_refuses_it_in_its_error_format(client, world):  # noqa: F811
    media = upload(one_colour_png(8000, 8000), "huge.png")
    response = file_request(client, world, media=media)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and error["description"].startswith("media: huge.png is 8000")
    assert PIXEL_MESSAGE in error["description"]
    assert not Case.objects.exists()


def test_open311_stores_a_cleaned_pdf(client, world):  # noqa: F811
    response = file_request(client, world, media=upload(risky_pdf(), "form.pdf"))
    assert response.status_code == 200, response.content
    stored = stored_bytes()
    assert SECRET_AUTHOR.encode() not in stored and b"/JavaScript" not in stored


# --- PDFs ----------------------------------------------------------------------------------------


def _walk(pdf: pikepdf.Pdf):
    """Every dictionary of the file, indirect or nested."""
    seen = []

    def visit(obj):
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            seen.append(obj)
            for key in list(obj.keys()):  # noqa: SIM118 (pikepdf objects)
                visit_direct(obj[key])
        elif isinstance(obj, pikepdf.Array):
            for child in obj:
                visit_direct(child)

    def visit_direct(child):
        if isinstance(child, pikepdf.Object) and not child.is_indirect:
            visit(child)

    for obj in pdf.objects:
        visit(obj)
    return seen


def test_a_pdf_is_stored_without_metadata_scripts_actions_or_embedded_files(cat, charlie):
    raw = risky_pdf()
    assert SECRET_AUTHOR.encode() in raw and b"/JavaScript" in raw  # they really are there
    client = login(charlie)
    response = client.post(FILE_URL, report_data(client, attachments=upload(raw, "form.pdf")))
    assert response.status_code == 302
    stored = stored_bytes()
    assert SECRET_AUTHOR.encode() not in stored and b"an attached secret file" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer
        for key in ("/OpenAction", "/AA", "/Metadata"):
            assert key not in pdf.Root
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
        dictionaries = _walk(pdf)
        actions_left = {str(d.get("/S")) for d in dictionaries if "/S" in d}
        assert actions_left == {"/URI"}  # the web link stays; nothing that runs or launches
        for d in dictionaries:
            for key in ("/JS", "/AA", "/EF", "/Metadata"):
                assert key not in d
            assert d.get("/Type") not in ("/EmbeddedFile", "/Metadata")
        subtypes = [str(a.get("/Subtype")) for a in pdf.pages[0].obj.get("/Annots", [])]
        assert subtypes == ["/Link", "/Link"]  # the file attachment annotation is gone


def test_a_clean_pdf_still_opens_with_its_pages_and_text(cat, charlie):
    client = login(charlie)
    raw = clean_pdf(pages=3, text="Ricevuta numero 42")
    response = client.post(FILE_URL, report_data(client, attachments=upload(raw, "r.pdf")))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.file.name.endswith(".pdf")
    with pikepdf.open(io.BytesIO(stored_bytes())) as pdf:
        assert len(pdf.pages) == 3
        assert b"Ricevuta numero 42" in pdf.pages[2].Contents.read_bytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (encrypted_pdf(), "is encrypted or protected by a password"),
        (encrypted_pdf(user_password="open-me"), "is encrypted or protected by a password"),
        (b"%PDF-1.4 not really a document", "could not be read as a PDF document"),
        (no_pages_pdf(), "could not be read as a PDF document"),
    ],
    ids=["owner-password", "user-password", "garbage", "no-pages"],
)
def test_pdfs_that_cannot_be_cleaned_are_refused(cat, charlie, data, message):
    client = login(charlie)
    response = client.post(FILE_URL, report_data(client, attachments=upload(data, "doc.pdf")))
    assert response.status_code == 400
    body = response.content.decode()
    assert f"doc.pdf {message}" in body
    assert not Case.objects.exists() and not Attachment.objects.exists()
