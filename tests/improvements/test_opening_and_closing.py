"""Opening an item from a Scorecard link, measuring it before and after, closing it as done or
dropping it, through the staff pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.core.models import AuditEntry
from insieme.core.registry import Scope, indicators
from insieme.improvements.models import Item, Status
from tests.conftest import sign_in
from tests.improvements.conftest import GAUGE_KEY

pytestmark = pytest.mark.django_db

BASE = "/staff/montalto/improvements/"


def test_the_create_url_is_named_and_takes_an_indicator(montalto):
    url = reverse("improvements:staff_new", args=["montalto"])
    assert url == BASE + "new/"


def test_scorecard_link_prefills_the_indicator(client, montalto, dario, gauge):
    page = sign_in(client, dario).get(BASE + f"new/?indicator={GAUGE_KEY}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["source"] == "indicator"
    assert form.initial["indicator_key"] == GAUGE_KEY
    assert form.initial["owner"] == dario.pk
    html = page.content.decode()
    assert f'<option value="{GAUGE_KEY}" selected>' in html


def test_open_from_a_real_indicator_stores_its_value(client, montalto, dario, cat):
    """The value kept on opening is the indicator computed for the administration now."""
    key = "catalog-t5-template-share"
    expected = indicators.get(key).compute(Scope.of(montalto)).value
    assert expected is not None
    signed = sign_in(client, dario)
    response = signed.post(
        BASE + "new/",
        {
            "title": "Più servizi sui modelli regionali",
            "source": "indicator",
            "indicator_key": key,
            "source_detail": "Half the services are built from scratch.",
            "owner": dario.pk,
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(title="Più servizi sui modelli regionali")
    assert response["Location"] == f"{BASE}{item.pk}/"
    assert item.value_before == pytest.approx(expected)
    assert item.before_on == Scope.of(montalto).today
    assert item.better == ""  # the template share has no good direction
    assert item.status == Status.OPEN and item.created_by == dario and item.owner == dario
    assert AuditEntry.objects.filter(action="improvements.item.opened").count() == 1


def test_close_as_done_measures_again_and_the_page_shows_both(client, item, dario, gauge):
    assert item.value_before == 0.4
    gauge.value = 0.7
    signed = sign_in(client, dario)
    response = signed.post(f"{BASE}{item.pk}/close/", {"outcome": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.DONE and item.closed_at is not None
    assert item.value_after == 0.7 and item.after_on is not None
    assert item.effect == "better"
    page = signed.get(f"{BASE}{item.pk}/").content.decode()
    assert "40.0%" in page and "70.0%" in page
    assert "Test gauge" in page and "Higher is better" in page
    assert "The indicator moved the good way." in page
    # Closed for good: closing again is refused, nothing changes.
    again = signed.post(f"{BASE}{item.pk}/close/", {"outcome": "dropped", "reason": "x"})
    assert again.status_code == 400
    item.refresh_from_db()
    assert item.status == Status.DONE and item.drop_reason == ""


def test_an_effect_the_wrong_way_is_said(client, item, dario, gauge):
    gauge.value = 0.1
    signed = sign_in(client, dario)
    signed.post(f"{BASE}{item.pk}/close/", {"outcome": "done"})
    assert "moved the wrong way" in signed.get(f"{BASE}{item.pk}/").content.decode()


def test_dropping_needs_a_reason(client, item, dario):
    signed = sign_in(client, dario)
    refused = signed.post(f"{BASE}{item.pk}/close/", {"outcome": "dropped", "reason": "  "})
    assert refused.status_code == 400
    assert "Say why the item is dropped." in refused.content.decode()
    item.refresh_from_db()
    assert item.status == Status.OPEN and item.closed_at is None
    done = signed.post(f"{BASE}{item.pk}/close/", {"outcome": "dropped", "reason": "No staff."})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.DROPPED and item.drop_reason == "No staff."
    assert item.value_after is None
    assert "No staff." in signed.get(f"{BASE}{item.pk}/").content.decode()


def test_status_moves_between_open_and_in_progress(client, item, dario):
    signed = sign_in(client, dario)
    assert signed.post(f"{BASE}{item.pk}/status/", {"status": "in_progress"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert signed.post(f"{BASE}{item.pk}/status/", {"status": "done"}).status_code == 400
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def test_edit_assigns_and_links_the_process(client, montalto, item, dario, carla, process, gauge):
    signed = sign_in(client, dario)
    gauge.value = 0.55  # editing without changing the indicator does not measure again
    response = signed.post(
        f"{BASE}{item.pk}/edit/",
        {
            "title": item.title,
            "source": "indicator",
            "indicator_key": GAUGE_KEY,
            "source_detail": item.source_detail,
            "owner": carla.pk,
            "process": process.pk,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner == carla and item.process == process and item.value_before == 0.4
    page = signed.get(f"{BASE}{item.pk}/").content.decode()
    assert reverse("staff_participation_process", args=["montalto", process.pk]) in page


def test_list_filters_by_status_and_source(client, montalto, item, dario):
    from insieme.improvements import actions

    other = actions.open_item(dario, montalto, title="Sabato", source="other", owner=dario)
    actions.drop_item(dario, other, reason="No")
    signed = sign_in(client, dario)
    everything = signed.get(BASE).content.decode()
    assert item.title in everything and "Sabato" in everything
    dropped = signed.get(BASE + "?status=dropped").content.decode()
    assert "Sabato" in dropped and item.title not in dropped
    from_indicator = signed.get(BASE + "?source=indicator").content.decode()
    assert item.title in from_indicator and "Sabato" not in from_indicator


def test_dashboard_links_the_backlog(client, montalto, bob, charlie):
    assert BASE in sign_in(client, bob).get("/staff/montalto/").content.decode()


def test_the_pages_speak_italian(client, item, dario):
    signed = sign_in(client, dario)
    signed.cookies["django_language"] = "it"
    page = signed.get(f"{BASE}{item.pk}/").content.decode()
    assert "Effetto misurato" in page and "Aperta" in page and "Meglio se più alto" in page
    assert "40,0%" in page
    listing = signed.get(BASE + "?status=nessuno")
    assert listing.status_code == 400
    assert "Questo stato non esiste" in listing.content.decode()


@pytest.mark.parametrize("source", ["hotspot", "topic", "forecast"])
def test_an_insight_link_prefills_where_it_comes_from_and_what_it_says(
    client, montalto, dario, source
):
    # The links of the hotspots, topics and forecasts pages: the kind and a short sentence.
    detail = "Buche in via Roma: 14 segnalazioni in 3 periodi"
    page = sign_in(client, dario).get(BASE + "new/", {"source": source, "detail": detail})
    assert page.status_code == 200
    assert page.context["form"].initial["source"] == source
    assert page.context["form"].initial["source_detail"] == detail
    assert detail in page.content.decode()
    posted = client.post(
        BASE + "new/",
        {"title": "Via Roma", "source": source, "source_detail": detail, "owner": dario.pk},
    )
    assert posted.status_code == 302
    item = Item.objects.get(title="Via Roma")
    assert (item.source, item.source_detail) == (source, detail)
