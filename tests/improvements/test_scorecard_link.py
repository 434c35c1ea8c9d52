"""Every indicator on the Scorecard offers to open an improvement item from it, to those who may
open one; the link lands on the create form with that indicator chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.core.registry import indicators
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_scorecard_links_each_indicator_to_a_new_item(client, montalto, dario):
    html = sign_in(client, dario).get(reverse("scorecard", args=["montalto"])).content.decode()
    new = reverse("improvements:staff_new", args=["montalto"])
    for key in indicators.keys():  # noqa: SIM118 (the registry iterates over its items)
        assert f'href="{new}?indicator={key}"' in html, key
    key = "cases-t2-promises-kept"
    form = client.get(f"{new}?indicator={key}")
    assert form.status_code == 200 and form.context["form"].initial["indicator_key"] == key


def test_no_link_for_who_reads_the_scorecard_but_may_not_open_items(client, montalto, elena):
    html = sign_in(client, elena).get(reverse("scorecard", args=["montalto"])).content.decode()
    assert "open-improvement" not in html
