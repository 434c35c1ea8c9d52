"""A branded public page in a real browser: the administration's colours apply, its logo loads,
and axe-core finds no WCAG 2.1 A/AA violation, colour contrast included, even when the chosen
colour was too light for white text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from insieme.core import actions
from insieme.core.branding import brand_of, rgb
from insieme.core.models import Administration
from tests.browser.conftest import assert_accessible


def test_branded_service_page_is_accessible(page, cat, montalto):
    Administration.objects.filter(pk=montalto.pk).update(
        brand_name="Città di Montalto", primary_colour="#9b7bd0", secondary_colour="#2f2f4f"
    )
    montalto.refresh_from_db()
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (140, 45, 25)).save(out, format="PNG")
    actions.set_administration_logo(
        None, montalto, SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")
    )
    page.goto(page.base_url + reverse("catalogue_service", args=["montalto", cat.pothole.code]))
    header = page.locator(".it-header-center-wrapper")
    expected = "rgb({}, {}, {})".format(*rgb(brand_of(montalto).primary.applied))
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == expected
    logo = page.locator(".it-brand-wrapper img.brand-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 64
    assert page.locator(".it-brand-title").inner_text() == "Città di Montalto"
    assert_accessible(page)
