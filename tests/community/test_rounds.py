"""Opening and closing rounds (community:round:manage, audited), and who reads the results
(those who read the Scorecard): 404 outside one's administrations, 403 without the permission."""

from __future__ import annotations

from django.urls import reverse

from insieme.community.models import Round
from insieme.core.models import AuditEntry, today_in
from tests.community.conftest import DAY
from tests.conftest import sign_in


def test_an_administrator_opens_and_closes_rounds(client, montalto, alice, localities):
    sign_in(client, alice)
    url = reverse("community:rounds", args=[montalto.slug])
    assert 'id="new-round"' in client.get(url).content.decode()
    today = today_in(montalto)
    assert client.post(url, {"opens_on": today, "closes_on": today + 14 * DAY}).status_code == 302
    made = Round.objects.get(administration=montalto)
    assert len(made.areas) == 3
    assert AuditEntry.objects.filter(
        action="community.round_opened", object_id=str(made.pk)
    ).exists()
    for data, message in [
        ({"opens_on": today + DAY, "closes_on": today + 5 * DAY}, "Another round"),
        ({"opens_on": today + 30 * DAY, "closes_on": today + 20 * DAY}, "cannot close before"),
        ({"opens_on": today + 30 * DAY, "closes_on": today + 200 * DAY}, "at most 92 days"),
        ({"opens_on": today - 30 * DAY, "closes_on": today - 20 * DAY}, "still be open"),
        ({"opens_on": "not a date", "closes_on": today}, "Enter a valid date"),
        ({"opens_on": "2026-02-30", "closes_on": today}, "Enter a valid date"),
        ({"opens_on": "2026-01-01\x00", "closes_on": today}, ""),
    ]:
        bad = client.post(url, data)
        assert bad.status_code == 400, data
        assert message in bad.content.decode(), data
    assert Round.objects.count() == 1
    close = reverse("community:round_close", args=[montalto.slug, made.pk])
    assert client.post(close).status_code == 302
    made.refresh_from_db()
    assert made.closed_early and not made.is_open(today)
    assert AuditEntry.objects.filter(action="community.round_closed").exists()
    assert client.post(url, {"opens_on": today, "closes_on": today + DAY}).status_code == 302


def test_who_reads_and_who_manages(
    client, montalto, lagoverde, alice, bob, carla, oscar, charlie, round_
):
    rounds = reverse("community:rounds", args=[montalto.slug])
    detail = reverse("community:round", args=[montalto.slug, round_.pk])
    csv_url = reverse("community:round_csv", args=[montalto.slug, round_.pk])
    close = reverse("community:round_close", args=[montalto.slug, round_.pk])
    assert client.get(rounds).status_code == 302  # to sign in
    sign_in(client, charlie)  # a resident: no staff page
    assert [client.get(u).status_code for u in (rounds, detail, csv_url)] == [404, 404, 404]
    assert client.post(close).status_code == 404
    client.logout()
    sign_in(client, bob)  # an officer does not read the Scorecard
    assert [client.get(u).status_code for u in (rounds, detail, csv_url)] == [403, 403, 403]
    assert client.post(close).status_code == 403
    client.logout()
    sign_in(client, carla)  # a service manager reads results, does not manage rounds
    page = client.get(rounds)
    assert page.status_code == 200 and 'id="new-round"' not in page.content.decode()
    assert client.get(detail).status_code == 200 and client.get(csv_url).status_code == 200
    today = today_in(montalto)
    assert client.post(rounds, {"opens_on": today, "closes_on": today}).status_code == 403
    assert client.post(close).status_code == 403
    client.logout()
    sign_in(client, oscar)  # another municipality's administrator
    assert [client.get(u).status_code for u in (rounds, detail, csv_url)] == [404, 404, 404]
    assert client.post(close).status_code == 404
    other = reverse("community:round", args=[lagoverde.slug, round_.pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("community:round", args=[montalto.slug, 999999])).status_code == 404
    assert not Round.objects.get(pk=round_.pk).closed_early
