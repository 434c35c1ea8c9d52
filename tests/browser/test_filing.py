"""Filing in a real browser (Debian's chromium): a report with a photo and a map location, an
application with a document, and following a similar report instead of filing; axe-core finds no
WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Attachment, Case, Follower
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from tests.browser.conftest import assert_accessible, log_in, log_in_as
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.conftest import PASSWORD
from tests.files import clean_pdf

pytestmark = pytest.mark.django_db(transaction=True)

PDF = clean_pdf()  # a real document: uploads are parsed and rewritten


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_file_a_report_with_a_photo_and_a_map_location(page, cat, charlie):  # noqa: F811
    log_in(page, charlie.email, PASSWORD)
    page.goto(page.base_url + "/services/montalto/pothole/")
    assert_accessible(page)
    page.get_by_role("link", name="File a request").click()
    page.wait_for_load_state()
    map_el = page.locator("#map-picker")
    map_el.wait_for(state="visible")
    assert_accessible(page)
    page.locator("label[for=id_attr_size_1]").click()
    page.get_by_label("Describe the problem or your request").fill("Buca enorme in piazza")
    map_el.click()  # the map is fitted to Montalto's square: its centre lies inside
    lat = float(page.get_by_label("Latitude").input_value())
    lon = float(page.get_by_label("Longitude").input_value())
    assert 43.0 < lat < 43.2 and 11.0 < lon < 11.2
    # the keyboard moves the marker too
    map_el.focus()
    page.keyboard.press("ArrowUp")
    assert float(page.get_by_label("Latitude").input_value()) > lat
    page.get_by_label("Photos or documents").set_input_files(
        [{"name": "buca.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    assert page.get_by_label("E-mail").input_value() == charlie.email  # prefilled
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.locator("#case-reference").inner_text() == case.reference
    assert_accessible(page)
    assert case.lat is not None and 43.0 < case.lat < 43.2
    assert Attachment.objects.get(case=case).content_type == "image/jpeg"
    assert page.get_by_role("link", name="Track this request").count() == 1


def test_file_an_application_with_a_document(page, cat, charlie):  # noqa: F811
    catalog_actions.create_service(
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
    log_in_as(page, charlie)
    page.goto(page.base_url + "/services/montalto/parking/file/")
    assert_accessible(page)
    # a missing answer first: the error is shown and accessible
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page)
    page.get_by_label("Number plate").fill("AB123CD")
    page.get_by_label("Photos or documents").set_input_files(
        [{"name": "libretto.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.kind == "application" and case.answers == {"plate": "AB123CD"}
    assert Attachment.objects.get(case=case).content_type == "application/pdf"
    assert page.locator("#case-reference").inner_text() == case.reference
    assert_accessible(page)


def test_follow_a_similar_report_instead_of_filing(page, cat, alice, charlie):  # noqa: F811
    existing, _ = filing_actions.submit_case(
        alice,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca profonda in via Roma",
            lat=43.1,
            lon=11.1,
        ),
    )
    log_in_as(page, charlie)
    page.goto(page.base_url + "/services/montalto/pothole/file/")
    page.locator("label[for=id_attr_size_1]").click()
    page.get_by_label("Describe the problem or your request").fill("Buca profonda in via Roma")
    page.get_by_label("Latitude").fill("43.1002")
    page.get_by_label("Longitude").fill("11.1002")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Similar reports nearby").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name=f"Follow {existing.reference} instead (me too)").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert existing.reference in page.content()
    assert Case.objects.count() == 1
    assert Follower.objects.get(case=existing, user=charlie).me_too
