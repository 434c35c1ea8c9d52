"""The forecasts page, its CSV and acknowledging an alert, as people meet them: who may see
them (404 outside one's administrations, 403 without the permission), what they show, and bad
input answered with 400."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs

import pytest

from insieme.core.models import AuditEntry
from insieme.forecasts import actions
from insieme.forecasts.models import Alert, Trigger
from tests.conftest import sign_in
from tests.forecasts.conftest import NOW

URL = "/staff/montalto/forecasts/"


@pytest.fixture
def computed(steady, surge):
    return actions.compute(steady.administration, trigger=Trigger.COMMAND, now=NOW)


@pytest.fixture
def alert(computed):
    return Alert.objects.get()


@pytest.mark.parametrize("persona", ["carla", "dario", "elena", "alice"])
def test_holders_of_the_permission_see_the_page(client, computed, persona, request):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Buche stradali" in body and "Verde pubblico" in body
    assert "Expect about 2" in body  # the steady service: about twenty a week
    assert "the forecast has erred by" in body
    assert "repeating last week (there is not yet a whole season to repeat)" in body
    assert 'id="alert-' in body


def test_the_sentence_gives_the_stored_figures(client, carla, computed, steady):
    sign_in(client, carla)
    response = client.get(URL, {"service": steady.pk})
    shown = response.context["shown"]
    assert [s.row.service for s in shown] == [steady]
    row, weeks = shown[0].row, shown[0].weeks
    expected = round(sum(w.expected for w in weeks) / 8)
    low, high = round(min(w.low for w in weeks)), round(max(w.high for w in weeks))
    assert shown[0].sentence == (
        f"Expect about {expected} requests a week for the next 8 weeks, between {low} and "
        f"{high}; the forecast has erred by {row.model_mae:.1f} a week, against "
        f"{row.baseline_mae:.1f} for repeating last week (there is not yet a whole season to "
        "repeat)."
    )
    assert response.context["alerts"] == []  # the alert is the other service's


def test_the_page_is_in_italian(client, carla, computed):
    carla.preferred_language = "it"
    carla.save(update_fields=["preferred_language"])
    sign_in(client, carla)
    response = client.get(URL)
    body = response.content.decode()
    assert "Previsioni della domanda" in body
    assert "Aspettatevi circa" in body


def test_without_a_run_the_page_says_so(client, carla):
    sign_in(client, carla)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="no-run"' in response.content.decode()


@pytest.mark.parametrize("path", [URL, URL + "forecasts.csv"])
def test_an_officer_is_refused(client, bob, computed, path):
    sign_in(client, bob)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", [URL, URL + "forecasts.csv"])
def test_a_citizen_and_another_administration_get_404(client, charlie, oscar, computed, path):
    sign_in(client, charlie)
    assert client.get(path).status_code == 404
    sign_in(client, oscar)
    assert client.get(path).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, computed):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1" * 40, "a\x01b"])
@pytest.mark.parametrize("path", [URL, URL + "forecasts.csv"])
def test_a_bad_service_is_a_400(client, carla, computed, value, path):
    sign_in(client, carla)
    response = client.get(path, {"service": value})
    assert response.status_code == 400


def test_a_service_of_another_administration_is_a_400(client, carla, computed, lagoverde):
    from tests.forecasts.conftest import make_service

    other = make_service(lagoverde, "altro", "Altro")
    sign_in(client, carla)
    assert client.get(URL, {"service": other.pk}).status_code == 400


def test_the_csv_holds_raw_numbers_and_guarded_text(client, carla, computed, steady):
    steady.name = "=HYPERLINK(1)"
    steady.save(update_fields=["name"])
    sign_in(client, carla)
    response = client.get(URL + "forecasts.csv", {"service": steady.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 12 + 8
    assert {r["service_name"] for r in rows} == {"'=HYPERLINK(1)"}
    actual = [r for r in rows if r["kind"] == "actual"]
    assert [int(r["requests"]) for r in actual][-3:] == [21, 20, 22]
    assert actual[-1]["week"] == "2026-02-23"
    forecast = [r for r in rows if r["kind"] == "forecast"]
    assert forecast[0]["week"] == "2026-03-02"
    assert all(float(r["low"]) <= float(r["requests"]) <= float(r["high"]) for r in forecast)


def test_acknowledging_an_alert_is_audited(client, dario, alert):
    sign_in(client, dario)
    response = client.post(f"{URL}alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == dario and alert.acknowledged_at is not None
    entry = AuditEntry.objects.get(action="forecast.alert_acknowledge")
    assert entry.actor == dario and entry.object_id == str(alert.pk)
    assert 'id="no-alerts"' in client.get(URL).content.decode()
    # Twice is refused, and nothing changes.
    assert client.post(f"{URL}alerts/{alert.pk}/acknowledge/").status_code == 400
    assert AuditEntry.objects.filter(action="forecast.alert_acknowledge").count() == 1


def test_acknowledging_needs_the_permission(client, bob, charlie, oscar, alert):
    sign_in(client, bob)
    assert client.post(f"{URL}alerts/{alert.pk}/acknowledge/").status_code == 403
    sign_in(client, charlie)
    assert client.post(f"{URL}alerts/{alert.pk}/acknowledge/").status_code == 404
    sign_in(client, oscar)
    assert client.post(f"{URL}alerts/{alert.pk}/acknowledge/").status_code == 404
    assert (
        client.post(f"/staff/lagoverde/forecasts/alerts/{alert.pk}/acknowledge/").status_code == 404
    )
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_unknown_alert_is_404_and_get_is_refused(client, carla, alert):
    sign_in(client, carla)
    assert client.post(f"{URL}alerts/999999/acknowledge/").status_code == 404
    assert client.get(f"{URL}alerts/{alert.pk}/acknowledge/").status_code == 405


def test_the_improvement_link_is_for_those_who_manage_items(client, carla, elena, alert):
    sign_in(client, carla)  # a service manager manages improvement items
    body = client.get(URL).content.decode()
    assert "/staff/montalto/improvements/new/?source=forecast&amp;detail=" in body
    link = body.split("/staff/montalto/improvements/new/?", 1)[1].split('"', 1)[0]
    detail = parse_qs(link.replace("&amp;", "&"))["detail"][0]
    assert detail.startswith("Verde pubblico: 60 requests in the week of")
    assert len(detail) <= 300
    sign_in(client, elena)  # a data steward reads forecasts but does not manage items
    assert "improvements/new/?source=forecast" not in client.get(URL).content.decode()


def test_the_dashboard_links_to_the_page(client, carla, bob):
    sign_in(client, carla)
    assert URL in client.get("/staff/montalto/").content.decode()
    sign_in(client, bob)
    assert URL not in client.get("/staff/montalto/").content.decode()


def test_the_page_reads_without_refitting(
    client, carla, computed, django_assert_max_num_queries, monkeypatch
):
    from insieme.forecasts import method

    monkeypatch.setattr(method, "fit", lambda *a: pytest.fail("the page refitted"))
    sign_in(client, carla)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
