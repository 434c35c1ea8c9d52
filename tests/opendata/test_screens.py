"""The public open-data pages and the data steward's screens: who may see what, each bad input,
and what the database holds afterwards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.core.models import AuditEntry
from insieme.opendata.models import DatasetSetting, ServiceTextPolicy, TextReview
from tests.conftest import sign_in


def staff_url(admin, name="staff_datasets", *args):
    return reverse(f"opendata:{name}", args=[admin.slug, *args])


# --- the public side ---------------------------------------------------------------------------


def test_the_portal_lists_published_datasets(client, opendata):
    page = client.get(reverse("opendata:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Public reports" in html and "Requests per service and month" in html
    assert "Mario" not in html


def test_the_portal_in_italian(client, opendata):
    page = client.get(reverse("opendata:index"), HTTP_ACCEPT_LANGUAGE="it")
    assert page.status_code == 200
    assert "Dati aperti" in page.content.decode()


def test_bad_filters_answer_400_with_a_message(client, opendata):
    for query in ("?theme=NOPE", "?administration=nowhere"):
        page = client.get(reverse("opendata:index") + query)
        assert page.status_code == 400
        assert "showing them all" in page.content.decode()
    assert client.get(reverse("opendata:index") + "?theme=%00").status_code == 400


def test_a_dataset_page_and_its_downloads(client, opendata):
    page = client.get(reverse("opendata:dataset", args=[opendata.slug, "public-reports"]))
    assert page.status_code == 200
    assert "250 m" in page.content.decode()
    for fmt, media in (("csv", "text/csv"), ("geojson", "application/geo+json")):
        got = client.get(reverse("opendata:download", args=[opendata.slug, "public-reports", fmt]))
        assert got.status_code == 200 and got["Content-Type"] == media
        assert got["ETag"]
    old = client.get(
        reverse("opendata:download_version", args=[opendata.slug, "public-reports", "1", "csv"])
    )
    assert old.status_code == 200
    missing = client.get(
        reverse("opendata:download_version", args=[opendata.slug, "public-reports", "9", "csv"])
    )
    assert missing.status_code == 404
    # A dataset without places has no GeoJSON.
    assert (
        client.get(
            reverse("opendata:download", args=[opendata.slug, "services", "geojson"])
        ).status_code
        == 404
    )


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_unpublished_datasets_do_not_exist_publicly(client, opendata, state):
    DatasetSetting.objects.filter(administration=opendata, dataset="public-reports").update(
        state=state
    )
    assert "Public reports" not in client.get(reverse("opendata:index")).content.decode()
    for url in (
        reverse("opendata:dataset", args=[opendata.slug, "public-reports"]),
        reverse("opendata:download", args=[opendata.slug, "public-reports", "csv"]),
    ):
        assert client.get(url).status_code == 404


def test_unknown_names_are_404(client, opendata):
    for url in (
        "/opendata/montalto/nope/",
        "/opendata/nowhere/services/",
        "/opendata/montalto/services/download.xlsx",
        "/opendata/montalto/services/v99999999999/download.csv",
    ):
        assert client.get(url).status_code == 404, url


# --- the steward's side ------------------------------------------------------------------------


def test_who_may_open_the_steward_screens(client, opendata, elena, bob, oscar, alice):
    url = staff_url(opendata)
    assert client.get(url).status_code == 302  # to sign in
    assert sign_in(client, bob).get(url).status_code == 403  # an officer
    assert sign_in(client, oscar).get(url).status_code == 404  # another administration's
    assert sign_in(client, alice).get(url).status_code == 200  # the administrator
    page = sign_in(client, elena).get(url)
    assert page.status_code == 200
    assert "Public reports" in page.content.decode()
    for name, args in (
        ("staff_dataset", ["public-reports"]),
        ("staff_services", []),
        ("staff_reviews", []),
    ):
        assert client.get(staff_url(opendata, name, *args)).status_code == 200
    sign_in(client, bob)
    for name, args in (("staff_publish", ["services"]), ("staff_state", ["services"])):
        assert client.post(staff_url(opendata, name, *args)).status_code == 403


def test_withdrawing_needs_a_reason_and_is_audited(client, opendata, elena):
    sign_in(client, elena)
    url = staff_url(opendata, "staff_state", "public-reports")
    refused = client.post(url, {"state": "withdrawn", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the dataset is withdrawn." in refused.content.decode()
    setting = DatasetSetting.objects.get(administration=opendata, dataset="public-reports")
    assert setting.state == "published"
    client.post(url, {"state": "withdrawn", "reason": "A street name identifies a person"})
    setting.refresh_from_db()
    assert setting.state == "withdrawn"
    assert AuditEntry.objects.filter(action="opendata.withdrawn", actor=elena).exists()
    assert client.post(url, {"state": "deleted"}).status_code == 400
    setting.refresh_from_db()
    assert setting.state == "withdrawn"
    client.post(url, {"state": "published"})
    setting.refresh_from_db()
    assert setting.state == "published" and setting.withdrawn_reason == ""


def test_settings_reject_bad_values(client, opendata, elena):
    sign_in(client, elena)
    url = staff_url(opendata, "staff_dataset", "requests-monthly")
    for bad in ({"threshold": "1", "licence": "CC-BY-4.0"}, {"threshold": "x", "licence": "?"}):
        assert client.post(url, bad).status_code == 400
    assert client.post(url, {"threshold": "10", "licence": "CC0-1.0"}).status_code == 302
    setting = DatasetSetting.objects.get(administration=opendata, dataset="requests-monthly")
    assert (setting.threshold, setting.licence) == (10, "CC0-1.0")
    assert client.get(staff_url(opendata, "staff_dataset", "nope")).status_code == 404


def test_generate_now_and_the_preview(client, opendata, elena):
    sign_in(client, elena)
    page = client.post(staff_url(opendata, "staff_publish", "public-reports"), follow=True)
    assert "stays current" in page.content.decode()
    preview = client.get(staff_url(opendata, "staff_dataset", "public-reports")).content.decode()
    assert "MT-0" in preview and "Mario" not in preview
    got = client.get(staff_url(opendata, "staff_download", "public-reports", "csv"))
    assert got.status_code == 200 and got["Cache-Control"] == "private, no-store"


def test_text_policies_per_service(client, opendata, elena, oscar, lagoverde):
    from tests.opendata.conftest import make_service

    sign_in(client, elena)
    noise = opendata.services.get(code="rumore")
    url = staff_url(opendata, "staff_services")
    ok = client.post(url, {"service": noise.pk, "text": "redacted", "sensitive_places": "on"})
    assert ok.status_code == 302
    policy = ServiceTextPolicy.objects.get(service=noise)
    assert policy.text == "redacted" and policy.sensitive_places
    assert client.post(url, {"service": noise.pk, "text": "everything"}).status_code == 400
    elsewhere = make_service(lagoverde, "altro", "Altro")
    assert client.post(url, {"service": elsewhere.pk, "text": "redacted"}).status_code == 404
    assert client.post(url, {"service": "x", "text": "redacted"}).status_code == 404
    assert AuditEntry.objects.filter(action="opendata.text_policy", actor=elena).count() == 1


def test_reviewing_texts(client, opendata, elena):
    from insieme.opendata import publish

    ServiceTextPolicy.objects.filter(service__code="buche").update(text="reviewed")
    publish.publish(opendata, "public-reports")
    sign_in(client, elena)
    page = client.get(staff_url(opendata, "staff_reviews"))
    assert "Buca profonda numero 1" in page.content.decode()
    review = TextReview.objects.filter(administration=opendata).first()
    url = staff_url(opendata, "staff_decide", review.pk)
    assert client.post(url, {"decision": "maybe"}).status_code == 302
    review.refresh_from_db()
    assert review.state == "pending"
    client.post(url, {"decision": "approve"})
    review.refresh_from_db()
    assert review.state == "approved" and review.decided_by == elena
    entry = AuditEntry.objects.get(action="opendata.review")
    assert "Buca" not in str(entry.after)  # the decision is audited, not the text
    assert client.post(staff_url(opendata, "staff_decide", 999999)).status_code == 404
    assert client.get(staff_url(opendata, "staff_reviews") + "?state=bogus").status_code == 200
