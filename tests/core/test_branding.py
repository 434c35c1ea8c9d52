"""Branding (issue 12, item 26): an administration's name, logo and colours on its public pages,
with colours held to WCAG AA contrast against white text, and logos cleaned on upload."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from insieme.core import actions
from insieme.core.branding import (
    AA_NORMAL_TEXT,
    WHITE,
    brand_of,
    contrast,
    rgb,
    with_contrast,
)
from insieme.core.models import Administration, AuditEntry
from tests.cases import conftest as cases_fixtures
from tests.conftest import sign_in

filed_case = cases_fixtures.filed_case  # Charlie's public report in Montalto

hex_colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


# --- contrast ------------------------------------------------------------------------------------


def test_contrast_matches_wcag_reference_values():
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast("#0066cc", WHITE) == pytest.approx(5.57, abs=0.01)  # Bootstrap Italia blue
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the known AA grey


@given(hex_colours)
def test_applied_colour_always_reaches_aa_and_keeps_good_colours(colour):
    applied = with_contrast(colour)
    assert re.fullmatch(r"#[0-9a-f]{6}", applied)
    assert contrast(applied, WHITE) >= AA_NORMAL_TEXT
    if contrast(colour, WHITE) >= AA_NORMAL_TEXT:
        assert applied == colour.lower()
    else:  # darker, not another colour: no channel grows
        assert all(a <= c for a, c in zip(rgb(applied), rgb(colour), strict=True))
        assert contrast(applied, WHITE) < AA_NORMAL_TEXT + 0.5  # the lightest shade that passes


# --- public pages --------------------------------------------------------------------------------


def png(size=(40, 30), colour=(200, 30, 30), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        image.save(out, format="JPEG", exif=info)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def branded(montalto):
    Administration.objects.filter(pk=montalto.pk).update(
        brand_name="Città di Montalto", primary_colour="#9b7bd0", secondary_colour="#2f2f4f"
    )
    montalto.refresh_from_db()
    upload = SimpleUploadedFile("stemma.png", png(), content_type="image/png")
    actions.set_administration_logo(None, montalto, upload)
    return montalto


def brand_link(html: str) -> str | None:
    match = re.search(r'<link rel="stylesheet" href="(/branding/[^"]+)">', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_public_pages_of_the_administration_show_its_name_logo_and_colours(
    client, cat, branded, filed_case, charlie
):
    client.force_login(charlie)  # filing this service needs an account
    pages = [
        reverse("catalogue_service", args=["montalto", cat.pothole.code]),
        reverse("case_file", args=["montalto", cat.pothole.code]),
        reverse("case_public", args=["montalto", filed_case.reference]),
        reverse("catalogue") + "?administration=montalto",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        css = brand_link(html)
        assert css and css.startswith("/branding/montalto.css?v="), url
        header = html[html.index('class="it-brand-wrapper"') :][:800]
        assert "Città di Montalto" in header, url
        assert "/branding/montalto/logo.png?v=" in header, url
        assert 'style="' not in header  # the CSP allows no inline style


def test_other_pages_keep_the_platform_brand(client, cat, branded, alice, persona_client):
    for url in ("/", reverse("catalogue"), reverse("services_map")):
        html = client.get(url).content.decode()
        assert brand_link(html) is None, url
    staff = persona_client(alice).get(reverse("staff_settings", args=["montalto"]))
    assert brand_link(staff.content.decode()) is None


def test_stylesheet_uses_the_darkened_colour_and_is_cached_by_version(client, branded, alice):
    brand = brand_of(branded)
    assert brand.primary.adjusted and brand.primary.applied != "#9b7bd0"
    response = client.get(brand.css_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert brand.primary.applied in css and "#9b7bd0" not in css
    assert "#2f2f4f" in css  # dark enough: used as chosen
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    again = client.get(brand.css_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    sign_in(client, alice)  # the same for everyone: signed-in people may cache it too
    signed_in = client.get(brand.css_url)
    assert "public" in signed_in["Cache-Control"] and "no-store" not in signed_in["Cache-Control"]
    assert client.get(reverse("branding_css", args=["no-such"])).status_code == 404


def test_logo_is_served_as_a_clean_png(client, montalto):
    upload = SimpleUploadedFile("photo.jpg", png(exif=True), content_type="image/jpeg")
    actions.set_administration_logo(None, montalto, upload)
    brand = brand_of(montalto)
    response = client.get(brand.logo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    body = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG" and not image.getexif()
    assert b"SecretCam" not in body
    assert client.get(brand.logo_url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    entry = AuditEntry.objects.filter(action="administration.logo").latest("seq")
    assert entry.after["logo"].startswith("branding/montalto-")


def test_big_logos_are_shrunk(montalto):
    upload = SimpleUploadedFile("big.png", png(size=(1600, 900)), content_type="image/png")
    actions.set_administration_logo(None, montalto, upload)
    with montalto.logo.open("rb") as fh:
        assert max(Image.open(fh).size) <= 320


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height, with no pixels: refused before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", SVG, "PNG, JPEG or WebP"),
        ("logo.png", b"not an image at all", "PNG, JPEG or WebP"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "PNG, JPEG or WebP"),
        ("huge.png", _png_header_only(5_000, 5_000), "too many pixels"),
        ("bomb.png", _png_header_only(30_000, 30_000), "too many pixels"),
        ("fat.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10), "too large"),
    ],
)
def test_settings_refuse_bad_logos_with_a_message(
    persona_client, montalto, alice, name, content, message
):
    from tests.core.test_staff_screens import field_errors, settings_data

    data = dict(settings_data())
    data["logo"] = SimpleUploadedFile(name, content)
    response = persona_client(alice).post(reverse("staff_settings", args=["montalto"]), data)
    assert response.status_code == 200
    assert message in field_errors(response.content.decode(), "logo")
    montalto.refresh_from_db()
    assert not montalto.logo
    assert montalto.name == "Comune di Montalto"  # nothing saved


def test_settings_upload_remove_and_explain_the_contrast(persona_client, montalto, alice):
    from tests.core.test_staff_screens import settings_data

    client = persona_client(alice)
    url = reverse("staff_settings", args=["montalto"])
    data = dict(settings_data())
    data.update(primary_colour="#9b7bd0", logo=SimpleUploadedFile("a.png", png()))
    response = client.post(url, data)
    assert response.status_code == 302
    montalto.refresh_from_db()
    assert montalto.logo and montalto.primary_colour == "#9b7bd0"  # stored as chosen
    page = client.get(url).content.decode()
    applied = brand_of(montalto).primary.applied
    assert "#9b7bd0 is too light for white text" in page and applied in page
    assert 'enctype="multipart/form-data"' in page
    data = dict(settings_data())
    data["remove_logo"] = "on"
    assert client.post(url, data).status_code == 302
    montalto.refresh_from_db()
    assert not montalto.logo
    assert client.get(reverse("branding_logo", args=["montalto"])).status_code == 404


def test_only_administrators_change_the_brand(persona_client, montalto, bob):
    from tests.core.test_staff_screens import settings_data

    data = dict(settings_data())
    data["logo"] = SimpleUploadedFile("a.png", png())
    response = persona_client(bob).post(reverse("staff_settings", args=["montalto"]), data)
    assert response.status_code == 403
    montalto.refresh_from_db()
    assert not montalto.logo
